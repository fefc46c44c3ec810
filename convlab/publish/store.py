"""Folders of executed lessons: the quick cache and the committed store of full runs.

Both keep one entry per lesson, ``<root>/<slug>/`` holding ``notebook.ipynb`` (the executed
notebook, as its page shows it) and ``manifest.json`` (what the run depended on and what it
measured: :mod:`convlab.publish.freshness`). They differ in where they live and how strictly
they judge an entry:

* the quick cache, ``.convlab_cache/<profile>/`` (ignored by git, strict);
* the store of full runs, ``runs/full/`` (committed, so every clone builds the full-run site;
  lenient: another machine or library version does not make a run stale).

An entry is written into a temporary folder and renamed into place, so a build that is
stopped keeps every lesson that finished and no half-written one. The manifest holds the
notebook's sha256 and a checksum of itself: an entry that is corrupt, half-written or edited
by hand is reported by name and treated as missing, never rendered.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat

from convlab.publish import freshness
from convlab.publish.lock import pid_alive
from convlab.publish.profile import Profile
from convlab.publish.project import Lesson
from convlab.publish.reasons import CURRENT, Reason, Why
from convlab.settings import STORE_DIR

NOTEBOOK = "notebook.ipynb"
MANIFEST = "manifest.json"
TMP_PREFIX = ".tmp-"
OLD_PREFIX = ".old-"


class CorruptEntry(ValueError):
    """An entry whose files do not match its manifest; the message names it and says what to do."""


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _checksum(manifest: dict[str, Any]) -> str:
    body = {k: v for k, v in manifest.items() if k != "checksum"}
    return _sha256(json.dumps(body, sort_keys=True).encode())


@dataclass(frozen=True)
class Entry:
    """One executed lesson, read and verified."""

    path: Path
    meta: dict[str, Any]
    notebook_text: str

    def notebook(self) -> nbformat.NotebookNode:
        """The executed notebook, outputs included."""
        return nbformat.reads(self.notebook_text, as_version=4)


@dataclass(frozen=True)
class Lookup:
    """An entry that still holds (or ``None``), why not, and what differs without mattering."""

    entry: Entry | None
    reason: Reason
    differences: tuple[Reason, ...] = ()

    @property
    def absent(self) -> bool:
        """There is no entry at all (not a stale or damaged one)."""
        return self.reason.why is Why.ABSENT


class RunStore:
    """The entries under ``root``; ``strict`` as in :func:`convlab.publish.freshness.check`.

    Reading never deletes: only :meth:`sweep` (called by a build), :meth:`write` and
    :meth:`clear` do."""

    def __init__(self, root: Path, *, strict: bool, name: str) -> None:
        self.root = Path(root)
        self.strict = strict
        self.name = name  # "the store of full runs", "the quick cache": for messages

    def folder(self, lesson: Lesson) -> Path:
        """Where ``lesson``'s entry lives: ``<root>/<slug>/``."""
        return self.root / lesson.slug

    def read(self, lesson: Lesson) -> Entry | None:
        """The lesson's entry, verified; ``None`` if there is none; :class:`CorruptEntry` if it
        does not hold together."""
        folder = self.folder(lesson)
        if not folder.is_dir():
            return None

        def corrupt(problem: str) -> CorruptEntry:
            return CorruptEntry(
                f"{lesson.name}: the entry in {self.name} ({folder}) is {problem}, so it is "
                f"treated as missing; run the lesson again, or restore the folder with git")

        try:
            meta = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
            raw = (folder / NOTEBOOK).read_bytes()
        except FileNotFoundError as err:
            raise corrupt(f"incomplete ({Path(err.filename).name} is missing)") from None
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
            raise corrupt(f"unreadable ({err})") from None
        if not isinstance(meta, dict) or meta.get("checksum") != _checksum(meta):
            raise corrupt("edited or damaged (its manifest's checksum does not match)")
        if meta.get("notebook_sha256") != _sha256(raw):
            raise corrupt("edited or damaged (the notebook is not the one its manifest names)")
        for kept in meta.get("models", []):
            try:
                content = (folder / kept["file"]).read_bytes()
            except OSError:
                raise corrupt(f"incomplete (the kept network {kept['file']} is missing)") from None
            if _sha256(content) != kept["sha256"]:
                raise corrupt(f"edited or damaged (the kept network {kept['file']} is not the "
                              "one its manifest names)")
        return Entry(folder, meta, raw.decode("utf-8"))

    def lookup(self, lesson: Lesson, profile: Profile, project_root: Path) -> Lookup:
        """The lesson's entry if it still holds for ``profile``, else why it must run."""
        try:
            entry = self.read(lesson)
        except CorruptEntry as err:
            return Lookup(None, Reason(Why.CORRUPT, str(err), str(self.folder(lesson))))
        if entry is None:
            return Lookup(None, Reason(Why.ABSENT, f"not in {self.name}", lesson.name))
        if entry.meta.get("profile") != profile.name:
            other = str(entry.meta.get("profile"))
            return Lookup(None, Reason(Why.OTHER_PROFILE, f"{self.name} holds a run of the "
                                       f"{other} profile", other))
        verdict = freshness.check(entry.meta, lesson, profile, project_root, strict=self.strict)
        if verdict.stale:
            return Lookup(None, verdict.stale)
        return Lookup(entry, CURRENT, tuple(verdict.differences))

    def write(self, lesson: Lesson, notebook: nbformat.NotebookNode,
              manifest: dict[str, Any], models: dict[str, bytes] | None = None) -> Entry:
        """Write the lesson's entry atomically, replacing the one before; ``models`` are the
        files of the networks the run kept (file name -> bytes), listed in ``manifest``."""
        text = nbformat.writes(notebook)
        meta = {**manifest, "notebook_sha256": _sha256(text.encode("utf-8"))}
        meta["checksum"] = _checksum(meta)
        models = models or {}
        listed = {kept["file"] for kept in manifest.get("models", [])}
        if listed != set(models):
            raise ValueError(f"{lesson.name}: the manifest lists the kept networks "
                             f"{sorted(listed)}, the run gave {sorted(models)}")

        def fill(folder: Path) -> None:
            for file, content in models.items():
                (folder / file).write_bytes(content)
            (folder / NOTEBOOK).write_text(text, encoding="utf-8")
            (folder / MANIFEST).write_text(json.dumps(meta, indent=1, sort_keys=True) + "\n",
                                           encoding="utf-8")

        self._replace(lesson, fill)
        return Entry(self.folder(lesson), meta, text)

    def install(self, lesson: Lesson, source: Path) -> None:
        """Copy an entry made elsewhere (``source``: a folder holding its notebook and
        manifest, verified by the caller) into this store, atomically, replacing the one
        before."""
        meta = json.loads((source / MANIFEST).read_text(encoding="utf-8"))
        names = [NOTEBOOK, MANIFEST, *(kept["file"] for kept in meta.get("models", []))]
        self._replace(lesson, lambda folder: [shutil.copyfile(source / name, folder / name)
                                              for name in names])

    def _replace(self, lesson: Lesson, fill: Callable[[Path], object]) -> None:
        """Fill a new folder beside the lesson's entry, then rename it into place: readers see
        the old entry or the new one, never a part, and a stop between the two renames keeps
        the old one."""
        self.root.mkdir(parents=True, exist_ok=True)
        tag = f"{os.getpid()}-{uuid.uuid4().hex[:8]}"
        tmp = self.root / f"{TMP_PREFIX}{tag}"
        old = self.root / f"{OLD_PREFIX}{tag}-{lesson.slug}"  # the entry being replaced
        final = self.folder(lesson)
        try:
            tmp.mkdir()
            fill(tmp)
            if final.exists():
                os.rename(final, old)
            os.rename(tmp, final)
        finally:
            if old.exists() and not final.exists():
                os.rename(old, final)  # interrupted between the renames: keep the old entry
            shutil.rmtree(tmp, ignore_errors=True)
            shutil.rmtree(old, ignore_errors=True)

    def sweep(self) -> None:
        """Clear what builds killed mid-write left: their temporary folders go, and an entry
        they had moved aside to replace, but not replaced, goes back."""
        for debris in [*self.root.glob(f"{TMP_PREFIX}*"), *self.root.glob(f"{OLD_PREFIX}*")]:
            pid = debris.name.split("-")[1]
            if pid.isdigit() and pid_alive(int(pid)):
                continue
            slug = debris.name.split("-", 3)[-1]
            if debris.name.startswith(OLD_PREFIX) and not (self.root / slug).exists():
                os.rename(debris, self.root / slug)
            else:
                shutil.rmtree(debris, ignore_errors=True)

    def entries(self) -> list[Path]:
        """The folders that hold an entry (complete or not), by lesson slug."""
        if not self.root.is_dir():
            return []
        return sorted(p for p in self.root.iterdir() if p.is_dir() and not p.name.startswith("."))

    def clear(self) -> int:
        """Delete every entry; returns how many there were."""
        count = len(self.entries())
        shutil.rmtree(self.root, ignore_errors=True)
        return count


def full_store(project_root: Path) -> RunStore:
    """The committed store of full-profile runs, ``runs/full/`` in the project."""
    return RunStore(project_root / STORE_DIR, strict=False,
                    name="the store of full runs")


def quick_cache(cache_dir: Path, profile: Profile) -> RunStore:
    """The execution cache of ``profile`` (any profile but the full one), under ``cache_dir``."""
    return RunStore(cache_dir / profile.name, strict=True,
                    name=f"the {profile.name} execution cache")
