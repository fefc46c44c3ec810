"""The build's order of work: each lesson from the store, the cache or executed now, then the site.

For every lesson, the first of these that holds is used:

1. its entry in the committed store of full runs (``runs/full/``), unless the lesson's code,
   its full-profile values, the convlab code it used or a file it read changed;
2. (any profile but ``full``) its entry in the execution cache of the build's profile;
3. a fresh execution under the build's profile, written to the store (``full``) or the
   cache (any other profile), as soon as the lesson finishes.
"""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Protocol

from convlab.publish import environment, refresh, repository, results, site
from convlab.publish.execute import LessonError, execute
from convlab.publish.freshness import manifest
from convlab.publish.lock import build_lock
from convlab.publish.outcome import CACHE, EXECUTED, STORE, Outcome
from convlab.publish.profile import Profile, load_profile
from convlab.publish.project import Lesson, Project
from convlab.publish.reasons import FORCED, NO_STORE, Reason, Why
from convlab.publish.store import full_store, quick_cache
from convlab.settings import FULL_PROFILE


class BuildFailed(RuntimeError):
    """One or more lessons failed; the message holds each one's error."""


class PublishRefused(RuntimeError):
    """A publishing build would show pages that are not current full runs; names them."""


class Reporter(Protocol):
    """Receives progress; :class:`convlab.publish.progress.ConsoleReporter` prints it."""

    def reused(self, lesson: Lesson, where: str) -> None:
        """``lesson``'s page comes from an earlier run, described by ``where``."""

    def start(self, lesson: Lesson, reason: str) -> None:
        """``lesson`` starts executing, because of ``reason``."""

    def cell(self, done: int, total: int, elapsed_s: float) -> None:
        """``done`` of ``total`` code cells ran, ``elapsed_s`` seconds in."""

    def finish(self, lesson: Lesson, seconds: float, error: str | None) -> None:
        """``lesson`` ended after ``seconds``; ``error`` says why it failed, if it did."""


class SilentReporter(Reporter):
    """A reporter that says nothing (tests, the library's own callers)."""


def stored_run_label(meta: dict) -> str:
    """``full run of 2026-12-01 09:12 UTC on <hardware>``: where a store entry comes from."""
    return f"full run of {meta.get('executed_at', '?')} on {meta.get('hardware', '?')}"


def _full(profile: Profile) -> Profile:
    return profile if profile.name == FULL_PROFILE else load_profile(FULL_PROFILE)


def choose(project: Project, lesson: Lesson, profile: Profile, *, force: bool = False,
           use_store: bool = True) -> Outcome:
    """The run a build with ``profile`` shows for ``lesson``, decided without executing: the
    store's full run if it still holds (unless ``use_store`` is false), else (any profile but
    the full one) the profile's cached run, else none (``entry`` is None: it must run, for
    ``reason``). ``force``: none, every lesson runs."""
    if force:
        return Outcome(lesson, None, EXECUTED, profile, FORCED)
    store_reason = NO_STORE
    if use_store:
        full = _full(profile)
        found = full_store(project.root).lookup(lesson, full, project.root)
        if found.entry is not None:
            return Outcome(lesson, found.entry, STORE, full, found.reason,
                           differences=found.differences)
        store_reason = found.reason
    if profile.name == FULL_PROFILE:
        return Outcome(lesson, None, EXECUTED, profile, store_reason, store_reason=store_reason)
    found = quick_cache(project.cache_dir, profile).lookup(lesson, profile, project.root)
    return Outcome(lesson, found.entry, CACHE if found.entry else EXECUTED, profile,
                   found.reason, store_reason=store_reason)


def _one(project: Project, lesson: Lesson, profile: Profile, *, force: bool, use_store: bool,
         reporter: Reporter) -> Outcome:
    """Find (:func:`choose`) or make the run of ``lesson`` that its page will show."""
    chosen = choose(project, lesson, profile, force=force, use_store=use_store)
    if chosen.entry is not None:
        reporter.reused(lesson, stored_run_label(chosen.entry.meta) if chosen.source == STORE
                        else f"{profile.name} run from the execution cache")
        return chosen
    reason, store_reason = chosen.reason, chosen.store_reason
    shown = (f"{reason}; full run: {store_reason}" if store_reason is not None and
             store_reason.why not in (Why.ABSENT, Why.NO_STORE) and store_reason != reason
             else str(reason))
    reporter.start(lesson, shown)
    try:
        run = execute(lesson, profile, cwd=project.root, on_cell=reporter.cell)
    except LessonError as err:
        reporter.finish(lesson, 0.0, str(err))
        return replace(chosen, error=str(err))
    target = (full_store(project.root) if profile.name == FULL_PROFILE
              else quick_cache(project.cache_dir, profile))
    entry = target.write(lesson, run.notebook, manifest(lesson, profile, run, project.root),
                         run.models)
    reporter.finish(lesson, run.seconds, None)
    return replace(chosen, entry=entry)


