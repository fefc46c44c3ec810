"""Reading another lesson's stored full run, as lesson 10 reads lesson 09's."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from convlab import records
from convlab.lesson_runs import same_data, stored_lesson_run

STORE = Path(__file__).resolve().parent.parent / "runs" / "full"


def test_a_committed_store_entry_reads_with_its_results_and_tells_the_build(tmp_path,
                                                                             monkeypatch):
    monkeypatch.setenv(records.RUN_DIR_ENV, str(tmp_path / "records"))
    (tmp_path / "records").mkdir()
    shutil.copytree(STORE / "cifar10_cnn", tmp_path / "store" / "cifar10_cnn")
    run = stored_lesson_run("cifar10_cnn", store=tmp_path / "store")
    manifest = json.loads((STORE / "cifar10_cnn" / "manifest.json").read_text())
    assert run["lesson"] == "06_cifar10_cnn" and run["seconds"] == manifest["seconds"]
    assert 0 < run["results"]["test_accuracy"] < 1
    cifar = manifest["data"][0]
    assert same_data(run, "cifar10", cifar["fingerprint"])
    assert not same_data(run, "cifar10", "sha256:another copy")
    assert not same_data(run, "mnist", cifar["fingerprint"])
    events = records.read(tmp_path / "records", "file")
    assert [Path(e["location"]).parent.name for e in events] == ["cifar10_cnn"]
    assert events[0]["fingerprint"].startswith("sha256:")


def test_a_lesson_without_a_stored_run_reads_none(tmp_path):
    assert stored_lesson_run("regularisation", store=tmp_path) is None


def test_a_manifest_without_results_says_how_to_make_it_again(tmp_path):
    (tmp_path / "regularisation").mkdir()
    (tmp_path / "regularisation" / "manifest.json").write_text(json.dumps({"lesson": "09"}))
    with pytest.raises(ValueError, match="convlab run regularisation --profile full"):
        stored_lesson_run("regularisation", store=tmp_path)
