"""Executing one lesson: outputs, records, errors naming lesson and cell, time budgets."""

from __future__ import annotations

import pytest

from convlab.build.execute import LessonError, LessonTimeout, execute
from convlab.config import load_profile


def test_executes_and_collects_records(tiny_project, data_dir):
    profile = load_profile(tiny_project.root / "tiny.toml")
    seen = []
    run = execute(tiny_project.lesson("01"), profile, cwd=tiny_project.root,
                  on_cell=lambda done, total, _: seen.append((done, total)))
    assert seen == [(0, 3), (1, 3), (2, 3), (3, 3)]
    outputs = [o for c in run.notebook.cells if c.cell_type == "code" for o in c.outputs]
    text = "".join(o.get("text", "") for o in outputs)
    assert "steps 3" in text and "MNIST from local copy" in text
    assert [d["dataset"] for d in run.data] == ["mnist"]
    assert run.data[0]["location"] == str(data_dir / "mnist.npz")
    assert [r["name"] for r in run.results] == ["share of label 0"]
    assert run.results[0]["value"] == pytest.approx(0.1)


def test_error_names_lesson_cell_and_traceback(tiny_project):
    lesson = tiny_project.lesson("02")
    lesson.path.write_text(lesson.path.read_text() + "\n# %%\nx = 1\n\n# %%\n1 / 0\n")
    profile = load_profile(tiny_project.root / "tiny.toml")
    with pytest.raises(LessonError) as caught:
        execute(lesson, profile, cwd=tiny_project.root)
    message = str(caught.value)
    assert caught.value.lesson == "02_beta"
    assert "lesson 02_beta failed in code cell 3 of 3 in 02_beta.py" in message
    assert "ZeroDivisionError" in message and "1 / 0" in message


def test_budget_stops_a_slow_lesson(tiny_project):
    lesson = tiny_project.lesson("02")
    lesson.path.write_text(lesson.path.read_text() + "\n# %%\nimport time\ntime.sleep(60)\n")
    profile = load_profile(tiny_project.root / "tiny.toml")
    with pytest.raises(LessonTimeout, match=r"ran past its time budget of 3 s.*tiny\.toml"):
        execute(lesson, profile, cwd=tiny_project.root, budget_s=3)
