"""A tiny course built end to end: cache hits, prose-only edits, failures, the site's pages."""

from __future__ import annotations

import nbformat
import pytest

from convlab.build import site
from convlab.build.pipeline import BuildFailed, build
from convlab.build.project import Project
from convlab.config import load_profile
from tests.conftest import write_mnist


def _ran(outcomes):
    return [o.lesson.name for o in outcomes if not o.from_cache]


def _page(project: Project, lesson: str) -> str:
    return (project.site_dir / "lessons" / lesson / "index.html").read_text()


def test_build_rebuild_and_edits(tiny_project):
    profile = load_profile(tiny_project.root / "tiny.toml")

    assert _ran(build(tiny_project, profile)) == ["01_alpha", "02_beta"]
    page = _page(tiny_project, "01_alpha")
    assert "How this page was built" in page and "executed in this build" in page
    assert "steps 3" in page and "MNIST from local copy" in page
    assert "tiny test profile" in page
    downloads = tiny_project.site_dir / "downloads"
    assert {p.name for p in downloads.iterdir()} == {
        "01_alpha.py", "01_alpha.ipynb", "02_beta.py", "02_beta.ipynb"}
    assert "colab.research.google.com/github/convlab/convlab/blob/gh-pages/downloads/" in page
    assert '<script src="">' not in page and "mathjax/2.7.7/latest.js" in page  # formulas

    assert _ran(build(tiny_project, profile)) == []
    assert "reused from the execution cache" in _page(tiny_project, "01_alpha")

    alpha = tiny_project.lesson("01")
    alpha.path.write_text(alpha.path.read_text().replace("first tiny lesson", "edited prose"))
    assert _ran(build(tiny_project, profile)) == []
    page = _page(tiny_project, "01_alpha")
    assert "edited prose" in page and "steps 3" in page  # new prose, cached outputs

    beta = tiny_project.lesson("02")
    beta.path.write_text(beta.path.read_text().replace("range(5)", "range(6)"))
    assert _ran(build(tiny_project, profile)) == ["02_beta"]
    assert "total 15" in _page(tiny_project, "02_beta")


def test_changed_data_reruns_only_the_lesson_that_read_it(tiny_project, data_dir):
    profile = load_profile(tiny_project.root / "tiny.toml")
    build(tiny_project, profile, mkdocs=False)
    write_mnist(data_dir, seed=1)
    assert _ran(build(tiny_project, profile, mkdocs=False)) == ["01_alpha"]


def test_failure_keeps_other_lessons_cached_and_the_old_site(tiny_project):
    profile = load_profile(tiny_project.root / "tiny.toml")
    build(tiny_project, profile)
    before = _page(tiny_project, "02_beta")
    alpha, beta = tiny_project.lesson("01"), tiny_project.lesson("02")
    broken = "\n# %%\nraise ValueError('broken on purpose')\n"
    alpha.path.write_text(alpha.path.read_text() + broken)
    beta.path.write_text(beta.path.read_text().replace("range(5)", "range(7)"))
    with pytest.raises(BuildFailed) as caught:
        build(tiny_project, profile)
    message = str(caught.value)
    assert "01_alpha" in message and "broken on purpose" in message and "code cell 4" in message
    assert _page(tiny_project, "02_beta") == before  # site untouched by a failed build
    alpha.path.write_text(alpha.path.read_text().replace("raise ValueError", "print"))
    assert _ran(build(tiny_project, profile)) == ["01_alpha"]  # 02 was cached despite 01
    assert "total 21" in _page(tiny_project, "02_beta")


def test_merge_refuses_outputs_that_do_not_belong(tiny_project):
    lesson = tiny_project.lesson("02")
    current = lesson.read()
    executed = lesson.read()
    with pytest.raises(site.SiteError, match="no recorded execution"):
        site.merge_outputs(lesson, current, executed)
    executed.cells[1].source = "something else"
    with pytest.raises(site.SiteError, match="does not match"):
        site.merge_outputs(lesson, lesson.read(), executed)


def test_mkdocs_failure_keeps_the_previous_site(tiny_project):
    profile = load_profile(tiny_project.root / "tiny.toml")
    build(tiny_project, profile)
    index = tiny_project.docs_dir / "index.md"
    index.write_text(index.read_text() + "\n[broken](missing-page.md)\n")
    with pytest.raises(site.SiteError, match="missing-page.md"):
        build(tiny_project, profile)
    assert (tiny_project.site_dir / "index.html").exists()


def test_downloaded_notebook_is_valid_and_executed(tiny_project):
    build(tiny_project, load_profile(tiny_project.root / "tiny.toml"), mkdocs=False)
    notebook = nbformat.read(tiny_project.docs_dir / "downloads" / "01_alpha.ipynb", 4)
    nbformat.validate(notebook)
    code = [c for c in notebook.cells if c.cell_type == "code"]
    assert all(c.execution_count for c in code)
    assert notebook.metadata["kernelspec"]["name"] == "python3"
