"""What the publish and refresh workflows run, on the tiny project: the store listed as JSON (and
the publish job's refusal), the refresh plan's order, one lesson refreshed, entries made in two
clones merged, and merges refused."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from convlab.publish import pipeline, refresh
from convlab.publish.cli import main
from convlab.publish.profile import load_profile
from convlab.publish.project import Project
from convlab.publish.refresh import EntryState, PlanError, plan
from convlab.publish.store import RunStore

FULL_TINY = 'description = "tiny full profile"\nbudget_s = 60\n'

GAMMA = '''\
# %% [markdown]
# # Gamma
#
# The third tiny lesson sets its result beside alpha's stored run.

# %%
from convlab.runs import stored_lesson_run
earlier = stored_lesson_run("alpha")
print("alpha's stored results", earlier and earlier["results"])
'''


def _listing(capsys, *args: str) -> dict:
    capsys.readouterr()
    assert main(["list", "--json", *args]) == 0
    return json.loads(capsys.readouterr().out)


def _edit(project: Project, ref: str, old: str, new: str) -> None:
    lesson = project.lesson(ref)
    lesson.path.write_text(lesson.path.read_text().replace(old, new))


def _git(root: Path, *args: str) -> None:
    command = ["git", "-c", "user.name=t", "-c", "user.email=t@t", *args]
    subprocess.run(command, cwd=root, check=True, capture_output=True)


def _convlab(root: Path, *args: str) -> subprocess.CompletedProcess:
    """The command as a workflow step runs it, in the checkout ``root``."""
    return subprocess.run([sys.executable, "-m", "convlab", *args], cwd=root, text=True,
                          capture_output=True, env={**os.environ, "COLUMNS": "200"})


@pytest.fixture
def course(tiny_project: Project) -> Project:
    """The tiny project as a git repository, with a full profile of its own (the packaged one
    names the real lessons) and a third lesson that reads alpha's stored run."""
    (tiny_project.root / "lessons" / "03_gamma.py").write_text(GAMMA)
    (tiny_project.root / "full.toml").write_text(FULL_TINY)
    (tiny_project.root / ".gitignore").write_text(".convlab_cache/\ndocs/lessons/\n"
                                                  "docs/downloads/\nsite/\ndocs/results*\n")
    _git(tiny_project.root, "init", "-q")
    _git(tiny_project.root, "add", ".")
    _git(tiny_project.root, "commit", "-qm", "course")
    return tiny_project


def _clone(course: Project, name: str) -> Path:
    target = course.root.parent / name
    subprocess.run(["git", "clone", "-q", str(course.root), str(target)], check=True)
    return target


# The listing and its plan


def test_listing_names_two_stale_entries_and_plans_their_refresh(course, capsys,
                                                                 monkeypatch):
    assert main(["build", "--profile", "full.toml", "--no-mkdocs"]) == 0
    data = _listing(capsys)
    assert data["schema"] == refresh.LISTING_SCHEMA and data["current"] == 3
    assert data["stale"] == [] and data["refresh"]["lessons"] == []
    gamma = data["lessons"][2]
    assert gamma["lesson"] == "03_gamma" and gamma["reads"] == ["alpha"], \
        "the manifest records whose stored run a lesson read"
    assert data["cpu_made"] == ["alpha", "beta", "gamma"], "no used_gpu field: made on a CPU"
    assert not any(lesson["used_gpu"] for lesson in data["lessons"])

    _edit(course, "02", "range(5)", "range(6)")
    _edit(course, "03", "alpha's stored results", "alpha's results")
    data = _listing(capsys)
    assert data["stale"] == ["beta", "gamma"] and data["current"] == 1
    states = {lesson["slug"]: lesson for lesson in data["lessons"]}
    assert states["beta"]["state"] == "stale" and states["beta"]["reason"] == "its code changed"
    assert states["beta"]["why"] == "code"
    assert states["alpha"]["state"] == "current" and states["alpha"]["why"] == "current"
    assert data["refresh"]["lessons"] == ["beta", "gamma"]
    assert data["refresh"]["waves"] == [["beta", "gamma"]], "neither reads the other's run"
    assert data["refresh"]["why"]["beta"] == "stale: its code changed"
    assert main(["list", "--json", "--check-store"]) == 1

    # what the publish job says about them
    monkeypatch.setattr(pipeline.repository, "check_publishable", lambda project: "ok")
    with pytest.raises(pipeline.PublishRefused) as refused:
        pipeline.build(course, load_profile(course.root / "tiny.toml"), publish=True,
                       mkdocs=False)
    message = str(refused.value)
    assert "2 lesson(s) have none in runs/full/: 02_beta (its code changed); 03_gamma (its " \
        "code changed)" in message
    assert "run the GitHub workflow 'refresh'" in message
    assert "`convlab run 02_beta --profile full`; `convlab run 03_gamma --profile full`" in \
        message and "01_alpha" not in message

    everything = _listing(capsys, "--include-cpu-runs")["refresh"]
    assert everything["waves"] == [["alpha", "beta"], ["gamma"]], "gamma reads alpha's new run"
    assert everything["why"]["alpha"].startswith("made on a CPU")
    asked = _listing(capsys, "--lesson", "01")["refresh"]
    assert asked["lessons"] == ["alpha", "gamma"] and asked["waves"] == [["alpha"], ["gamma"]]
    assert asked["why"]["gamma"] == "reads 01_alpha's stored run, which is refreshed"
    assert main(["list", "--json", "--lesson", "07"]) == 2
    assert "no lesson '07'" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["list", "--lesson", "01"])
    assert "add --json" in capsys.readouterr().err


