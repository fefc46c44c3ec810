"""Where a course project keeps its parts, and its lessons.

A project is a folder holding ``mkdocs.yml``, ``docs/`` and ``lessons/``; the lessons are
``lessons/NN_slug.py`` files in jupytext's percent format (cells start with ``# %%``).
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path

import jupytext
import nbformat

CACHE_ENV = "CONVLAB_CACHE_DIR"
LESSON_FILE = re.compile(r"^(\d{2})_[a-z0-9_]+\.py$")


class ProjectError(ValueError):
    """No project where one was expected, or no lesson of the name asked for."""


@dataclass(frozen=True)
class Lesson:
    """One lesson file, e.g. ``lessons/02_dense_baseline.py`` (name ``02_dense_baseline``)."""

    path: Path

    @property
    def name(self) -> str:
        return self.path.stem

    def read(self) -> nbformat.NotebookNode:
        """The lesson as a notebook (no outputs), parsed by jupytext."""
        return jupytext.read(self.path, fmt="py:percent")

    def code_digest(self, notebook: nbformat.NotebookNode | None = None) -> str:
        """sha256 of the code cells only: editing prose leaves it unchanged."""
        notebook = notebook or self.read()
        h = hashlib.sha256()
        for cell in notebook.cells:
            if cell.cell_type == "code":
                h.update(cell.source.strip().encode() + b"\0")
        return h.hexdigest()


@dataclass(frozen=True)
class Project:
    """A course project rooted at ``root``."""

    root: Path

    @classmethod
    def find(cls, start: Path | None = None) -> Project:
        """The project holding ``start`` (default: the working directory)."""
        here = (start or Path.cwd()).resolve()
        for folder in (here, *here.parents):
            if (folder / "mkdocs.yml").is_file() and (folder / "lessons").is_dir():
                return cls(folder)
        raise ProjectError(
            f"no convlab project at or above {here}: run this inside the course repository "
            "(the folder with mkdocs.yml and lessons/)"
        )

    @property
    def lessons_dir(self) -> Path:
        return self.root / "lessons"

    @property
    def docs_dir(self) -> Path:
        return self.root / "docs"

    @property
    def site_dir(self) -> Path:
        return self.root / "site"

    @property
    def mkdocs_yml(self) -> Path:
        return self.root / "mkdocs.yml"

    @property
    def cache_dir(self) -> Path:
        """``$CONVLAB_CACHE_DIR``, else ``.convlab_cache/`` in the project."""
        return Path(os.environ.get(CACHE_ENV) or self.root / ".convlab_cache")

    def lessons(self) -> list[Lesson]:
        """Every ``lessons/NN_slug.py``, in lesson order."""
        paths = sorted(p for p in self.lessons_dir.glob("*.py") if LESSON_FILE.match(p.name))
        return [Lesson(p) for p in paths]

    def lesson(self, ref: str) -> Lesson:
        """A lesson by name (``02_dense_baseline``), number (``02``, ``2``) or path."""
        lessons = self.lessons()
        stem = Path(ref).stem
        for lesson in lessons:
            number = LESSON_FILE.match(lesson.path.name).group(1)  # type: ignore[union-attr]
            if stem in (lesson.name, number) or (stem.isdigit() and int(stem) == int(number)):
                return lesson
        names = ", ".join(lesson.name for lesson in lessons) or "none"
        raise ProjectError(f"no lesson {ref!r} in {self.lessons_dir}; lessons: {names}")
