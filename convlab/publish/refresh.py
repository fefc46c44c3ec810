"""The store of full runs as data, the plan of a refresh, and the merge of entries made elsewhere.

What the workflows in ``.github/workflows/`` need from the store, each step run by the tests on
a tiny project:

* :func:`listing`: every lesson's entry in ``runs/full/`` (current, stale or missing, why, and
  whether a GPU made it), with the **refresh plan**: the lessons to run again, in *waves*. A
  lesson that read another lesson's stored run (``convlab.runs.stored_lesson_run``: its
  manifest's ``files`` name ``runs/full/<slug>/manifest.json``) runs in a wave after that
  lesson, and is refreshed whenever that lesson is, since a new run of it makes the reader's
  entry stale. ``convlab list --json`` prints it.
* :func:`merge`: entries made in other checkouts (one GPU job per lesson, each uploading its
  ``runs/full/<slug>/``) copied into this checkout's store, after checking every one of them:
  intact (its checksums), a full run of a lesson of this checkout made from the code beside
  it, no two different runs of one lesson. A refused merge writes nothing; each entry is
  installed with a rename, so none is ever half-written. ``convlab store merge DIR...`` runs it.
* :func:`refusal`: what ``convlab build --publish`` says when a page would not be a current
  full run: the lessons, why, and the command and the workflow that refresh them.

The judgement of an entry is the store's own (:meth:`convlab.publish.store.RunStore.lookup`,
as ``convlab list`` and the build use it); this module only reads its verdicts.

States, plans and incoming entries are plain dictionaries, as ``convlab list --json`` prints
them.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from pathlib import Path
from typing import Any

from convlab.datafiles import fingerprint
from convlab.publish import freshness
from convlab.publish.profile import load_profile
from convlab.publish.project import Lesson, Project, ProjectError
from convlab.publish.reasons import Reason
from convlab.publish.store import (
    MANIFEST,
    NOTEBOOK,
    TMP_PREFIX,
    CorruptEntry,
    Entry,
    RunStore,
    full_store,
)
from convlab.settings import FULL_PROFILE
from convlab.settings import STORE_DIR as STORE_PATH

EntryState = dict[str, Any]
"""One lesson's entry in the store, as ``convlab list --json`` shows it: ``lesson``
(``02_dense_baseline``), ``slug`` (``dense_baseline``), ``state`` (:data:`CURRENT`,
:data:`STALE`: changed or damaged, :data:`MISSING`), ``reason`` (why it is not current;
``"unchanged"`` when it is), ``used_gpu`` (the manifest's field; an entry without it was made
on a CPU), ``hardware``, ``executed_at``, ``commit`` (``None`` without a readable manifest),
``reads`` (slugs of the stored runs it read; ``None`` without a manifest) and ``differences``
(what differs here without making it stale)."""

RefreshPlan = dict[str, Any]
"""``lessons`` (slugs, in the lessons' order), ``waves`` (lists of slugs: each wave after the
one before, the lessons of one wave independent of each other) and ``why`` (slug: reason)."""

Incoming = tuple[Path, Lesson, dict[str, Any]]  # an entry to merge: folder, lesson, manifest

LISTING_SCHEMA = "convlab-store-listing/1"
CURRENT, STALE, MISSING = "current", "stale", "missing"
REFRESH_WORKFLOW = "refresh"  # .github/workflows/refresh.yml's name, as the Actions tab shows it


class PlanError(ValueError):
    """A refresh that cannot be ordered: lessons that read each other's stored runs."""


class MergeError(ValueError):
    """Entries that cannot be merged; the message names each and says what to do. Nothing was
    written."""


def reads(meta: dict[str, Any]) -> list[str]:
    """The slugs of the lessons whose stored full run this manifest's run read, sorted."""
    found = set()
    for stored in meta.get("files", []):
        parts = Path(str(stored.get("location", ""))).parts
        store = STORE_PATH.parts
        if len(parts) == len(store) + 2 and parts[:len(store)] == store and \
                parts[-1] == MANIFEST:
            found.add(parts[len(store)])
    return sorted(found)


def used_gpu(meta: dict[str, Any]) -> bool:
    """Whether the run had a GPU; a manifest written before the field existed did not."""
    return meta.get("used_gpu") is True


def entry_state(project: Project, lesson: Lesson, store: RunStore | None = None) -> EntryState:
    """The state of ``lesson``'s entry in the store, judged as the build judges it."""
    store = store or full_store(project.root)
    try:
        entry = store.read(lesson)
    except CorruptEntry:
        entry = None
    found = store.lookup(lesson, load_profile(FULL_PROFILE), project.root)
    meta = entry.meta if entry is not None else {}
    state = CURRENT if found.entry is not None else MISSING if found.absent else STALE
    return {"lesson": lesson.name, "slug": lesson.slug, "state": state,
            "reason": str(found.reason), "why": str(found.reason.why),
            "used_gpu": used_gpu(meta), "hardware": meta.get("hardware"),
            "executed_at": meta.get("executed_at"), "commit": meta.get("commit"),
            "reads": reads(meta) if entry is not None else None,
            "differences": [str(d) for d in found.differences]}


