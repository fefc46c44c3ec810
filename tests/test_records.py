"""Records a lesson run leaves for the build, and the report helpers that write them."""

from __future__ import annotations

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
    monkeypatch.setenv("CONVLAB_PROFILE", "full")
    report.compare([("test accuracy", 0.4567, 0.47), ("loss", 1.25, None)])
    out = capsys.readouterr().out
    assert "this build (full profile)" in out
    assert "| test accuracy | 45.7% | 47.0% |" in out
    assert "| loss | 125.0% |  |" in out
    saved = records.read(tmp_path, "result")
    assert [(r["name"], r["value"], r["reference"]) for r in saved] == [
        ("test accuracy", 0.4567, 0.47),
        ("loss", 1.25, None),
    ]


def test_markdown_table():
    assert report.markdown_table(["a", "b"], [[1, 2]]) == "| a | b |\n|---|---|\n| 1 | 2 |"
