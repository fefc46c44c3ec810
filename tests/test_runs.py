"""Runs made earlier and kept: benchmark results, and another lesson's stored full run."""

from __future__ import annotations

import json
import shlex
import shutil
import sys
from pathlib import Path

import numpy as np
import pytest

from convlab import data, report, runs, settings
from convlab.runs import (
    benchmark_result,
    command_line,
    same_data,
    save_benchmark_result,
    stored_lesson_run,
)


def test_stored_run_reads_the_file_and_tells_the_build(tmp_path, monkeypatch):
    monkeypatch.setenv(settings.RUN_DIR_ENV, str(tmp_path))
    stored = tmp_path / "run.json"
    stored.write_text(json.dumps({"test_accuracy": 0.61}))
    assert benchmark_result(stored) == {"test_accuracy": 0.61}
    assert benchmark_result(tmp_path / "absent.json") is None
    events = report.read(tmp_path, "file")
    assert [Path(e["location"]).name for e in events] == ["run.json", "absent.json"]
    assert events[0]["fingerprint"].startswith("sha256:") and events[1]["fingerprint"] == ""


@pytest.mark.parametrize("text", ["{not json", "[1, 2]"])
def test_a_broken_stored_run_says_how_to_fix_it(tmp_path, text):
    stored = tmp_path / "run.json"
    stored.write_text(text)
    with pytest.raises(ValueError, match="make it again"):
        benchmark_result(stored)


def test_the_command_is_the_one_that_ran(tmp_path, monkeypatch):
    venv_python = tmp_path / ".venv" / "bin" / "python"
    monkeypatch.setattr(sys, "executable", str(venv_python))
    monkeypatch.setattr(sys, "argv", ["benchmarks/seeds.py", "--json", "out dir/run.json"])
    monkeypatch.setenv("CONVLAB_OFFLINE", "1")
    monkeypatch.delenv("CONVLAB_DATA_DIR", raising=False)
    monkeypatch.delenv("KERAS_HOME", raising=False)
    monkeypatch.delenv("CUDA_VISIBLE_DEVICES", raising=False)
    line = command_line(tmp_path)
    assert line == ("CONVLAB_OFFLINE=1 .venv/bin/python benchmarks/seeds.py "
                    "--json 'out dir/run.json'")
    assert shlex.split(line)[1:] == [".venv/bin/python", *sys.argv]
    # An interpreter outside the folder is named in full; a setting that is unset is left out.
    monkeypatch.delenv("CONVLAB_OFFLINE")
    assert command_line(tmp_path / "elsewhere").startswith(f"{venv_python} benchmarks/seeds.py")


def test_store_run_writes_atomically_through_a_file_of_its_own(tmp_path, monkeypatch, data_dir):
    monkeypatch.setattr(sys, "argv", ["benchmarks/tiny.py", "--json", "run.json"])
    provenance = data.load("mnist").provenance
    target = tmp_path / "results" / "run.json"
    target.parent.mkdir()
    (target.parent / "run.tmp").write_text("another writer's")  # the old fixed name: untouched
    save_benchmark_result(target, what="a tiny run", provenance=provenance, accuracy=0.5)
    stored = benchmark_result(target)
    assert stored["what"] == "a tiny run" and stored["accuracy"] == 0.5
    assert stored["command"].endswith("benchmarks/tiny.py --json run.json")
    assert stored["command"].startswith("CONVLAB_OFFLINE=1 ")  # the data_dir fixture sets it
    assert stored["data_fingerprint"] == provenance.fingerprint
    assert sorted(p.name for p in target.parent.iterdir()) == ["run.json", "run.tmp"]
    assert (target.parent / "run.tmp").read_text() == "another writer's"


def test_an_interrupted_write_leaves_the_old_file(tmp_path, monkeypatch):
    target = tmp_path / "run.json"
    target.write_text('{"old": 1}')

    def broken_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(runs.os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        runs._write_atomically(target, '{"new": 1}')
    assert target.read_text() == '{"old": 1}' and [p.name for p in tmp_path.iterdir()] == [
        "run.json"]


# --- another lesson's stored full run ------------------------------------------------

STORE = Path(__file__).resolve().parent.parent / "runs" / "full"


def test_a_committed_store_entry_reads_with_its_results_and_tells_the_build(tmp_path,
                                                                             monkeypatch):
    monkeypatch.setenv(settings.RUN_DIR_ENV, str(tmp_path / "records"))
    (tmp_path / "records").mkdir()
    shutil.copytree(STORE / "cifar10_cnn", tmp_path / "store" / "cifar10_cnn")
    run = stored_lesson_run("cifar10_cnn", store=tmp_path / "store")
    manifest = json.loads((STORE / "cifar10_cnn" / "manifest.json").read_text())
    assert run["lesson"] == manifest["lesson"] and run["seconds"] == manifest["seconds"]
    assert 0 < run["results"]["test_accuracy"] < 1
    cifar = manifest["data"][0]
    assert same_data(run, "cifar10", cifar["fingerprint"])
    assert not same_data(run, "cifar10", "sha256:another copy")
    assert not same_data(run, "mnist", cifar["fingerprint"])
    events = report.read(tmp_path / "records", "file")
    assert [Path(e["location"]).parent.name for e in events] == ["cifar10_cnn"]
    assert events[0]["fingerprint"].startswith("sha256:")


def test_a_lesson_without_a_stored_run_reads_none(tmp_path):
    assert stored_lesson_run("regularisation", store=tmp_path) is None


def test_a_manifest_without_results_says_how_to_make_it_again(tmp_path):
    (tmp_path / "regularisation").mkdir()
    (tmp_path / "regularisation" / "manifest.json").write_text(json.dumps({"lesson": "09"}))
    with pytest.raises(ValueError, match="convlab run regularisation --profile full"):
        stored_lesson_run("regularisation", store=tmp_path)


def test_which_images_a_model_got_right_survives_the_store(tmp_path, monkeypatch):
    records = tmp_path / "records"
    records.mkdir()
    monkeypatch.setenv(settings.RUN_DIR_ENV, str(records))
    correct = np.random.default_rng(0).random(1003) < 0.4   # not a multiple of 8
    report.record_correct("dense", correct)
    [event] = report.read(records, report.Event.CORRECT)
    assert len(event["bits"]) < 1003 / 8 * 4 / 3 + 4, "packed, 8 images a byte"
    entry = tmp_path / "store" / "dense_baseline"
    entry.mkdir(parents=True)
    (entry / "manifest.json").write_text(json.dumps({
        "lesson": "02_dense_baseline", "executed_at": "now", "hardware": "cpu", "seconds": 1,
        "results": [], "correct": [event]}))
    run = stored_lesson_run("dense_baseline", store=tmp_path / "store")
    assert np.array_equal(run["correct"]["dense"], correct)
