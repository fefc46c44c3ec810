"""A tiny course built end to end: cache hits, prose-only edits, failures, the site's pages."""

from __future__ import annotations

import json
import subprocess
import sys

import nbformat
import pytest

from convlab.publish import site
from convlab.publish.pipeline import BuildFailed, build
from convlab.publish.profile import load_profile
from convlab.publish.project import Project
from convlab.publish.reasons import Why
from tests.conftest import write_mnist


def _ran(outcomes):
    return [o.lesson.name for o in outcomes if not o.from_cache]


def _page(project: Project, slug: str) -> str:
    # the site is built without directory URLs (Material's offline plugin): lessons/<slug>.html
    return (project.site_dir / "lessons" / f"{slug}.html").read_text()


def test_build_rebuild_and_edits(tiny_project):
    profile = load_profile(tiny_project.root / "tiny.toml")

    assert _ran(build(tiny_project, profile)) == ["01_alpha", "02_beta"]
    page = _page(tiny_project, "alpha")
    assert "How this page was built" in page and "executed in this build" in page
    assert "steps 3" in page and "MNIST (local copy of mnist.npz)" in page
    assert "A share of 10% after 3 steps." in page, "placeholders filled from the run"
    assert "{{" not in page
    assert "tiny test profile" in page and "steps = 3" in page
    assert str(tiny_project.root.parent) not in page, "no build machine path on a page"
    home = (tiny_project.site_dir / "index.html").read_text()
    assert "The first tiny lesson." in home and 'href="lessons/alpha.html"' in home
    downloads = tiny_project.site_dir / "downloads"
    assert {p.name for p in downloads.iterdir()} == {
        "01_alpha.py", "01_alpha.ipynb", "02_beta.py", "02_beta.ipynb"}
    assert "colab.research.google.com/github/convlab/convlab/blob/gh-pages/downloads/" in page

    assert _ran(build(tiny_project, profile)) == []
    assert "reused from the execution cache" in _page(tiny_project, "alpha")

    alpha = tiny_project.lesson("01")
    alpha.path.write_text(alpha.path.read_text().replace("first tiny lesson", "edited prose"))
    assert _ran(build(tiny_project, profile)) == []
    page = _page(tiny_project, "alpha")
    assert "edited prose" in page and "steps 3" in page  # new prose, cached outputs

    beta = tiny_project.lesson("02")
    beta.path.write_text(beta.path.read_text().replace("range(5)", "range(6)"))
    assert _ran(build(tiny_project, profile)) == ["02_beta"]
    assert "total 15" in _page(tiny_project, "beta")


def test_changed_data_reruns_only_the_lesson_that_read_it(tiny_project, data_dir):
    profile = load_profile(tiny_project.root / "tiny.toml")
    build(tiny_project, profile, mkdocs=False)
    write_mnist(data_dir, seed=1)
    assert _ran(build(tiny_project, profile, mkdocs=False)) == ["01_alpha"]


FULL_TINY = 'description = "tiny full profile"\nbudget_s = 60\n'


def _full_runs(project: Project):
    """Store full runs of the tiny lessons (what `convlab build --profile full` does)."""
    (project.root / "full.toml").write_text(FULL_TINY)
    return build(project, load_profile(project.root / "full.toml"), mkdocs=False)


def test_the_default_build_shows_stored_full_runs_and_executes_only_what_they_lack(
        tiny_project):
    assert _ran(_full_runs(tiny_project)) == ["01_alpha", "02_beta"]
    assert (tiny_project.root / "runs" / "full" / "alpha" / "manifest.json").is_file()
    tiny = load_profile(tiny_project.root / "tiny.toml")
    outcomes = build(tiny_project, tiny)
    assert _ran(outcomes) == [] and [o.source for o in outcomes] == ["store", "store"]
    page = _page(tiny_project, "alpha")
    assert "steps 10" in page, "the full run's own value, not the tiny profile's 3"
    assert "a full run from the course's store of runs" in page

    beta = tiny_project.lesson("02")
    beta.path.write_text(beta.path.read_text().replace("range(5)", "range(6)"))
    outcomes = build(tiny_project, tiny)
    assert [o.source for o in outcomes] == ["store", "executed"]
    assert outcomes[1].store_reason.why is Why.CODE and outcomes[1].profile.name == "tiny"
    assert "total 15" in _page(tiny_project, "beta")
    assert "executed in this build" in _page(tiny_project, "beta")
    results = (tiny_project.site_dir / "results.json").read_text()
    assert '"source": "store"' in results and '"source": "executed"' in results


