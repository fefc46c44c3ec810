"""Entries of the store and the cache: verified reads, staleness with reasons, atomic writes."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import nbformat
import pytest

from convlab import machine
from convlab.data import fingerprint
from convlab.publish import codegraph, freshness
from convlab.publish import store as store_module
from convlab.publish.profile import load_profile
from convlab.publish.reasons import Reason, Why
from convlab.publish.store import CorruptEntry, RunStore
from tests.conftest import write_mnist


def _notebook(text: str = "print(1)") -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell(text, execution_count=1)
    return nbformat.v4.new_notebook(cells=[cell])


def _cells(lesson) -> list[str]:
    return [c.source for c in lesson.read().cells if c.cell_type == "code"]


def _manifest(lesson, profile, **fields) -> dict:
    """A manifest as a run of ``lesson`` on this machine, with nothing imported, would write."""
    return {"schema": freshness.SCHEMA, "lesson": lesson.name, "profile": profile.name,
            "profile_values": profile.overrides(lesson.slug), "code": lesson.code_digest(),
            "convlab": codegraph.closure(_cells(lesson), []).units, "files": [],
            "packages": {"python": freshness._version("python")},
            "convlab_modules": [], "data": [], "hardware": "a test machine",
            "machine": machine.identity(), "used_gpu": False, "hardware_dependent": False,
            **fields}


@pytest.fixture
def alpha(tiny_project):
    return tiny_project.lesson("01")


@pytest.fixture
def tiny(tiny_project):
    return load_profile(tiny_project.root / "tiny.toml")


def _cache(tmp_path, strict=True):
    return RunStore(tmp_path / "entries", strict=strict, name="the test store")


def test_an_entry_holds_until_its_code_or_profile_changes(tiny_project, alpha, tiny, tmp_path):
    store = _cache(tmp_path)
    assert store.lookup(alpha, tiny, tiny_project.root).reason.text == "not in the test store"
    store.write(alpha, _notebook(), _manifest(alpha, tiny))
    found = store.lookup(alpha, tiny, tiny_project.root)
    assert found.entry is not None and found.entry.notebook().cells[0].source == "print(1)"
    alpha.path.write_text(alpha.path.read_text().replace("first tiny lesson", "prose only"))
    assert store.lookup(alpha, tiny, tiny_project.root).entry is not None
    alpha.path.write_text(alpha.path.read_text().replace('"steps"', '"step count"'))
    assert store.lookup(alpha, tiny, tiny_project.root).reason.why is Why.CODE
    store.write(alpha, _notebook(), _manifest(alpha, tiny))
    other = tiny_project.root / "other.toml"
    other.write_text((tiny_project.root / "tiny.toml").read_text().replace("steps = 3",
                                                                           "steps = 4"))
    renamed = load_profile(other)
    assert "holds a run of the tiny profile" in store.lookup(alpha, renamed,
                                                             tiny_project.root).reason.text


@pytest.mark.parametrize("damage", ["edit manifest", "edit notebook", "drop notebook",
                                    "truncate manifest"])
def test_a_damaged_entry_is_named_and_treated_as_missing(tiny_project, alpha, tiny, tmp_path,
                                                          damage):
    store = _cache(tmp_path)
    entry = store.write(alpha, _notebook(), _manifest(alpha, tiny, results=[{"value": 0.5}]))
    manifest, notebook = entry.path / "manifest.json", entry.path / "notebook.ipynb"
    if damage == "edit manifest":  # a hand-edited accuracy
        manifest.write_text(manifest.read_text().replace('"value": 0.5', '"value": 0.9'))
    elif damage == "edit notebook":
        notebook.write_text(notebook.read_text().replace("print(1)", "print(2)"))
    elif damage == "drop notebook":
        notebook.unlink()
    else:
        manifest.write_text(manifest.read_text()[:40])
    with pytest.raises(CorruptEntry, match="01_alpha"):
        store.read(alpha)
    found = store.lookup(alpha, tiny, tiny_project.root)
    assert found.entry is None and found.reason.why is Why.CORRUPT
    assert "01_alpha" in found.reason.text and "treated as missing" in found.reason.text


def test_strict_and_lenient_judge_another_environment(tiny_project, alpha, tiny, tmp_path,
                                                      monkeypatch):
    strict, lenient = _cache(tmp_path / "s"), _cache(tmp_path / "l", strict=False)
    numpy = freshness._version("numpy")
    for store in (strict, lenient):
        store.write(alpha, _notebook(), _manifest(alpha, tiny, packages={"numpy": numpy}))
    real = freshness._version
    monkeypatch.setattr(freshness, "_version",
                        lambda d: "99.0" if d == "numpy" else real(d))
    assert strict.lookup(alpha, tiny, tiny_project.root).reason == Reason(
        Why.PACKAGE, f"numpy {numpy} in the run, 99.0 here", "numpy")
    found = lenient.lookup(alpha, tiny, tiny_project.root)
    assert found.entry is not None and [str(d) for d in found.differences] == [
        f"numpy {numpy} in the run, 99.0 here"]


def test_only_a_hardware_dependent_run_is_stale_on_another_machine(tiny_project, alpha, tiny,
                                                                   tmp_path):
    store = _cache(tmp_path)
    elsewhere = {"hardware": "A Faster GPU", "machine": "Some CPU, 64 cores, A Faster GPU"}
    store.write(alpha, _notebook(), _manifest(alpha, tiny, **elsewhere))
    found = store.lookup(alpha, tiny, tiny_project.root)
    assert found.entry is not None, "a training run stays valid on another machine"
    store.write(alpha, _notebook(), _manifest(alpha, tiny, hardware_dependent=True, **elsewhere))
    reason = store.lookup(alpha, tiny, tiny_project.root).reason
    assert reason.why is Why.MACHINE
    assert reason.text.startswith("its results depend on the machine") and "A Faster GPU" in \
        reason.text
    lenient = _cache(tmp_path / "l", strict=False)
    lenient.write(alpha, _notebook(), _manifest(alpha, tiny, hardware_dependent=True,
                                                **elsewhere))
    found = lenient.lookup(alpha, tiny, tiny_project.root)
    assert found.entry is not None and "made on A Faster GPU" in found.differences[0].text


def test_changed_data_and_another_data_folder_are_seen(tiny_project, alpha, tiny, tmp_path,
                                                       data_dir, monkeypatch):
    store = _cache(tmp_path)
    mnist = data_dir / "mnist.npz"
    source = {"dataset": "mnist", "location": str(mnist), "fingerprint": fingerprint(mnist)}
    store.write(alpha, _notebook(), _manifest(alpha, tiny, data=[source]))
    assert store.lookup(alpha, tiny, tiny_project.root).entry is not None
    write_mnist(data_dir, seed=1)
    assert store.lookup(alpha, tiny, tiny_project.root).reason.text == \
        f"the mnist data in {mnist} changed"
    write_mnist(data_dir, seed=0)
    other = write_mnist(tmp_path / "elsewhere").parent
    monkeypatch.setenv("CONVLAB_DATA_DIR", str(other))
    reason = store.lookup(alpha, tiny, tiny_project.root).reason
    assert reason.why is Why.DATA
    assert "would now come from" in reason.text and "elsewhere" in reason.text


def test_a_stopped_write_keeps_the_old_entry_and_leaves_no_debris(tiny_project, alpha, tiny,
                                                                  tmp_path, monkeypatch):
    store = _cache(tmp_path)
    store.write(alpha, _notebook(), _manifest(alpha, tiny))
    renames = []

    def stop_at_second_rename(src, dst):
        renames.append(src)
        if len(renames) == 2:
            raise KeyboardInterrupt  # Ctrl-C between moving the old entry aside and the new in
        os.replace(src, dst)

    monkeypatch.setattr(store_module.os, "rename", stop_at_second_rename)
    with pytest.raises(KeyboardInterrupt):
        store.write(alpha, _notebook("print(2)"), _manifest(alpha, tiny))
    monkeypatch.undo()
    assert store.read(alpha).notebook().cells[0].source == "print(1)"
    assert [p.name for p in store.root.iterdir()] == ["alpha"]


def test_debris_of_killed_builds_is_swept_and_a_moved_entry_restored(tmp_path):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    root = tmp_path / "entries"
    (root / f".tmp-{dead.pid}-abcd").mkdir(parents=True)
    (root / f".old-{dead.pid}-abcd-alpha").mkdir()  # killed between its two renames
    (root / f".tmp-{os.getpid()}-live").mkdir()  # a build still running: kept
    store = RunStore(root, strict=True, name="x")
    store.sweep()
    assert sorted(p.name for p in root.iterdir()) == [f".tmp-{os.getpid()}-live", "alpha"]


def test_reading_deletes_nothing_and_clear_deletes_all(tiny_project, alpha, tiny, tmp_path):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    store = _cache(tmp_path)
    store.write(alpha, _notebook(), _manifest(alpha, tiny))
    debris = store.root / f".tmp-{dead.pid}-abcd"
    debris.mkdir()
    store.lookup(alpha, tiny, tiny_project.root)
    store.entries()
    assert debris.exists(), "only a build sweeps; convlab list and results only read"
    assert store.clear() == 1 and not store.root.exists()


def test_a_manifest_is_plain_reviewable_json(tiny_project, alpha, tiny, tmp_path):
    entry = _cache(tmp_path).write(alpha, _notebook(), _manifest(alpha, tiny))
    text = (entry.path / "manifest.json").read_text()
    assert json.loads(text)["lesson"] == "01_alpha" and text.count("\n") > 10