def run_lessons(
    project: Project,
    profile: Profile,
    lessons: list[Lesson] | None = None,
    *,
    force: bool = False,
    use_store: bool = True,
    reporter: Reporter | None = None,
) -> list[Outcome]:
    """Make sure every lesson has a run to show, executing under ``profile`` those that lack one.

    ``force`` re-executes every lesson under ``profile``, whatever the store and the cache
    hold; ``use_store`` false ignores the store. A failing lesson does not stop the others;
    its error is in its :class:`Outcome`."""
    reporter = reporter or SilentReporter()
    profile.check_slugs([lesson.slug for lesson in project.lessons()])
    full_store(project.root).sweep()
    if profile.name != FULL_PROFILE:
        quick_cache(project.cache_dir, profile).sweep()
    outcomes = []
    for lesson in project.lessons() if lessons is None else lessons:
        try:
            outcome = _one(project, lesson, profile, force=force, use_store=use_store,
                           reporter=reporter)
        except (ValueError, SyntaxError, OSError) as err:  # the lesson file itself is broken
            message = f"lesson {lesson.name} cannot be built: {err}"
            reporter.finish(lesson, 0.0, message)
            outcome = Outcome(lesson, None, EXECUTED, profile,
                              Reason(Why.CODE, message, lesson.name), message)
        outcomes.append(outcome)
    return outcomes


def unpublishable(project: Project) -> list[tuple[Lesson, Reason]]:
    """Every lesson without a current full run in the store, with the reason."""
    store, full = full_store(project.root), load_profile(FULL_PROFILE)
    missing = []
    for lesson in project.lessons():
        found = store.lookup(lesson, full, project.root)
        if found.entry is None:
            missing.append((lesson, found.reason))
    return missing


def build(
    project: Project,
    profile: Profile,
    *,
    force: bool = False,
    use_store: bool = True,
    reporter: Reporter | None = None,
    mkdocs: bool = True,
    publish: bool = False,
) -> list[Outcome]:
    """Find or make every lesson's run, render every page, then run ``mkdocs build --strict``.

    Holds the checkout's build lock throughout: a concurrent build waits, then reuses what it
    made. ``publish`` (the deploy workflow's build) first checks that the repository address
    is set (:func:`convlab.publish.repository.check_publishable`) and refuses, naming them,
    lessons whose page would not be a current full run. Raises :class:`BuildFailed` (before
    touching the site) if any lesson failed."""
    if publish:
        repository.check_publishable(project)
    with build_lock(project.cache_dir):
        if publish and profile.name != FULL_PROFILE:
            if not use_store:
                raise PublishRefused("a published site shows the store's current full runs, "
                                     "which --no-store ignores: publish without --no-store")
            missing = unpublishable(project)
            if missing:
                raise PublishRefused(refresh.refusal(missing))
        return _build(project, profile, force=force, use_store=use_store, reporter=reporter,
                      mkdocs=mkdocs)


def _build(project: Project, profile: Profile, *, force: bool, use_store: bool,
           reporter: Reporter | None, mkdocs: bool) -> list[Outcome]:
    start = time.perf_counter()
    outcomes = run_lessons(project, profile, force=force, use_store=use_store,
                           reporter=reporter)
    failed = [o for o in outcomes if o.error]
    if failed:
        names = ", ".join(o.lesson.name for o in failed)
        details = "\n\n".join(o.error or "" for o in failed)
        raise BuildFailed(
            f"{len(failed)} lesson(s) failed: {names}. The site was not built; lessons that "
            f"ran are kept.\n\n{details}"
        )
    render_docs(project, outcomes, profile, build_seconds=round(time.perf_counter() - start, 1))
    if mkdocs:
        site.run_mkdocs(project)
    return outcomes


def render_docs(project: Project, outcomes: list[Outcome], profile: Profile, *,
                build_seconds: float | None = None) -> None:
    """Write the docs folder from the build's outcomes: every lesson page, then the results.

    The build and the live preview (:mod:`convlab.publish.serve`) both render through here.
    A failed outcome (one with an error) keeps its previous page, and while any lesson fails
    the results page and the pages of removed lessons are left as they were, so that a
    half-working checkout never publishes half the results. Raises
    :class:`convlab.publish.site.SiteError` for a run that cannot be rendered."""
    shown = [o for o in outcomes if o.error is None]
    complete = len(shown) == len(outcomes)
    site.render(project, shown, prune=complete)
    if complete:
        results.write(project.docs_dir, results.collect(
            outcomes, profile, built_at=environment.utc_now(), build_seconds=build_seconds))


def summary(outcomes: list[Outcome]) -> list[str]:
    """The build report's lines: which pages come from the store, the cache, or this build."""
    lines = []
    stored = [o for o in outcomes if o.source == STORE]
    if stored:
        lines.append(f"{len(stored)} page(s) from the store of full runs:")
        lines += [f"  {o.lesson.name}: {stored_run_label(o.entry.meta)}" for o in stored
                  if o.entry is not None]
    cached = [o for o in outcomes if o.source == CACHE]
    if cached:
        lines.append(f"{len(cached)} page(s) from the execution cache:")
        lines += [f"  {o.lesson.name}: {o.profile.name} run"
                  + (f" (full run: {o.store_reason})" if o.store_reason else "") for o in cached]
    executed = [o for o in outcomes if o.source == EXECUTED]
    if executed:
        lines.append(f"{len(executed)} lesson(s) executed in this build:")
        lines += [f"  {o.lesson.name}: {o.profile.name} profile, because {o.reason}"
                  + (f" (full run: {o.store_reason})" if o.store_reason and
                     o.store_reason != o.reason else "") for o in executed]
    return lines