def test_force_executes_every_lesson_whatever_the_store_and_the_cache_hold(tiny_project):
    """`convlab build --force` (the quick profile too) re-executes, as its help says."""
    _full_runs(tiny_project)
    tiny = load_profile(tiny_project.root / "tiny.toml")
    stored = (tiny_project.root / "runs" / "full" / "alpha" / "manifest.json").read_text()
    outcomes = build(tiny_project, tiny, force=True, mkdocs=False)
    assert _ran(outcomes) == ["01_alpha", "02_beta"]
    assert {o.reason.why for o in outcomes} == {Why.FORCED}
    assert all(o.profile.name == "tiny" for o in outcomes)
    assert "steps 3" in nbformat.writes(outcomes[0].entry.notebook()), "the tiny profile's run"
    assert (tiny_project.root / "runs" / "full" / "alpha" / "manifest.json").read_text() == \
        stored, "a quick run never replaces a stored full run"
    assert _ran(build(tiny_project, tiny, force=True, mkdocs=False)) == ["01_alpha", "02_beta"]
    assert _ran(build(tiny_project, tiny, mkdocs=False)) == [], "without --force: the store"


NO_OP_BUILD = """
import json, subprocess, sys
from pathlib import Path

started = []
real = subprocess.Popen.__init__


def spy(self, args, *rest, **options):
    started.append([str(a) for a in (args if isinstance(args, list | tuple) else [args])])
    real(self, args, *rest, **options)


subprocess.Popen.__init__ = spy
from convlab.publish.pipeline import build
from convlab.publish.profile import load_profile
from convlab.publish.project import Project

project = Project(Path.cwd())
outcomes = build(project, load_profile(project.root / "tiny.toml"), mkdocs=False)
print(json.dumps({"ran": [o.lesson.name for o in outcomes if not o.from_cache],
                  "tensorflow": "tensorflow" in sys.modules,
                  "pythons": [a for a in started if a[0] == sys.executable]}))
"""


def test_a_no_op_build_from_the_store_starts_no_tensorflow(tiny_project):
    """Describing the machine needs TensorFlow; a build that executes nothing never asks."""
    _full_runs(tiny_project)
    done = subprocess.run([sys.executable, "-c", NO_OP_BUILD], cwd=tiny_project.root,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.splitlines()[-1]) == {"ran": [], "tensorflow": False,
                                                        "pythons": []}


def test_a_corrupt_store_entry_is_named_and_never_rendered(tiny_project):
    _full_runs(tiny_project)
    manifest = tiny_project.root / "runs" / "full" / "alpha" / "manifest.json"
    manifest.write_text(manifest.read_text().replace('"value": 0.1', '"value": 0.9'))
    outcomes = build(tiny_project, load_profile(tiny_project.root / "tiny.toml"), mkdocs=False)
    assert outcomes[0].source == "executed" and outcomes[0].store_reason.why is Why.CORRUPT
    assert "01_alpha" in str(outcomes[0].store_reason)
    assert "edited or damaged" in str(outcomes[0].store_reason)
    assert outcomes[1].source == "store"


def test_publishing_refuses_pages_that_are_not_current_full_runs(tiny_project, monkeypatch):
    from convlab.publish import pipeline

    monkeypatch.setattr(pipeline.repository, "check_publishable", lambda project: "ok")
    _full_runs(tiny_project)
    beta = tiny_project.lesson("02")
    beta.path.write_text(beta.path.read_text().replace("range(5)", "range(6)"))
    tiny = load_profile(tiny_project.root / "tiny.toml")
    with pytest.raises(pipeline.PublishRefused, match=r"02_beta \(its code changed\)") as err:
        build(tiny_project, tiny, publish=True, mkdocs=False)
    assert "01_alpha" not in str(err.value)
    assert _ran(build(tiny_project, load_profile(tiny_project.root / "full.toml"), publish=True,
                      mkdocs=False)) == ["02_beta"], "the full profile refreshes what is stale"
    assert _ran(build(tiny_project, tiny, publish=True, mkdocs=False)) == []


