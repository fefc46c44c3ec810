"""Turn executed lessons into site pages, then run mkdocs.

For each lesson, the page is the lesson's *current* notebook (so prose edits show without
re-running) with the outputs of its cached execution, plus a box saying how the page was made
and where to download it. Written under ``docs/`` (generated folders, never edited by hand):

* ``docs/lessons/NN_slug.ipynb``: the page, rendered by mkdocs-jupyter;
* ``docs/downloads/NN_slug.py`` and ``.ipynb``: the lesson source and the executed notebook.
"""

from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
import sys
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import nbformat
import yaml

from convlab.build.project import Lesson, Project
from convlab.config import Profile

if TYPE_CHECKING:
    from convlab.build.pipeline import Outcome

PAGES = "lessons"
DOWNLOADS = "downloads"
DARK_CSS = Path("stylesheets") / "notebook-dark.css"


class SiteError(RuntimeError):
    """The site could not be rendered or mkdocs failed; the message says why."""


def merge_outputs(
    lesson: Lesson, current: nbformat.NotebookNode, executed: nbformat.NotebookNode
) -> nbformat.NotebookNode:
    """``current`` (the lesson as it is now) with the outputs of ``executed``, cell by cell.

    Both must have the same code cells: the cache key guarantees it for a valid entry.
    Every code cell must have run; a page never silently lacks its outputs."""
    new = [c for c in current.cells if c.cell_type == "code"]
    old = [c for c in executed.cells if c.cell_type == "code"]
    if [c.source.strip() for c in new] != [c.source.strip() for c in old]:
        raise SiteError(f"{lesson.name}: the cached run does not match the lesson's code cells")
    for number, (target, source) in enumerate(zip(new, old, strict=True), start=1):
        if source.get("execution_count") is None:
            raise SiteError(f"{lesson.name}: code cell {number} has no recorded execution")
        target.outputs = source.outputs
        target.execution_count = source.execution_count
    current.metadata.update(executed.metadata)
    return current


def _github_repo(project: Project) -> str | None:
    """``owner/name`` from mkdocs.yml's ``repo_url``, if it points to GitHub."""
    config = yaml.safe_load(project.mkdocs_yml.read_text(encoding="utf-8")) or {}
    match = re.fullmatch(r"https://github\.com/([\w.-]+/[\w.-]+?)/?", config.get("repo_url", ""))
    return match.group(1) if match else None


def provenance_html(
    lesson: Lesson, meta: dict[str, Any], profile: Profile, from_cache: bool, repo: str | None
) -> str:
    """The box at the top of a lesson page: how, where and from what data it was built."""
    versions = meta.get("versions", {})
    e = html.escape
    cache_note = (
        "reused from the execution cache (nothing it depends on changed)"
        if from_cache
        else "executed in this build"
    )
    facts = [
        ("Profile", f"<strong>{e(profile.name)}</strong>: {e(profile.description)}"),
        ("Hardware", e(meta.get("hardware", "unknown"))),
        ("Software", f"TensorFlow {e(versions.get('tensorflow', '?'))}, "
                     f"Keras {e(versions.get('keras', '?'))}, "
                     f"NumPy {e(versions.get('numpy', '?'))}, "
                     f"Python {e(versions.get('python', '?'))}"),
        ("Run", f"{meta.get('seconds', 0):.0f} s wall time, seed {meta.get('seed')}, "
                f"{e(meta.get('executed_at', '?'))}, "
                f"commit <code>{e(meta.get('commit', '?'))}</code>"),
        ("This page", cache_note),
    ]
    for source in meta.get("data", []):
        facts.append(("Data", e(source.get("description", source.get("dataset", "?")))))
    links = [
        f'<a href="../../{DOWNLOADS}/{lesson.name}.py" download>lesson (.py)</a>',
        f'<a href="../../{DOWNLOADS}/{lesson.name}.ipynb" download>executed notebook (.ipynb)</a>',
    ]
    if repo:
        colab = (f"https://colab.research.google.com/github/{repo}/blob/gh-pages/"
                 f"{DOWNLOADS}/{lesson.name}.ipynb")
        links.append(f'<a href="{colab}">Open in Colab</a>')
    facts.append(("Get it", " · ".join(links)))
    rows = "".join(f"<tr><th>{k}</th><td>{v}</td></tr>" for k, v in facts)
    return (
        '<div class="admonition info convlab-provenance">'
        '<p class="admonition-title">How this page was built</p>'
        f"<table>{rows}</table></div>"
    )


def _insert_after_title(notebook: nbformat.NotebookNode, text: str) -> None:
    cell = nbformat.v4.new_markdown_cell(text, metadata={"tags": ["convlab-provenance"]})
    first = notebook.cells[0] if notebook.cells else None
    at = 1 if first is not None and first.cell_type == "markdown" else 0
    notebook.cells.insert(at, cell)


def write_dark_css(project: Project) -> None:
    """Give notebook cells mkdocs-jupyter's dark colours when the reader picks the dark scheme."""
    assets = resources.files("mkdocs_jupyter") / "templates" / "mkdocs_html" / "assets"
    dark = (assets / "theme-dark.css").read_text(encoding="utf-8")
    target = project.docs_dir / DARK_CSS
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(f'[data-md-color-scheme="slate"] {{\n{dark}\n}}\n', encoding="utf-8")


def render(project: Project, profile: Profile, outcomes: list[Outcome]) -> None:
    """Write every lesson page and download from the build's outcomes (all must have entries)."""
    repo = _github_repo(project)
    pages, downloads = project.docs_dir / PAGES, project.docs_dir / DOWNLOADS
    for folder in (pages, downloads):
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
    for outcome in outcomes:
        lesson, entry = outcome.lesson, outcome.entry
        if entry is None:
            raise SiteError(f"{lesson.name} has no executed notebook to render")
        notebook = merge_outputs(lesson, lesson.read(), entry.notebook())
        meta = entry.meta
        _insert_after_title(
            notebook, provenance_html(lesson, meta, profile, outcome.from_cache, repo)
        )
        nbformat.validate(notebook)
        nbformat.write(notebook, pages / f"{lesson.name}.ipynb")
        nbformat.write(notebook, downloads / f"{lesson.name}.ipynb")
        shutil.copyfile(lesson.path, downloads / lesson.path.name)
    write_dark_css(project)


def run_mkdocs(project: Project) -> None:
    """``mkdocs build --strict`` into a temporary folder, then swap it in as ``site/``."""
    staging = project.root / ".site-staging"
    shutil.rmtree(staging, ignore_errors=True)
    # No --quiet: it hides warnings from the counter that makes --strict fail the build.
    command = [sys.executable, "-m", "mkdocs", "build", "--strict",
               "--config-file", str(project.mkdocs_yml), "--site-dir", str(staging)]
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    done = subprocess.run(command, cwd=project.root, capture_output=True, text=True, env=env)
    if done.returncode != 0:
        shutil.rmtree(staging, ignore_errors=True)
        raise SiteError(f"mkdocs build --strict failed:\n{done.stdout}{done.stderr}".rstrip())
    shutil.rmtree(project.site_dir, ignore_errors=True)
    staging.rename(project.site_dir)
