"""The tutorials' figures and stored benchmark results, as lessons read them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from convlab import records
from convlab.references import TUTORIAL, stored_run, tutorial


def test_tutorial_figures_by_name():
    assert tutorial("cifar10_cnn.test_accuracy") == 0.6954
    assert all(name.count(".") == 1 for name in TUTORIAL)


def test_an_unknown_figure_names_close_ones():
    with pytest.raises(KeyError, match="cifar10_cnn.test_accuracy"):
        tutorial("cifar10_cnn.test_acuracy")


def test_stored_run_reads_the_file_and_tells_the_build(tmp_path, monkeypatch):
    monkeypatch.setenv(records.RUN_DIR_ENV, str(tmp_path))
    stored = tmp_path / "run.json"
    stored.write_text(json.dumps({"test_accuracy": 0.61}))
    assert stored_run(stored) == {"test_accuracy": 0.61}
    assert stored_run(tmp_path / "absent.json") is None
    events = records.read(tmp_path, "file")
    assert [Path(e["location"]).name for e in events] == ["run.json", "absent.json"]
    assert events[0]["fingerprint"].startswith("sha256:") and events[1]["fingerprint"] == ""


@pytest.mark.parametrize("text", ["{not json", "[1, 2]"])
def test_a_broken_stored_run_says_how_to_fix_it(tmp_path, text):
    stored = tmp_path / "run.json"
    stored.write_text(text)
    with pytest.raises(ValueError, match="make it again"):
        stored_run(stored)