def _state(slug: str, state: str = "current", reads: list[str] | None = None,
           used_gpu: bool = True) -> EntryState:
    return {"lesson": f"0_{slug}", "slug": slug, "state": state, "reason": "r",
            "used_gpu": used_gpu, "hardware": "h", "reads": reads}


def test_a_plan_runs_readers_after_the_runs_they_read():
    states = [_state("a", "stale", []), _state("b", reads=["a"]), _state("c", reads=["b"]),
              _state("d", reads=[]), _state("e", "missing")]
    refreshed = plan(states)
    assert refreshed["lessons"] == ["a", "b", "c", "e"]
    # e has no manifest, so what it reads is unknown: it runs after every lesson it might read
    assert refreshed["waves"] == [["a"], ["b"], ["c"], ["e"]]
    assert refreshed["why"]["c"] == "reads 0_b's stored run, which is refreshed"
    assert plan(states, only=["d"])["waves"] == [["d"]]
    cpu_made = [_state("a"), _state("b", used_gpu=False)]
    assert plan(cpu_made)["waves"] == [] and \
        plan(cpu_made, include_cpu_runs=True)["waves"] == [["b"]]
    with pytest.raises(PlanError, match="read each other's stored runs"):
        plan([_state("a", "stale", ["b"]), _state("b", reads=["a"])])


# Entries made in separate clones, merged


def test_entries_made_in_two_clones_are_merged(course, capsys, monkeypatch):
    first, second = _clone(course, "first"), _clone(course, "second")
    for clone, lesson in ((first, "alpha"), (second, "beta")):  # two matrix jobs
        done = _convlab(clone, "run", lesson, "--profile", "full.toml")
        assert done.returncode == 0, done.stderr
    monkeypatch.chdir(first)
    states = {lesson["slug"]: lesson["state"] for lesson in _listing(capsys)["lessons"]}
    assert states == {"alpha": "current", "beta": "missing", "gamma": "missing"}, \
        "one lesson refreshed on its own"
    monkeypatch.chdir(course.root)
    alpha, beta = first / "runs/full/alpha", second / "runs/full/beta"
    capsys.readouterr()
    assert main(["store", "merge", str(alpha), str(beta), str(alpha)]) == 0
    out = capsys.readouterr().out
    assert "merged 01_alpha" in out and "merged 02_beta" in out and "2 entries merged" in out
    for slug, source in (("alpha", alpha), ("beta", beta)):
        for name in ("manifest.json", "notebook.ipynb"):
            assert (course.root / "runs/full" / slug / name).read_bytes() == \
                (source / name).read_bytes(), "copied as made"
    data = _listing(capsys)
    assert data["stale"] == ["gamma"] and data["refresh"]["waves"] == [["gamma"]]
    assert not list((course.root / "runs/full").glob(".*")), "no scratch left behind"

    # gamma, refreshed after them (the next wave) reads the merged alpha; merging its entry
    # from a clone that has the merged alpha too keeps everything current
    third = _clone(course, "third")
    shutil.copytree(course.root / "runs/full", third / "runs/full")
    done = _convlab(third, "run", "gamma", "--profile", "full.toml")
    assert done.returncode == 0, done.stderr
    assert main(["store", "merge", str(third / "runs/full")]) == 0
    assert _listing(capsys)["stale"] == []

    # a new run of alpha alone: gamma read the old one, and the merge says so
    later = _another_run(alpha, course.root.parent / "later", executed_at="2027-01-01")
    assert main(["store", "merge", str(later)]) == 0
    out = capsys.readouterr().out
    assert "made stale by the merge: 03_gamma (manifest.json changed)" in out
    assert "convlab run 03_gamma --profile full" in out