def plan(states: list[EntryState], *, include_cpu_runs: bool = False,
         only: list[str] | None = None) -> RefreshPlan:
    """The refresh of ``states``' stale and missing entries (and those made on a CPU, with
    ``include_cpu_runs``), or of the lessons ``only`` names (slugs), whatever their state.

    Every lesson reading a refreshed lesson's stored run is refreshed too, in a later wave. A
    lesson without a manifest (its reads unknown) runs after every lesson it might read."""
    by_slug = {s["slug"]: s for s in states}
    why: dict[str, str] = {}
    for s in states:
        if only is not None:
            if s["slug"] in only:
                why[s["slug"]] = "asked for"
        elif s["state"] != CURRENT:
            why[s["slug"]] = f"{s['state']}: {s['reason']}"
        elif include_cpu_runs and not s["used_gpu"]:
            why[s["slug"]] = f"made on a CPU ({s['hardware'] or 'hardware not recorded'})"
    readers = {slug: [s["slug"] for s in states if slug in (s["reads"] or [])]
               for slug in by_slug}
    todo = list(why)
    while todo:  # whoever reads a refreshed run must run again after it
        slug = todo.pop()
        for reader in readers[slug]:
            if reader not in why:
                why[reader] = f"reads {by_slug[slug]['lesson']}'s stored run, which is refreshed"
                todo.append(reader)
    chosen = [s["slug"] for s in states if s["slug"] in why]
    after = {slug: {r for r in (by_slug[slug]["reads"] or []) if r in why} for slug in chosen}

    def upstream(slug: str, seen: frozenset[str] = frozenset()) -> set[str]:
        if slug in seen:
            names = " and ".join(by_slug[s]["lesson"] for s in sorted(seen | {slug}))
            raise PlanError(f"{names} read each other's stored runs, so no order runs each "
                            "after the other; make one of them stop reading the other")
        found = set(after[slug])
        for other in after[slug]:
            found |= upstream(other, seen | {slug})
        return found

    # A lesson without a manifest may read any other: it runs after every lesson that reads
    # no such lesson (those that do run after it, as their manifests say).
    unknown = {slug for slug in chosen if by_slug[slug]["reads"] is None}
    settled = {o for o in chosen if o not in unknown and not upstream(o) & unknown}
    for slug in unknown:
        after[slug] = settled
    wave: dict[str, int] = {}

    def depth(slug: str) -> int:
        if slug not in wave:
            upstream(slug)  # raises on a cycle
            wave[slug] = 1 + max((depth(o) for o in after[slug]), default=-1)
        return wave[slug]

    waves: list[list[str]] = [[] for _ in range(max(map(depth, chosen), default=-1) + 1)]
    for slug in chosen:
        waves[wave[slug]].append(slug)
    return {"lessons": chosen, "waves": waves, "why": why}


def listing(project: Project, *, include_cpu_runs: bool = False,
            only: list[str] | None = None) -> dict[str, Any]:
    """``convlab list --json``: every lesson's entry and the refresh plan, as plain data.

    ``only``: lesson references (``06``, ``07_fashion_mnist``, ``fashion_mnist``) to refresh
    whatever their state, instead of the stale ones."""
    store = full_store(project.root)
    states = [entry_state(project, lesson, store) for lesson in project.lessons()]
    slugs = None if only is None else [project.lesson(ref).slug for ref in only]
    refresh = plan(states, include_cpu_runs=include_cpu_runs, only=slugs)
    return {
        "schema": LISTING_SCHEMA,
        "store": STORE_PATH.as_posix(),
        "lessons": states,
        "current": sum(s["state"] == CURRENT for s in states),
        "stale": [s["slug"] for s in states if s["state"] != CURRENT],
        "cpu_made": [s["slug"] for s in states if s["state"] != MISSING and not s["used_gpu"]],
        "refresh": refresh,
    }


def refusal(missing: list[tuple[Lesson, Reason]]) -> str:
    """Why ``convlab build --publish`` refuses: each lesson without a current full run, and
    why it has none."""
    listed = "; ".join(f"{lesson.name} ({reason})" for lesson, reason in missing)
    commands = "; ".join(f"`convlab run {lesson.name} --profile full`" for lesson, _ in missing)
    return (
        f"a published site shows only current full runs, and {len(missing)} lesson(s) have "
        f"none in {STORE_PATH.as_posix()}/: {listed}. Refresh them on a GPU: "
        f"run the GitHub workflow '{REFRESH_WORKFLOW}' (Actions > {REFRESH_WORKFLOW} > Run "
        "workflow; it opens a pull request with the new runs), or on a machine of your own "
        f"{commands}, then commit {STORE_PATH.as_posix()}/ (`convlab list` says what is stale "
        "and why)."
    )