@pytest.mark.parametrize("broken", [
    ("steps = 10", "steps = = 10"),  # an unparsable parameters cell
    ('tags=["parameters"]', ""),     # the profile sets steps, but no cell is tagged
])
def test_a_broken_lesson_fails_with_its_name_not_a_traceback(tiny_project, broken):
    alpha = tiny_project.lesson("01")
    alpha.path.write_text(alpha.path.read_text().replace(*broken))
    with pytest.raises(BuildFailed) as caught:
        build(tiny_project, load_profile(tiny_project.root / "tiny.toml"), mkdocs=False)
    assert "1 lesson(s) failed: 01_alpha" in str(caught.value)
    assert "Traceback" not in str(caught.value)


def test_failure_keeps_other_lessons_cached_and_the_old_site(tiny_project):
    profile = load_profile(tiny_project.root / "tiny.toml")
    build(tiny_project, profile)
    before = _page(tiny_project, "beta")
    alpha, beta = tiny_project.lesson("01"), tiny_project.lesson("02")
    broken = "\n# %%\nraise ValueError('broken on purpose')\n"
    alpha.path.write_text(alpha.path.read_text() + broken)
    beta.path.write_text(beta.path.read_text().replace("range(5)", "range(7)"))
    with pytest.raises(BuildFailed) as caught:
        build(tiny_project, profile)
    message = str(caught.value)
    assert "01_alpha" in message and "broken on purpose" in message
    assert "code cell 6 of 6" in message
    assert _page(tiny_project, "beta") == before  # site untouched by a failed build
    alpha.path.write_text(alpha.path.read_text().replace("raise ValueError", "print"))
    assert _ran(build(tiny_project, profile)) == ["01_alpha"]  # 02 was cached despite 01
    assert "total 21" in _page(tiny_project, "beta")


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
    install, *code, compare = [c for c in notebook.cells if c.cell_type == "code"]
    assert "convlab-install" in install.metadata.tags and install.execution_count is None
    assert [c.execution_count for c in code] == list(range(1, len(code) + 1))
    assert "convlab-compare" in compare.metadata.tags and compare.execution_count is None
    assert notebook.metadata["kernelspec"]["name"] == "python3"


def test_a_broken_expectation_fails_the_build_and_is_not_cached(tiny_project):
    profile = load_profile(tiny_project.root / "tiny.toml")
    alpha = tiny_project.lesson("01")
    alpha.path.write_text(alpha.path.read_text().replace("between(0.05, 0.15)",
                                                         "between(0.5, 0.9)"))
    with pytest.raises(BuildFailed) as caught:
        build(tiny_project, profile, mkdocs=False)
    message = str(caught.value)
    assert "01_alpha" in message and "share_of_zeros is 0.1, but" in message
    assert "must be between 0.5 and 0.9" in message and "tiny profile" in message
    assert not list(tiny_project.cache_dir.glob("tiny/01_alpha/*"))


def test_an_expectation_of_an_unknown_result_fails(tiny_project):
    alpha = tiny_project.lesson("01")
    alpha.path.write_text(alpha.path.read_text().replace('expect("share_of_zeros")',
                                                         'expect("share_of_zeroes")'))
    with pytest.raises(BuildFailed, match=r"no result named 'share_of_zeroes'.*share_of_zeros"):
        build(tiny_project, load_profile(tiny_project.root / "tiny.toml"), mkdocs=False)


def test_expectations_of_other_profiles_are_skipped(tiny_project):
    alpha = tiny_project.lesson("01")
    alpha.path.write_text(alpha.path.read_text().replace(
        "between(0.05, 0.15)", 'between(0.05, 0.15)\nexpect("share_of_zeros").at_least(0.9, '
        'profile="full")'))
    [outcome, _] = build(tiny_project, load_profile(tiny_project.root / "tiny.toml"),
                         mkdocs=False)
    statuses = [e["status"] for e in outcome.entry.meta["expectations"]]
    assert statuses == ["passed", "skipped"]
    page = nbformat.read(tiny_project.docs_dir / "lessons" / "alpha.ipynb", 4)
    assert "1 expectation(s) checked and met under this profile, 1 for other profiles skipped" \
        in page.cells[1].source


def test_download_installs_the_building_commit_and_links_the_published_site(tiny_project):
    alpha = tiny_project.lesson("01")
    alpha.path.write_text(alpha.path.read_text().replace(
        "The first tiny lesson.", "The first tiny lesson, before [beta](../beta/)."))
    build(tiny_project, load_profile(tiny_project.root / "tiny.toml"), mkdocs=False)
    download = nbformat.read(tiny_project.docs_dir / "downloads" / "01_alpha.ipynb", 4)
    install = download.cells[0].source
    assert "git+https://github.com/convlab/convlab" in install
    text = "\n".join(c.source for c in download.cells)
    assert "](https://convlab.github.io/convlab/lessons/beta.html)" in text
    page = nbformat.read(tiny_project.docs_dir / "lessons" / "alpha.ipynb", 4)
    assert "convlab-install" not in str(page) and "](../beta/)" in page.cells[0].source
    script = (tiny_project.docs_dir / "downloads" / "01_alpha.py").read_text()
    assert "# %%" in script and "git+https://github.com/convlab/convlab" in script


