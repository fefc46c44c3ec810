"""Executing one lesson: outputs, records, errors naming lesson and cell, time budgets."""

from __future__ import annotations

import pytest

from convlab import machine
from convlab.publish.execute import LessonError, LessonTimeout, execute
from convlab.publish.profile import load_profile


def test_executes_and_collects_records(tiny_project, data_dir):
    profile = load_profile(tiny_project.root / "tiny.toml")
    seen = []
    run = execute(tiny_project.lesson("01"), profile, cwd=tiny_project.root,
                  on_cell=lambda done, total, _: seen.append((done, total)))
    assert seen == [(0, 5), (1, 5), (2, 5), (3, 5), (4, 5), (5, 5)]  # injected cell included
    outputs = [o for c in run.notebook.cells if c.cell_type == "code" for o in c.outputs]
    text = "".join(o.get("text", "") for o in outputs)
    assert "steps 3" in text, "the profile's override replaced the lesson's steps = 10"
    assert [d["dataset"] for d in run.data] == ["mnist"]
    assert run.data[0]["location"] == str(data_dir / "mnist.npz")
    assert [r["name"] for r in run.results] == ["share_of_zeros"]
    assert run.results[0]["value"] == pytest.approx(0.1)
    assert [e["status"] for e in run.expectations] == ["passed"]
    assert {"convlab.data", "convlab.report"} <= set(run.modules)
    assert not [m for m in run.modules if m.startswith("convlab.publish")]
    [prose] = [c for c in run.notebook.cells if c.cell_type == "markdown"
               and "values" in c.metadata.get("convlab", {})]
    assert prose.metadata.convlab["values"] == ["10%", "3"]
    # the lesson never imported TensorFlow: the kernel described the machine without it
    assert run.hardware == machine.cpu_summary() and run.used_gpu is False
    assert not run.hardware_dependent and run.files == [], "it timed nothing, opened nothing"


def test_without_overrides_a_lesson_runs_its_own_values(tiny_project):
    (tiny_project.root / "own.toml").write_text('description = "no overrides"\n')
    run = execute(tiny_project.lesson("01"), load_profile(tiny_project.root / "own.toml"),
                  cwd=tiny_project.root)
    text = "".join(o.get("text", "") for c in run.notebook.cells if c.cell_type == "code"
                   for o in c.outputs)
    assert "steps 10" in text
    tags = [c.metadata.get("tags", []) for c in run.notebook.cells]
    assert not [t for t in tags if "injected-parameters" in t]


def test_overrides_need_a_parameters_cell(tiny_project):
    lesson = tiny_project.lesson("01")
    lesson.path.write_text(lesson.path.read_text().replace('# %% tags=["parameters"]', "# %%"))
    with pytest.raises(LessonError, match="01_alpha cannot run.*it has no cell tagged parameters"):
        execute(lesson, load_profile(tiny_project.root / "tiny.toml"), cwd=tiny_project.root)


def test_an_override_the_lesson_lacks_is_an_error(tiny_project):
    (tiny_project.root / "typo.toml").write_text("[lessons.alpha]\nstepz = 3\n")
    with pytest.raises(LessonError, match=r"sets stepz for lesson 'alpha'.*defines: steps"):
        execute(tiny_project.lesson("01"), load_profile(tiny_project.root / "typo.toml"),
                cwd=tiny_project.root)


def test_a_failing_placeholder_names_itself(tiny_project):
    lesson = tiny_project.lesson("02")
    lesson.path.write_text(lesson.path.read_text() + "\n# %% [markdown]\n# {{ missing:.1f }}\n")
    with pytest.raises(LessonError, match=r"(?s)placeholders \{\{ missing:.1f \}\}.*NameError"):
        execute(lesson, load_profile(tiny_project.root / "tiny.toml"), cwd=tiny_project.root)


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


def test_a_lesson_edited_during_its_run_is_recorded_as_the_text_that_ran(tiny_project):
    """The manifest's code digest is the executed source's, read once: an edit saved while
    the lesson runs makes the cache entry stale instead of pairing new code with old outputs."""
    from convlab.publish.freshness import manifest

    lesson = tiny_project.lesson("01")
    profile = load_profile(tiny_project.root / "tiny.toml")
    before = lesson.code_digest()

    def edit_midway(done: int, total: int, _: float) -> None:
        if done == 2:
            lesson.path.write_text(lesson.path.read_text() + "\n# %%\nprint('added')\n")

    run = execute(lesson, profile, cwd=tiny_project.root, on_cell=edit_midway)
    assert lesson.code_digest() != before, "the edit landed during the run"
    assert run.code == before
    assert manifest(lesson, profile, run, tiny_project.root)["code"] == before
