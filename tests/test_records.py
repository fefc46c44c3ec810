"""Records a lesson run leaves for the build, and the report helpers that write them."""

from __future__ import annotations

import pytest

from convlab import records, report


def test_nothing_is_written_outside_a_build(monkeypatch, tmp_path):
    monkeypatch.delenv(records.RUN_DIR_ENV, raising=False)
    monkeypatch.chdir(tmp_path)
    records.append("result", {"name": "x", "value": 1.0})
    assert list(tmp_path.iterdir()) == []


def test_events_round_trip_without_duplicates(monkeypatch, tmp_path):
    monkeypatch.setenv(records.RUN_DIR_ENV, str(tmp_path))
    records.append("data", {"dataset": "mnist"})
    records.append("data", {"dataset": "mnist"})
    records.append("result", {"name": "acc", "value": 0.5})
    assert records.read(tmp_path, "data") == [{"kind": "data", "dataset": "mnist"}]
    assert [e["kind"] for e in records.read(tmp_path)] == ["data", "result"]
    assert records.read(tmp_path / "missing") == []


def test_compare_shows_profile_and_records_results(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv(records.RUN_DIR_ENV, str(tmp_path))
    monkeypatch.setenv(records.PROFILE_ENV, "quick")
    report.compare({"test_accuracy": 0.4567, "test_loss": 1.25}, reference="cifar10_cnn")
    out = capsys.readouterr().out
    assert "this run (quick profile)" in out
    assert "| test accuracy | 45.7% | 69.5% |" in out
    assert "| test loss | 1.25 | 1.647 |" in out
    saved = records.read(tmp_path, "result")
    assert [(r["name"], r["value"], r["reference"]) for r in saved] == [
        ("test_accuracy", 0.4567, 0.6954),
        ("test_loss", 1.25, 1.647),
    ]
    assert report.RESULTS["test_accuracy"] == 0.4567


def test_outside_a_build_the_profile_is_the_lessons_own(monkeypatch):
    monkeypatch.delenv(records.PROFILE_ENV, raising=False)
    assert records.active_profile() == "full"


def test_record_refuses_nonsense():
    with pytest.raises(ValueError, match="diverged"):
        report.record("loss", float("nan"))
    with pytest.raises(ValueError, match="identifier"):
        report.record("test accuracy", 0.5)
    with pytest.raises(KeyError, match="Did you mean cifar10_cnn.test_accuracy"):
        report.record("acc", 0.5, reference="cifar10_cnn.test_acuracy")


def test_markdown_table():
    assert report.markdown_table(["a", "b"], [[1, 2]]) == "| a | b |\n|---|---|\n| 1 | 2 |"
