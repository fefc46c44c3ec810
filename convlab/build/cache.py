"""The execution cache: a lesson's executed notebook, kept until something it depends on changes.

A lesson's result depends on:

* its code cells (prose cells are re-rendered without re-running anything),
* the convlab package that it imports (every ``.py`` and ``.toml`` file in it),
* the installed Python, TensorFlow, Keras and NumPy versions,
* the profile (its name, seed and this lesson's settings),
* the data it loaded: recorded during the run, re-fingerprinted at every lookup.

The first four are hashed into a key. An entry lives in
``<cache>/<profile>/<lesson>/<key>/`` (``notebook.ipynb`` + ``meta.json``). It is written in a
temporary folder and renamed into place, so an interrupted build leaves either the whole entry
or none of it; temporary folders of dead processes are swept on the next start.
"""

from __future__ import annotations

import functools
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
from convlab.build.project import Lesson
from convlab.config import Profile
from convlab.data import fingerprint

NOTEBOOK = "notebook.ipynb"
META = "meta.json"
TMP_PREFIX = ".tmp-"
VERSIONED_PACKAGES = ("tensorflow", "keras", "numpy")


@functools.cache
def library_digest() -> str:
    """sha256 over the convlab package's source and profile files (hashed once per process)."""
    package = Path(convlab.__file__).parent
    h = hashlib.sha256()
    for path in sorted([*package.rglob("*.py"), *package.rglob("*.toml")]):
        h.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


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
        "convlab": library_digest(),
        "versions": installed_versions(),
        "profile": profile.fingerprint(lesson.name),
    }


def key_of(parts: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()[:20]


_PART_NAMES = {
    "code": "its code changed",
    "convlab": "the convlab package changed",
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
    """Executed lessons under ``root``, one entry per (profile, lesson)."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.sweep()

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
        for source in entry.meta.get("data", []):
            location = source.get("location", "")
            if not Path(location).exists() or fingerprint(location) != source.get("fingerprint"):
                return None, f"its data changed ({location})"
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
