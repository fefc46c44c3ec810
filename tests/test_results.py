"""results.json, the results page, and comparing two builds."""

from __future__ import annotations

import copy
import json

import pytest

from convlab.publish import results
from convlab.publish.cli import main
from convlab.publish.pipeline import build
from convlab.publish.profile import load_profile


def _data(test_accuracy: float = 0.40, loss: float = 1.5) -> dict:
    return {
        "schema": results.SCHEMA, "profile": "quick", "profile_description": "d",
        "built_at": "now", "build_seconds": 1.0,
        "lessons": [{
            "lesson": "02_dense_baseline", "slug": "dense_baseline", "title": "Dense",
            "seconds": 3.0, "from_cache": False, "executed_at": "now", "hardware": "cpu",
            "commit": "abc", "data": ["CIFAR-10"], "overrides": {"epochs": 2},
            "results": [
                {"name": "test_accuracy", "value": test_accuracy, "fmt": "{:.1%}",
                 "quantity": "fraction", "better": "higher",
                 "reference": 0.47, "reference_name": "dense_baseline.test_accuracy"},
                {"name": "test_loss", "value": loss, "fmt": "{:.4g}", "quantity": "number",
                 "better": "lower", "reference": None, "reference_name": None},
            ],
            "expectations": [{"name": "test_accuracy", "rule": "r", "status": "passed",
                              "value": test_accuracy}],
        }],
    }


def test_compare_flags_moves_beyond_tolerance_and_their_direction():
    moves = {m.name: m for m in results.compare(_data(0.40, 1.5), _data(0.35, 1.51))}
    assert moves["test_accuracy"].beyond_tolerance and moves["test_accuracy"].worse
    assert not moves["test_loss"].beyond_tolerance  # 0.7% relative, within 2%
    assert "40.0% -> 35.0% (beyond tolerance, worse)" in moves["test_accuracy"].describe()
    better = {m.name: m for m in results.compare(_data(0.40), _data(0.45))}
    assert better["test_accuracy"].beyond_tolerance and not better["test_accuracy"].worse
    assert results.compare(_data(), _data()) == []


def test_a_result_that_disappears_is_a_regression():
    old, new = _data(), _data()
    new["lessons"][0]["results"].pop()
    [move] = results.compare(old, new)
    assert move.name == "test_loss" and move.new is None and move.worse


def _result(data: dict, name: str) -> dict:
    return next(r for r in data["lessons"][0]["results"] if r["name"] == name)


def test_kind_and_direction_come_from_the_record_not_the_name():
    old, new = _data(), _data()
    for data, value in ((old, 0.60), (new, 0.55)):
        score = _result(data, "test_accuracy")
        score.update(name="score", value=value)  # a name that says nothing
    [move] = results.compare(old, new)
    assert move.beyond_tolerance and move.worse, "a fraction, higher is better, dropped 5 points"
    for data, value in ((old, 0.60), (new, 0.65)):
        _result(data, "score").update(value=value, better="lower")
    [move] = results.compare(old, new)
    assert move.beyond_tolerance and move.worse, "the recorded direction, not the name, decides"
    assert results.difference({"value": 0.5, "reference": 0.4, "quantity": "fraction",
                               "fmt": "{:.4g}"}) == "+10.0 points"
    assert results.difference({"value": 0.5, "reference": 0.4, "quantity": "number",
                               "fmt": "{:.1%}"}) == "+0.1"


def test_results_recorded_before_kinds_read_as_numbers_without_direction():
    old, new = _data(0.40), _data(0.45)
    for data in (old, new):
        for result in data["lessons"][0]["results"]:
            del result["quantity"], result["better"]
    moves = {m.name: m for m in results.compare(old, new)}
    assert moves["test_accuracy"].worse, "no direction recorded: any move beyond it is suspect"
    assert results.quantity(_result(new, "test_accuracy")) == "number"
    assert results.better(_result(new, "test_accuracy")) is None
    assert "| 45.0% | 47.0% | -0.02 |" in results.page_markdown(new)


def test_results_page_links_the_chart_only_when_one_is_drawn(tmp_path):
    results.write(tmp_path, _data())
    chart = tmp_path / results.CHART_NAME
    assert chart.is_file() and results.CHART_NAME in (tmp_path / results.PAGE_NAME).read_text()
    no_fraction = _data()
    _result(no_fraction, "test_accuracy")["quantity"] = "number"  # referenced, but not a fraction
    results.write(tmp_path, no_fraction)
    assert not chart.exists(), "a chart of an earlier build is not left behind"
    assert results.CHART_NAME not in (tmp_path / results.PAGE_NAME).read_text()


def test_load_refuses_other_files(tmp_path):
    (tmp_path / "results.json").write_text('{"schema": "other/1"}')
    with pytest.raises(results.ResultsError, match="schema"):
        results.load(tmp_path)
    with pytest.raises(results.ResultsError, match="no results"):
        results.load(tmp_path / "nothing")


def test_page_shows_results_beside_the_tutorial_and_the_build_report():
    page = results.page_markdown(_data(0.4123))
    assert "| 02_dense_baseline | test accuracy | 41.2% | 47.0% | -5.8 points |" in page
    assert "epochs = 2" in page and "1 checked" in page and "results.json" in page


def test_build_writes_results_and_compare_fails_on_regression(tiny_project, capsys):
    profile = load_profile(tiny_project.root / "tiny.toml")
    build(tiny_project, profile)
    site = tiny_project.site_dir
    data = json.loads((site / "results.json").read_text())
    assert data["schema"] == results.SCHEMA and data["profile"] == "tiny"
    [alpha] = [lesson for lesson in data["lessons"] if lesson["slug"] == "alpha"]
    assert alpha["results"][0]["name"] == "share_of_zeros"
    assert (site / "results.html").is_file()
    assert "share of zeros" in (site / "results.html").read_text()

    older = copy.deepcopy(data)
    older["lessons"][0]["results"][0]["value"] = 0.5  # the older build measured more
    (tiny_project.root / "old.json").write_text(json.dumps(older))
    tiny = str(tiny_project.root / "tiny.toml")
    assert main(["results", "--profile", tiny, "--compare", "old.json"]) == 0
    out = capsys.readouterr().out
    assert "share_of_zeros: 0.5 -> 0.1 (beyond tolerance, worse)" in out
    assert main(["results", "--profile", tiny, "--compare", "old.json",
                 "--fail-on-regression"]) == 1
    capsys.readouterr()
    assert main(["results", "--profile", tiny, "--compare", str(site),
                 "--fail-on-regression"]) == 0
    assert "0 result(s) moved" in capsys.readouterr().out
    assert main(["results", "--profile", tiny, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["schema"] == results.SCHEMA