def _another_run(entry: Path, into: Path, **changes: str) -> Path:
    """A copy of the run in ``entry`` as another intact run would be, with ``changes`` to its
    manifest (another date, a run of other code), written by the store itself."""
    store = RunStore(into, strict=False, name="another checkout's store")
    lesson = Project.find(entry).lesson(entry.name)
    original = RunStore(entry.parent, strict=False, name="the clone's store").read(lesson)
    keep = {k: v for k, v in original.meta.items() if k not in ("checksum", "notebook_sha256")}
    return store.write(lesson, original.notebook(), {**keep, **changes}).path


def test_a_refused_merge_names_the_problem_and_writes_nothing(course, capsys):
    clone = _clone(course, "first")
    done = _convlab(clone, "build", "--profile", "full.toml", "--no-mkdocs")
    assert done.returncode == 0, done.stderr
    alpha, beta = clone / "runs/full/alpha", clone / "runs/full/beta"
    elsewhere = course.root.parent / "elsewhere"
    store = course.root / "runs" / "full"

    def refused(*entries: Path) -> str:
        capsys.readouterr()
        assert main(["store", "merge", *map(str, entries)]) == 2
        assert not store.exists() or not list(store.iterdir()), "nothing written"
        return capsys.readouterr().err

    later = _another_run(alpha, elsewhere / "later", executed_at="2027-01-01 00:00 UTC")
    err = refused(alpha, later)
    assert "two different runs of 01_alpha" in err and "merge only the one to keep" in err
    other_code = _another_run(beta, elsewhere / "other", code="sha256:other")
    err = refused(alpha, other_code)
    assert "02_beta" in err and "would be stale here: its code changed" in err
    gamma = clone / "runs/full/gamma"
    err = refused(later.parent, gamma)
    assert "it read another run of 01_alpha than the one merged with it" in err
    notebook = beta / "notebook.ipynb"
    notebook.write_text(notebook.read_text().replace("total 10", "total 11"))
    err = refused(alpha, beta)
    assert "02_beta" in err and "edited or damaged" in err
    notebook.unlink()
    assert "incomplete" in refused(beta)
    err = refused(course.root / "lessons")
    assert "is not an entry of a store of full runs" in err


def test_a_stopped_merge_keeps_the_entry_it_was_replacing(course, monkeypatch):
    assert main(["run", "beta", "--profile", "full.toml"]) == 0
    entry = course.root / "runs/full/beta"
    before = (entry / "manifest.json").read_bytes()
    later = _another_run(entry, course.root.parent / "later", executed_at="2027-01-01")
    renames = []

    def stop_at_second_rename(src, dst):
        renames.append(src)
        if len(renames) == 2:
            raise KeyboardInterrupt  # Ctrl-C between moving the old entry aside and the new in
        os.replace(src, dst)

    monkeypatch.setattr(refresh.os, "rename", stop_at_second_rename)
    with pytest.raises(KeyboardInterrupt):
        refresh.merge(course, [later])
    monkeypatch.undo()
    assert (entry / "manifest.json").read_bytes() == before
    assert sorted(p.name for p in entry.parent.iterdir()) == ["beta"]
    refresh.merge(course, [later])
    assert "2027-01-01" in (entry / "manifest.json").read_text()


def test_the_module_re_runs_no_stored_lesson():
    """A class of the package defining an attribute is a possible target of any lesson code
    calling a method of that name on an object the analysis cannot trace, so each would count
    in the digest of such code: the store's every entry reading data would go stale."""
    from convlab.publish import codegraph

    index = codegraph._Package(codegraph.PACKAGE).attrs
    defined = {attr for attr, classes in index.items() if attr != codegraph.WHOLE
               and any(c.startswith("convlab.publish.refresh:") for c in classes)}
    assert defined == set()


# The refresh workflow's plan step, as the workflow file holds it


