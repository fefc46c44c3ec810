"""Where a course project keeps its parts, and its lessons.

A project is a folder holding ``mkdocs.yml``, ``docs/`` and ``lessons/``; the lessons are
``lessons/NN_slug.py`` files in jupytext's percent format (cells start with ``# %%``). A
lesson is known by its *slug* (``dense_baseline``): its page is ``lessons/dense_baseline/``
and its profile table ``[lessons.dense_baseline]``, so renumbering a lesson is a file rename.
"""

from __future__ import annotations

import ast
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import jupytext
import nbformat

from convlab.publish import placeholders, settings

LESSON_FILE = re.compile(r"^(\d{2})_([a-z0-9_]+)\.py$")
PARAMETERS_TAG = "parameters"  # papermill's convention
# A link from one lesson to another, as lessons write it: ../dense_baseline/ (optional #anchor)
PAGES = "lessons"  # the site folder of lesson pages (docs/lessons/, site/lessons/)
LESSON_LINK = re.compile(r"\]\(\.\./([a-z0-9_]+)/(#[^)]*)?\)")


def page_url(path: str, directory_urls: bool = True) -> str:
    """The URL of the page at ``path`` (``lessons/beta``, ``""`` for the home page) as mkdocs
    writes it: ``lessons/beta/``, or ``lessons/beta.html`` without directory URLs."""
    if directory_urls:
        return f"{path}/" if path else ""
    return f"{path}.html" if path else "index.html"


class ProjectError(ValueError):
    """No project where one was expected, or no lesson of the name asked for."""


def _tags(cell: nbformat.NotebookNode) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []))


@dataclass(frozen=True)
class Lesson:
    """One lesson file, e.g. ``lessons/02_dense_baseline.py``."""

    path: Path

    @property
    def name(self) -> str:
        """The file's stem, ``02_dense_baseline``."""
        return self.path.stem

    @property
    def number(self) -> int:
        match = LESSON_FILE.match(self.path.name)
        return int(match.group(1)) if match else 0

    @property
    def slug(self) -> str:
        """The name without its number, ``dense_baseline``: the page's and the profile's key."""
        match = LESSON_FILE.match(self.path.name)
        return match.group(2) if match else self.name

    def read(self) -> nbformat.NotebookNode:
        """The lesson as a notebook (no outputs), parsed by jupytext."""
        return jupytext.read(self.path, fmt="py:percent")

    def parameters(self, notebook: nbformat.NotebookNode | None = None) -> list[str]:
        """Names assigned in the cell tagged ``parameters`` (empty if there is none)."""
        notebook = notebook or self.read()
        cell = parameters_cell(notebook)
        if cell is None:
            return []
        names = []
        for node in ast.parse(cell.source).body:
            targets = node.targets if isinstance(node, ast.Assign) else (
                [node.target] if isinstance(node, ast.AnnAssign) else [])
            names += [t.id for t in targets if isinstance(t, ast.Name)]
        return names

    def title_and_summary(self) -> tuple[str, str]:
        """The first Markdown cell's ``# title`` and first paragraph (for the home page)."""
        notebook = self.read()
        first = next((c for c in notebook.cells if c.cell_type == "markdown"), None)
        if first is None or not first.source.startswith("# "):
            raise ProjectError(f"{self.path}: a lesson starts with a Markdown cell '# Title'")
        title, _, rest = first.source.partition("\n")
        paragraphs = [p.strip() for p in rest.strip().split("\n\n") if p.strip()]
        summary = " ".join(paragraphs[0].split()) if paragraphs else ""
        return title[2:].strip(), summary

    def code_digest(self, notebook: nbformat.NotebookNode | None = None) -> str:
        """sha256 of what runs: code cells and the prose's placeholders, not the prose."""
        notebook = notebook or self.read()
        h = hashlib.sha256()
        for cell in notebook.cells:
            if cell.cell_type == "code":
                h.update(b"code\0" + cell.source.strip().encode() + b"\0")
            elif cell.cell_type == "markdown":
                for p in placeholders.find(cell.source):
                    h.update(b"value\0" + f"{p.expression}:{p.spec}".encode() + b"\0")
        return h.hexdigest()


def parameters_cell(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode | None:
    """The cell tagged ``parameters``, if any."""
    return next((c for c in notebook.cells if PARAMETERS_TAG in _tags(c)), None)


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
        return settings.cache_dir(self.root)

    def lessons(self) -> list[Lesson]:
        """Every ``lessons/NN_slug.py``, in lesson order; two lessons may not share a slug."""
        paths = sorted(p for p in self.lessons_dir.glob("*.py") if LESSON_FILE.match(p.name))
        lessons = [Lesson(p) for p in paths]
        slugs = [lesson.slug for lesson in lessons]
        twice = sorted({s for s in slugs if slugs.count(s) > 1})
        if twice:
            raise ProjectError(f"two lessons share the name {', '.join(twice)}: rename one")
        return lessons

    def lesson(self, ref: str) -> Lesson:
        """A lesson by name (``02_dense_baseline``), slug, number (``02``, ``2``) or path."""
        lessons = self.lessons()
        stem = Path(ref).stem
        for lesson in lessons:
            if stem in (lesson.name, lesson.slug) or (stem.isdigit() and int(stem) ==
                                                      lesson.number):
                return lesson
        names = ", ".join(lesson.name for lesson in lessons) or "none"
        raise ProjectError(f"no lesson {ref!r} in {self.lessons_dir}; lessons: {names}")


INJECTED_TAG = "injected-parameters"


def inject_parameters(
    notebook: nbformat.NotebookNode, overrides: dict[str, object], profile: str
) -> nbformat.NotebookNode:
    """Insert, after the ``parameters`` cell, a cell assigning ``overrides`` (papermill's way).

    Nothing is inserted when there are no overrides: the lesson then runs its own values."""
    if not overrides:
        return notebook
    cell = parameters_cell(notebook)
    if cell is None:
        raise ProjectError("a profile sets parameters but the lesson has no cell tagged "
                           "parameters")
    lines = [f"# The {profile} profile shrinks this run (the cell above is the full run):"]
    lines += [f"{name} = {value!r}" for name, value in sorted(overrides.items())]
    injected = nbformat.v4.new_code_cell("\n".join(lines), metadata={"tags": [INJECTED_TAG]})
    notebook.cells.insert(notebook.cells.index(cell) + 1, injected)
    return notebook
