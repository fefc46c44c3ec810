"""The build's order of work: each lesson from the cache or freshly executed, then the site."""

from __future__ import annotations

import time
from typing import Protocol

from convlab.profile import Profile
from convlab.publish import environment, repository, results, site
from convlab.publish.cache import Cache, installed_versions, key_parts, module_digests
from convlab.publish.execute import LessonError, execute
from convlab.publish.lock import build_lock
from convlab.publish.outcome import Outcome
from convlab.publish.project import Lesson, Project


class BuildFailed(RuntimeError):
    """One or more lessons failed; the message holds each one's error."""


class Reporter(Protocol):
    """Receives progress; :class:`convlab.publish.progress.ConsoleReporter` prints it."""

    def cached(self, lesson: Lesson) -> None:
        """``lesson`` is reused from the cache."""

    def start(self, lesson: Lesson, reason: str) -> None:
        """``lesson`` starts executing, because of ``reason``."""

    def cell(self, done: int, total: int, elapsed_s: float) -> None:
        """``done`` of ``total`` code cells ran, ``elapsed_s`` seconds in."""

    def finish(self, lesson: Lesson, seconds: float, error: str | None) -> None:
        """``lesson`` ended after ``seconds``; ``error`` says why it failed, if it did."""


class SilentReporter(Reporter):
    """A reporter that says nothing (tests, the library's own callers)."""


def run_lessons(
    project: Project,
    profile: Profile,
    lessons: list[Lesson] | None = None,
    *,
    force: bool = False,
    reporter: Reporter | None = None,
) -> list[Outcome]:
    """Make sure every lesson has a cache entry for ``profile``, executing those that lack one.

    A failing lesson does not stop the others; its error is in its :class:`Outcome`.
    """
    reporter = reporter or SilentReporter()
    profile.check_slugs([lesson.slug for lesson in project.lessons()])
    cache = Cache(project.cache_dir)
    cache.sweep()
    outcomes = []
    for lesson in project.lessons() if lessons is None else lessons:
        parts = key_parts(lesson, profile)
        entry, reason = cache.lookup(lesson.name, profile.name, parts)
        if entry is not None and not force:
            reporter.cached(lesson)
            outcomes.append(Outcome(lesson, entry, True, reason))
            continue
        reason = "asked to run it" if force else reason
        reporter.start(lesson, reason)
        try:
            run = execute(lesson, profile, cwd=project.root, on_cell=reporter.cell)
        except LessonError as err:
            reporter.finish(lesson, 0.0, str(err))
            outcomes.append(Outcome(lesson, None, False, reason, str(err)))
            continue
        meta = {
            "seconds": round(run.seconds, 1),
            "executed_at": environment.utc_now(),
            "hardware": environment.hardware(),
            "versions": installed_versions(),
            "commit": environment.git_commit(project.root),
            "commit_sha": environment.full_commit(project.root),
            "overrides": profile.overrides(lesson.slug),
            "data": run.data,
            "files": run.files,
            "results": run.results,
            "expectations": run.expectations,
            "modules": module_digests(run.modules),
        }
        entry = cache.store(lesson.name, profile.name, parts, run.notebook, meta)
        reporter.finish(lesson, run.seconds, None)
        outcomes.append(Outcome(lesson, entry, False, reason))
    return outcomes


def build(
    project: Project,
    profile: Profile,
    *,
    force: bool = False,
    reporter: Reporter | None = None,
    mkdocs: bool = True,
    publish: bool = False,
) -> list[Outcome]:
    """Execute what the cache lacks, render every lesson page, then run ``mkdocs build --strict``.

    Holds the checkout's build lock throughout: a concurrent build waits, then reuses the
    cache. ``publish`` (the deploy workflow's build) first checks that the repository address
    is set (:func:`convlab.publish.repository.check_publishable`). Raises
    :class:`BuildFailed` (before touching the site) if any lesson failed."""
    if publish:
        repository.check_publishable(project)
    with build_lock(project.cache_dir):
        return _build(project, profile, force=force, reporter=reporter, mkdocs=mkdocs)


def _build(project: Project, profile: Profile, *, force: bool, reporter: Reporter | None,
           mkdocs: bool) -> list[Outcome]:
    start = time.perf_counter()
    outcomes = run_lessons(project, profile, force=force, reporter=reporter)
    failed = [o for o in outcomes if o.error]
    if failed:
        names = ", ".join(o.lesson.name for o in failed)
        details = "\n\n".join(o.error or "" for o in failed)
        raise BuildFailed(
            f"{len(failed)} lesson(s) failed: {names}. The site was not built; lessons that "
            f"ran are cached.\n\n{details}"
        )
    site.render(project, profile, outcomes)
    results.write(project.docs_dir, results.collect(
        outcomes, profile, built_at=environment.utc_now(),
        build_seconds=round(time.perf_counter() - start, 1)))
    if mkdocs:
        site.run_mkdocs(project)
    return outcomes