def _describe(item: Incoming) -> str:
    """``02_dense_baseline (run of <date> on <hardware> at <commit>, from <folder>)``."""
    folder, lesson, meta = item
    return (f"{lesson.name} (run of {meta.get('executed_at', '?')} on "
            f"{meta.get('hardware', '?')} at {meta.get('commit', '?')}, from {folder})")


def entry_folders(paths: list[Path]) -> list[Path]:
    """The entry folders in ``paths``: each path is an entry (it holds a manifest.json) or a
    folder of entries (a downloaded artifact, a store). Raises :class:`MergeError` for a path
    that is neither."""
    found = []
    for path in paths:
        if (path / MANIFEST).is_file():
            found.append(path)
        elif path.is_dir() and (entries := sorted(
                sub for sub in path.iterdir()
                if (sub / MANIFEST).is_file() and not sub.name.startswith("."))):
            found += entries  # a store's hidden folders are writes under way
        else:
            raise MergeError(f"{path} is not an entry of a store of full runs (a folder with "
                             f"{MANIFEST} and {NOTEBOOK}) nor a folder of them; give the "
                             "folders that `convlab run NN --profile full` wrote under "
                             f"{STORE_PATH.as_posix()}/")
    return found


def _verified(project: Project, folder: Path, scratch: Path) -> Incoming:
    """The entry in ``folder``, checked to be intact and a full run of a lesson here."""
    try:
        meta = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        name = meta["lesson"]
        lesson = project.lesson(name)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError) as err:
        raise MergeError(f"{folder}: its {MANIFEST} is unreadable ({err!r}); make the run "
                         "again") from None
    except ProjectError:
        raise MergeError(f"{folder} is a run of {name}, which is not a lesson of this "
                         f"checkout ({project.lessons_dir})") from None
    staged = scratch / lesson.slug
    shutil.copytree(folder, staged)  # the store verifies an entry where it expects one
    try:
        RunStore(scratch, strict=False, name=f"the entry at {folder}").read(lesson)
    except CorruptEntry as err:
        raise MergeError(f"{folder}: {err}") from None
    finally:
        shutil.rmtree(staged, ignore_errors=True)
    if meta.get("profile") != FULL_PROFILE:
        raise MergeError(f"{folder} is a run of the {meta.get('profile')} profile, not the "
                         f"{FULL_PROFILE} profile the store holds")
    return folder, lesson, meta


def _stale_here(project: Project, item: Incoming, merged: dict[str, Incoming]) -> str | None:
    """Why ``item`` would not be current in this checkout once ``merged`` are in the store."""
    _, lesson, meta = item
    inside = {f"{STORE_PATH.as_posix()}/{slug}/{MANIFEST}": other
              for slug, other in merged.items()}
    files = []
    for stored in meta.get("files", []):
        other = inside.get(Path(str(stored.get("location", ""))).as_posix())
        if other is None:
            files.append(stored)
        elif fingerprint(other[0] / MANIFEST) != stored.get("fingerprint"):
            return (f"it read another run of {other[1].name} than the one merged with it; "
                    f"run {lesson.name} again after {other[1].name}'s run is merged")
    verdict = freshness.check({**meta, "files": files}, lesson, load_profile(FULL_PROFILE),
                              project.root, strict=False)
    return verdict.stale


def merge(project: Project, paths: list[Path]) -> list[Entry]:
    """Copy the entries in ``paths`` (see :func:`entry_folders`) into the project's store of
    full runs and return them as stored, or raise :class:`MergeError`, writing nothing, when
    any of them is damaged, not a full run of a lesson here, stale beside this checkout's code
    (made from other code, or after reading another run than the one it is merged with), or
    when two of them are different runs of one lesson (the same run found twice is merged once).
    """
    folders = entry_folders(paths)
    if not folders:
        raise MergeError("nothing to merge: give one or more entry folders")
    store = full_store(project.root)
    store.root.mkdir(parents=True, exist_ok=True)
    scratch = store.root / f"{TMP_PREFIX}{os.getpid()}-{uuid.uuid4().hex[:8]}"
    scratch.mkdir()
    try:
        incoming = [_verified(project, folder, scratch) for folder in folders]
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    merged: dict[str, Incoming] = {}
    problems = []
    for item in incoming:
        first = merged.setdefault(item[1].slug, item)
        if first is not item and first[2]["checksum"] != item[2]["checksum"]:
            problems.append(f"two different runs of {item[1].name}: {_describe(first)} "
                            f"and {_describe(item)}; merge only the one to keep")
    for item in merged.values():
        stale = _stale_here(project, item, merged)
        if stale:
            problems.append(f"{_describe(item)} would be stale here: {stale}")
    if problems:
        raise MergeError("refusing to merge, nothing was written:\n  " + "\n  ".join(problems))
    for item in merged.values():
        source, lesson, _ = item
        store.install(lesson, source)
    return [store.read(lesson) for _, lesson, _ in merged.values()]  # type: ignore[misc]
