"""Records a lesson run leaves for the build, and the report helpers that write them."""

from __future__ import annotations

import pytest

from convlab import report, settings


def test_nothing_is_written_outside_a_build(monkeypatch, tmp_path):
    monkeypatch.delenv(settings.RUN_DIR_ENV, raising=False)
    monkeypatch.chdir(tmp_path)
    report.append("result", {"name": "x", "value": 1.0})
    assert list(tmp_path.iterdir()) == []


def test_events_round_trip_without_duplicates(monkeypatch, tmp_path):
    monkeypatch.setenv(settings.RUN_DIR_ENV, str(tmp_path))
    report.append("data", {"dataset": "mnist"})
    report.append("data", {"dataset": "mnist"})
    report.append("result", {"name": "acc", "value": 0.5})
    assert report.read(tmp_path, "data") == [{"kind": "data", "dataset": "mnist"}]
    assert [e["kind"] for e in report.read(tmp_path)] == ["data", "result"]
    assert report.read(tmp_path / "missing") == []


def test_compare_shows_profile_and_records_results(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv(settings.RUN_DIR_ENV, str(tmp_path))
    monkeypatch.setenv(settings.PROFILE_ENV, "quick")
    report.compare({"test_accuracy": 0.4567, "test_loss": 1.25}, reference="cifar10_cnn")
    out = capsys.readouterr().out
    assert "this run (quick profile)" in out
    assert "| test accuracy | 45.7% | 69.5% |" in out
    assert "| test loss | 1.25 | 1.647 |" in out
    saved = report.read(tmp_path, "result")
    assert [(r["name"], r["value"], r["reference"]) for r in saved] == [
        ("test_accuracy", 0.4567, 0.6954),
        ("test_loss", 1.25, 1.647),
    ]
    assert report.RESULTS["test_accuracy"] == 0.4567


def test_outside_a_build_the_profile_is_the_lessons_own(monkeypatch):
    monkeypatch.delenv(settings.PROFILE_ENV, raising=False)
    assert report.active_profile() == "full"


def test_record_refuses_nonsense():
    with pytest.raises(ValueError, match="diverged"):
        report.record("loss", float("nan"))
    with pytest.raises(ValueError, match="identifier"):
        report.record("test accuracy", 0.5)
    with pytest.raises(KeyError, match="Did you mean cifar10_cnn.test_accuracy"):
        report.record("acc", 0.5, reference="cifar10_cnn.test_acuracy")


def test_markdown_table():
    assert report.markdown_table(["a", "b"], [[1, 2]]) == "| a | b |\n|---|---|\n| 1 | 2 |"


# Today's result names and values, and how the course has always read them: (quantity, better).
CLASSIFIED = [
    ("test_accuracy", 0.47, "fraction", "higher"),
    ("cnn_a_flip_test_accuracy", 0.9, "fraction", "higher"),
    ("largest_class_fraction", 0.1, "fraction", None),
    ("test_loss", 1.25, "number", "lower"),
    ("test_loss", 2.0, "count", "lower"),
    ("worked_example_largest_difference", 0.0, "number", None),
    ("parameters", 631_658, "count", None),
    ("cpu_images_per_second_batch_32", 1234.5, "number", None),
    ("centred_mean", -0.01, "number", None),
]


@pytest.mark.parametrize(("name", "value", "quantity", "better"), CLASSIFIED)
def test_each_result_is_recorded_with_its_kind_and_direction(monkeypatch, tmp_path, name,
                                                             value, quantity, better):
    monkeypatch.setenv(settings.RUN_DIR_ENV, str(tmp_path))
    report.record(name, value)
    [saved] = report.read(tmp_path, "result")
    assert (saved["quantity"], saved["better"]) == (quantity, better)
    assert saved["fmt"] == report.FORMATS[quantity]
    assert saved["fmt"] == report.default_format(name, value)


def test_a_lesson_can_override_kind_and_direction(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv(settings.RUN_DIR_ENV, str(tmp_path))
    report.record("score", 0.8, quantity="fraction", better="higher")
    report.record("test_accuracy_gap", 0.02, better=None)
    report.compare({"epoch_time": 3.25}, quantity={"epoch_time": "seconds"},
                   better={"epoch_time": "lower"})
    saved = {r["name"]: r for r in report.read(tmp_path, "result")}
    assert (saved["score"]["quantity"], saved["score"]["better"]) == ("fraction", "higher")
    assert (saved["test_accuracy_gap"]["quantity"], saved["test_accuracy_gap"]["better"]) == (
        "fraction", None)
    assert (saved["epoch_time"]["quantity"], saved["epoch_time"]["better"]) == ("seconds", "lower")
    assert "| epoch time | 3.25 s |" in capsys.readouterr().out
    with pytest.raises(ValueError, match="quantity 'percent'"):
        report.record("score", 0.8, quantity="percent")
    with pytest.raises(ValueError, match="better"):
        report.record("score", 0.8, better="up")


def test_compare_refuses_a_result_the_tutorial_did_not_report(monkeypatch, tmp_path):
    monkeypatch.setenv(settings.RUN_DIR_ENV, str(tmp_path))
    with pytest.raises(KeyError, match="Did you mean cifar10_cnn.test_accuracy"):
        report.compare({"test_acuracy": 0.5}, reference="cifar10_cnn")
    with pytest.raises(KeyError, match="no tutorial figure 'cifar10_cnn.gap'"):
        report.compare({"gap": 0.5}, reference="cifar10_cnn")