def test_renaming_a_lesson_needs_no_other_edit(tiny_project):
    profile = load_profile(tiny_project.root / "tiny.toml")
    build(tiny_project, profile)
    alpha = tiny_project.lesson("01")
    alpha.path.rename(alpha.path.with_name("03_alpha.py"))
    outcomes = build(tiny_project, profile)
    assert [o.lesson.name for o in outcomes] == ["02_beta", "03_alpha"]
    assert "steps 3" in _page(tiny_project, "alpha"), "the profile still applies by slug"
    nav = (tiny_project.site_dir / "index.html").read_text()
    assert nav.index("Beta") < nav.index("Alpha")


def test_publishing_refuses_the_placeholder_repository(tiny_project, capsys):
    from convlab.publish.cli import main

    assert main(["build", "--publish", "--profile", "tiny.toml"]) == 2
    err = capsys.readouterr().err
    assert "refusing to publish" in err and "repo_url" in err and "mkdocs.yml" in err
    assert not tiny_project.site_dir.exists() and not tiny_project.cache_dir.exists()
    config = tiny_project.mkdocs_yml
    config.write_text(config.read_text().replace("github.com/convlab/convlab",
                                                 "github.com/someone/course"))
    assert main(["build", "--publish", "--profile", "tiny.toml"]) == 2
    assert "clean git checkout" in capsys.readouterr().err
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@t"]
    subprocess.run([*git, "init", "-q"], cwd=tiny_project.root, check=True)
    (tiny_project.root / ".gitignore").write_text(".convlab_cache/\ndocs/lessons/\n"
                                                  "docs/downloads/\nsite/\ndocs/results*\n")
    subprocess.run([*git, "add", "."], cwd=tiny_project.root, check=True)
    subprocess.run([*git, "commit", "-qm", "course"], cwd=tiny_project.root, check=True)
    sha = subprocess.run(["git", "rev-parse", "HEAD"], cwd=tiny_project.root, check=True,
                         capture_output=True, text=True).stdout.strip()
    assert main(["build", "--publish", "--profile", "tiny.toml", "--no-mkdocs"]) == 2
    assert "only current full runs" in capsys.readouterr().err
    (tiny_project.root / "full.toml").write_text(FULL_TINY)
    assert main(["build", "--publish", "--profile", "full.toml", "--no-mkdocs"]) == 0
    notebook = nbformat.read(tiny_project.docs_dir / "downloads" / "01_alpha.ipynb", 4)
    install = notebook.cells[0].source
    assert f'"convlab @ git+https://github.com/someone/course@{sha}"' in install
    assert f"commit {sha[:10]}" in install, "says which commit, in one line"
    page = nbformat.read(tiny_project.docs_dir / "lessons" / "alpha.ipynb", 4)
    assert sha[:7] in page.cells[1].source, "the provenance box shows the same commit"


def test_install_cell_warns_once_when_the_installed_convlab_differs(tmp_path):
    cell = site.install_cell("https://github.com/someone/course", "a" * 40).source
    done = subprocess.run([sys.executable, "-c", cell], capture_output=True, text=True,
                          cwd=tmp_path, check=True)
    assert done.stdout.count("Note:") == 1
    assert "built with convlab aaaaaaaaaa" in done.stdout and "a local copy" in done.stdout


def test_lesson_pages_link_the_convlab_functions_they_use_to_the_reference(tiny_project):
    import shutil

    from tests.conftest import REPO

    shutil.copy(REPO / "docs" / "reference.md", tiny_project.docs_dir / "reference.md")
    build(tiny_project, load_profile(tiny_project.root / "tiny.toml"))  # link check included
    page = _page(tiny_project, "alpha")
    for name in ("convlab.data.load", "convlab.report.compare", "convlab.expectations.expect"):
        assert f'href="../reference.html#{name}"' in page
    reference = (tiny_project.site_dir / "reference.html").read_text()
    assert 'id="convlab.data.load"' in reference