def _workflow_step(workflow: str, job: str, step_id: str) -> str:
    import yaml

    folder = Path(__file__).resolve().parents[1] / ".github" / "workflows"
    steps = yaml.safe_load((folder / workflow).read_text())["jobs"][job]["steps"]
    return next(step["run"] for step in steps if step.get("id") == step_id)


@pytest.mark.skipif(shutil.which("jq") is None, reason="GitHub's runners have jq; not here")
@pytest.mark.parametrize(("variable", "runner", "gpu"), [
    ("", '"ubuntu-latest"', "false"),
    ("gpu", '"gpu"', "true"),
    ('["self-hosted", "linux", "gpu"]', '["self-hosted","linux","gpu"]', "true"),
])
def test_the_refresh_workflow_plans_on_the_runner_its_variable_names(course, variable, runner,
                                                                      gpu):
    script = _workflow_step("refresh.yml", "plan", "plan")
    bin_dir = course.root / ".venv" / "bin"
    bin_dir.mkdir(parents=True)
    (bin_dir / "convlab").write_text(f'#!/bin/sh\nexec {sys.executable} -m convlab "$@"\n')
    (bin_dir / "convlab").chmod(0o755)
    outputs, summary = course.root / "outputs", course.root / "summary"
    env = {**os.environ, "GITHUB_OUTPUT": str(outputs), "GITHUB_STEP_SUMMARY": str(summary),
           "GPU_RUNNER": variable, "LESSONS": "02", "INCLUDE_CPU_RUNS": "true"}
    done = subprocess.run(["bash", "-eo", "pipefail", "-c", script], cwd=course.root, env=env,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    found = dict(line.split("=", 1) for line in outputs.read_text().splitlines())
    assert found["runner"] == runner and found["gpu"] == gpu
    assert found["timeout"] == ("180" if gpu == "true" else "360")
    assert (found["count"], found["wave1"], found["wave2"]) == ("1", '["beta"]', "[]")
    assert ("::warning title=No GPU runner::" in done.stdout) == (gpu == "false")
    assert "- beta: asked for" in summary.read_text()


# The release workflow's archives


def test_a_release_packs_the_site_and_the_manifests_with_checksums(course):
    pack = [str(Path(__file__).resolve().parents[1] / ".ci" / "pack-release"), "v1", "out"]
    done = subprocess.run(pack, cwd=course.root, capture_output=True, text=True)
    assert done.returncode == 1 and "no built site in site/" in done.stderr
    (course.root / "site" / "lessons").mkdir(parents=True)
    (course.root / "site" / "index.html").write_text("<h1>Tiny course</h1>")
    (course.root / "site" / "lessons" / "alpha.html").write_text("<h1>Alpha</h1>")
    (course.root / "runs" / "full" / "alpha").mkdir(parents=True)
    (course.root / "runs" / "full" / "alpha" / "manifest.json").write_text("{}\n")
    (course.root / "runs" / "full" / "alpha" / "notebook.ipynb").write_text("{}\n")
    subprocess.run(pack, cwd=course.root, check=True, capture_output=True)
    out = course.root / "out"
    assert sorted(p.name for p in out.iterdir()) == [
        "convlab-runs-v1.tar.gz", "convlab-runs-v1.tar.gz.sha256",
        "convlab-site-v1.tar.gz", "convlab-site-v1.tar.gz.sha256"]
    for name in ("convlab-site-v1.tar.gz", "convlab-runs-v1.tar.gz"):
        subprocess.run(["sha256sum", "-c", f"{name}.sha256"], cwd=out, check=True,
                       capture_output=True)
    listed = subprocess.run(["tar", "-tzf", "convlab-site-v1.tar.gz"], cwd=out, text=True,
                            check=True, capture_output=True).stdout.split()
    assert "convlab-site-v1/index.html" in listed and "convlab-site-v1/lessons/alpha.html" in \
        listed
    listed = subprocess.run(["tar", "-tzf", "convlab-runs-v1.tar.gz"], cwd=out, text=True,
                            check=True, capture_output=True).stdout.split()
    assert listed == ["runs/full/alpha/manifest.json"], "the manifests, not the notebooks"
    first = (out / "convlab-site-v1.tar.gz.sha256").read_text()
    os.utime(course.root / "site" / "index.html", (1_000_000_000, 1_000_000_000))
    subprocess.run(pack, cwd=course.root, check=True, capture_output=True)
    assert (out / "convlab-site-v1.tar.gz.sha256").read_text() == first, "reproducible"
