"""The execution cache: a lesson's executed notebook, kept until something it uses changes.

A lesson's result depends on, and only on:

* its code cells and the placeholders of its prose (prose edits re-render without a run),
* the installed Python, TensorFlow, Keras and NumPy versions,
* its profile overrides (not its time budget, not other lessons' settings),
* the convlab modules it imported while it ran, recorded from the kernel,
* the data files it loaded, recorded during the run.

The first three are hashed into a key. The last two are checked at every lookup, by hashing
the recorded files again: so a comment in the build code or the CLI, which no lesson
imports, re-runs nothing, and a change to ``convlab/viz.py`` re-runs the lessons that drew
with it. An entry lives in ``<cache>/<profile>/<lesson>/<key>/`` (``notebook.ipynb`` +
``meta.json``). It is written in a temporary folder and renamed into place, so an interrupted
build leaves either the whole entry or none of it; temporary folders of dead processes are
swept by the next build (:meth:`Cache.sweep`).
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import shutil
import uuid
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import nbformat

import convlab
from convlab.data import fingerprint
from convlab.profile import Profile
from convlab.publish.project import Lesson

NOTEBOOK = "notebook.ipynb"
META = "meta.json"
TMP_PREFIX = ".tmp-"
VERSIONED_PACKAGES = ("tensorflow", "keras", "numpy")


PACKAGE = Path(convlab.__file__).resolve().parent


def module_digests(modules: dict[str, str]) -> dict[str, str]:
    """``{"convlab/viz.py": sha256}`` for the convlab modules a lesson imported.

    ``modules`` maps module names to their files, as the kernel reported them."""
    digests = {}
    for path in sorted({Path(f).resolve() for f in modules.values()}):
        if path.is_relative_to(PACKAGE) and path.is_file():
            relative = Path(PACKAGE.name) / path.relative_to(PACKAGE)
            digests[relative.as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
    return digests


def changed_module(digests: dict[str, str]) -> str | None:
    """The first recorded convlab module whose source differs now, or ``None``."""
    for relative, digest in digests.items():
        path = PACKAGE.parent / relative
        if not path.is_file() or hashlib.sha256(path.read_bytes()).hexdigest() != digest:
            return relative
    return None


def installed_versions() -> dict[str, str]:
    """Python and the packages whose version can change a lesson's numbers."""
    versions = {"python": platform.python_version()}
    for name in VERSIONED_PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def key_parts(lesson: Lesson, profile: Profile) -> dict[str, Any]:
    """What the cache key hashes, by name (kept in the entry to explain later misses)."""
    return {
        "code": lesson.code_digest(),
        "versions": installed_versions(),
        "profile": profile.fingerprint(lesson.slug),
    }


def key_of(parts: dict[str, Any]) -> str:
    """The short hash naming an entry."""
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()[:20]


_PART_NAMES = {
    "code": "its code changed",
    "versions": "installed versions changed",
    "profile": "its profile settings changed",
}


@dataclass(frozen=True)
class Entry:
    """One cached, executed lesson."""

    path: Path

    @property
    def meta(self) -> dict[str, Any]:
        return json.loads((self.path / META).read_text(encoding="utf-8"))

    def notebook(self) -> nbformat.NotebookNode:
        """The executed notebook, outputs included."""
        return nbformat.read(self.path / NOTEBOOK, as_version=4)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class Cache:
    """Executed lessons under ``root``, one entry per (profile, lesson).

    Reading never deletes: only :meth:`sweep` (called by a build) and :meth:`store` do."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def _folder(self, profile: str, lesson: str) -> Path:
        return self.root / profile / lesson

    def sweep(self) -> None:
        """Remove temporary folders left by builds that were killed mid-write."""
        if not self.root.is_dir():
            return
        for tmp in self.root.glob(f"{TMP_PREFIX}*"):
            pid = tmp.name[len(TMP_PREFIX) :].split("-")[0]
            if not (pid.isdigit() and _pid_alive(int(pid))):
                shutil.rmtree(tmp, ignore_errors=True)

    def lookup(self, lesson: str, profile: str, parts: dict[str, Any]) -> tuple[Entry | None, str]:
        """The valid entry for these key parts, or ``None`` and the reason it must run."""
        folder = self._folder(profile, lesson)
        key = key_of(parts)
        candidates = [meta.parent for meta in folder.glob(f"*/{META}")]
        if not candidates:
            return None, "not in the cache"
        entry = next((Entry(p) for p in candidates if p.name == key), None)
        if entry is None:
            old = Entry(candidates[0]).meta.get("key_parts", {})
            changed = [text for part, text in _PART_NAMES.items() if old.get(part) != parts[part]]
            return None, "; ".join(changed) or "its cache key changed"
        meta = entry.meta
        module = changed_module(meta.get("modules", {}))
        if module:
            return None, f"{module} changed"
        for source in meta.get("data", []):
            location = source.get("location", "")
            if not Path(location).exists() or fingerprint(location) != source.get("fingerprint"):
                return None, f"its data changed ({location})"
        for stored in meta.get("files", []):
            location = Path(stored["location"])
            now = fingerprint(location) if location.is_file() else ""
            if now != stored["fingerprint"]:
                return None, f"{location.name} changed"
        return entry, "cached"

    def store(
        self,
        lesson: str,
        profile: str,
        parts: dict[str, Any],
        notebook: nbformat.NotebookNode,
        meta: dict[str, Any],
    ) -> Entry:
        """Write an entry atomically and drop the lesson's older entries for this profile."""
        key = key_of(parts)
        self.root.mkdir(parents=True, exist_ok=True)
        tmp = self.root / f"{TMP_PREFIX}{os.getpid()}-{uuid.uuid4().hex[:8]}"
        try:
            tmp.mkdir()
            nbformat.write(notebook, tmp / NOTEBOOK)
            meta = {**meta, "lesson": lesson, "profile": profile, "key": key, "key_parts": parts}
            (tmp / META).write_text(json.dumps(meta, indent=2, sort_keys=True), encoding="utf-8")
            folder = self._folder(profile, lesson)
            folder.mkdir(parents=True, exist_ok=True)
            final = folder / key
            if final.exists():
                shutil.rmtree(final)
            os.rename(tmp, final)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        for other in folder.iterdir():
            if other != final:
                shutil.rmtree(other, ignore_errors=True)
        return Entry(final)

    def entries(self, profile: str | None = None) -> list[Entry]:
        """Every complete entry (of one profile, if given), by profile then lesson."""
        pattern = f"{profile or '*'}/*/*/{META}"
        return [Entry(p.parent) for p in sorted(self.root.glob(pattern))]

    def clear(self, profile: str | None = None) -> int:
        """Delete the entries (of one profile, if given); returns how many were deleted."""
        count = len(self.entries(profile))
        shutil.rmtree(self.root / profile if profile else self.root, ignore_errors=True)
        return count
