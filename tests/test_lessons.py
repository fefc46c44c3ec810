"""The real lessons: well-formed, and executed end to end on tiny synthetic data."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from convlab.publish import placeholders
from convlab.publish.execute import execute
from convlab.publish.profile import load_profile
from convlab.publish.project import Project
from convlab.references import TUTORIAL
from tests.conftest import write_cifar10

REPO = Path(__file__).resolve().parents[1]
LESSONS = Project(REPO).lessons()


# What a tiny run sets, for each parameter a lesson may have: a few images, one epoch.
TINY = {"train_size": 30, "epochs": 1, "test_size": 20, "timed_images": 64, "repeats": 1,
        "fallback_epochs": 1, "probe_images": 40, "explorer_epochs": 1}


@pytest.fixture
def tiny_profile(tmp_path: Path) -> Path:
    """A profile that shrinks every lesson to a few images and one epoch (named "tiny", so
    the lessons' expectations for quick and full are skipped on synthetic data)."""
    lines = ['description = "tiny data, for tests"', "budget_s = 240"]
    for lesson in LESSONS:
        lines.append(f"[lessons.{lesson.slug}]")
        lines += [f"{name} = {TINY[name]!r}" for name in lesson.parameters() if name in TINY]
    path = tmp_path / "tiny.toml"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_there_are_lessons():
    assert [lesson.name for lesson in LESSONS][:2] == ["01_cifar10_data", "02_dense_baseline"]


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda lesson: lesson.name)
def test_lesson_is_well_formed(lesson):
    notebook = lesson.read()
    first = notebook.cells[0]
    assert first.cell_type == "markdown" and first.source.startswith("# "), "starts with a title"
    title, summary = lesson.title_and_summary()
    assert title and summary, "the home page lists its title and first paragraph"
    code = "\n".join(c.source for c in notebook.cells if c.cell_type == "code")
    assert "convlab.lesson(" not in code and lesson.name not in code, "never names itself"
    assert "find_spec" not in code, "the build adds the install cell to downloads"
    assert "expect(" in code, "declares what its results must satisfy"
    for name in ("quick", "full"):
        load_profile(name).check(lesson.slug, lesson.parameters())


@pytest.mark.slow  # TensorFlow training in every lesson: minutes together; .ci/run runs it
@pytest.mark.parametrize("lesson", LESSONS, ids=lambda lesson: lesson.name)
def test_lesson_runs_end_to_end_on_tiny_data(lesson, data_dir, tiny_profile):
    write_cifar10(data_dir, n_test=40)   # lesson 03 shows test image 32, a car
    run = execute(lesson, load_profile(tiny_profile), cwd=REPO)
    outputs = [o for c in run.notebook.cells if c.cell_type == "code" for o in c.outputs]
    assert any("image/png" in o.get("data", {}) or "image/svg+xml" in o.get("data", {})
               for o in outputs), "draws figures"
    assert not [o for o in outputs if o.output_type == "error"]
    assert run.expectations, "its expectations ran"


@pytest.mark.slow
def test_a_lesson_runs_as_a_plain_script(data_dir):
    env = {**os.environ, "MPLBACKEND": "Agg"}
    env.pop("CONVLAB_PROFILE", None)
    done = subprocess.run([sys.executable, str(REPO / "lessons" / "01_cifar10_data.py")],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "| training images |" in done.stdout  # report tables print as Markdown
    assert "✓ checked: centred mean between" in done.stdout  # its expectations, as "full"


# A run figure typed into prose: a percentage, or a duration in seconds or minutes.
RUN_FIGURE = re.compile(r"\b\d+(?:[.,]\d+)?\s?(?:%|s\b|seconds?\b|min\b|minutes?\b)")
# Facts, not results of a run: chance on ten classes.
FACTS = {"10%"}


def _allowed_figures() -> set[str]:
    allowed = set(FACTS)
    for ref in TUTORIAL.values():
        for digits in (0, 1, 2):
            allowed.add(f"{100 * ref.value:.{digits}f}%")
    return allowed


def _prose(lesson):
    """Each Markdown cell's text as a reader types it: placeholders, formulas and code out."""
    for cell in lesson.read().cells:
        if cell.cell_type != "markdown":
            continue
        text = placeholders.PATTERN.sub("", cell.source)
        text = re.sub(r"\$\$.*?\$\$|\$[^$]*\$", "", text, flags=re.S)  # formulas
        yield re.sub(r"`[^`]*`", "", text)  # code


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda lesson: lesson.name)
def test_prose_states_no_run_figure_by_hand(lesson):
    allowed = _allowed_figures()
    for text in _prose(lesson):
        typed = [f.replace(" ", "") for f in RUN_FIGURE.findall(text)]
        stray = [f for f in typed if f not in allowed]
        assert not stray, (f"{lesson.name} types {stray} into its prose: use a "
                           "{{ placeholder }} for a run's figure, or convlab.references for a "
                           "tutorial's")


def test_the_prose_scan_catches_a_typed_accuracy():
    assert RUN_FIGURE.findall("it reaches 43.7% after 12 s") == ["43.7%", "12 s"]


# A run figure typed in words: "one test digit in five", "several points lower", "tens of
# percent", "in a fraction of the time", "barely trains", "far more", "three times faster".
_NUMBER_WORD = (r"(?:one|two|three|four|five|six|seven|eight|nine|ten|twenty|a hundred|half|"
                r"several|a few|many|a couple of)")
WORDED_FIGURE = re.compile(
    r"\b(?:"
    rf"(?:one|two|three|four|a)(?:\s+\w+){{0,3}}?\s+in\s+(?:every\s+)?{_NUMBER_WORD}\b"
    rf"|{_NUMBER_WORD}\s+(?:percentage\s+)?points\b"
    rf"|(?:tens\s+of|{_NUMBER_WORD})\s+per\s?cent\b"
    r"|(?:a|small)\s+fraction\s+of\s+the\s+(?:time|cost|epochs)"
    r"|barely|hardly|scarcely"
    r"|(?:twice|half)\s+as\s+\w+"
    rf"|{_NUMBER_WORD}\s+times\s+(?:faster|slower|as|more|fewer|better|worse|higher|lower)"
    r"|(?:far|much|way)\s+(?:more|less|higher|lower|better|worse|faster|slower)"
    r")",
    re.I)
# Prose describes a run when the sentence speaks of what training or a measurement gave: a
# general fact ("gradient descent barely moves its weights" where tanh is flat, "tensor cores
# multiply float16 many times faster") names none of these.
RUN_WORDS = re.compile(
    r"\b(?:accura\w*|loss(?:es)?|epochs?|validation|test(?:ed|ing)?|train(?:s|ed|ing)?|"
    r"learn(?:s|ed|t)?|runs?|scor(?:e|es|ed|ing)|fits?|overfit\w*|labels|predict\w*|"
    r"timings?|images per second|stopping)\b", re.I)
# Typed figures in words a lesson may keep for now: lesson name -> phrases the scan found, each
# with its sentence in a comment. Empty: every lesson computes them. Whoever adds one must
# remove it once the sentence is computed (test_the_worded_allow_list_is_current checks).
WORDED_ALLOWED: dict[str, set[str]] = {}


def _prose_sentences(lesson):
    for text in _prose(lesson):
        text = re.sub(r"\s+", " ", text)     # one sentence may run over lines
        yield from re.split(r"(?<=[.!?:;])\s+", text)


def _worded_run_figures(lesson) -> list[tuple[str, str]]:
    """(phrase, sentence) for each figure in words in a sentence that describes a run; a
    question ("How much faster is a GPU?") states nothing."""
    found = []
    for sentence in _prose_sentences(lesson):
        if sentence.rstrip().endswith("?") or not RUN_WORDS.search(sentence):
            continue
        found += [(m.group(0).lower(), sentence) for m in WORDED_FIGURE.finditer(sentence)]
    return found


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda lesson: lesson.name)
def test_prose_states_no_run_figure_in_words(lesson):
    allowed = WORDED_ALLOWED.get(lesson.name, set())
    stray = [(phrase, sentence) for phrase, sentence in _worded_run_figures(lesson)
             if phrase not in allowed]
    assert not stray, (f"{lesson.name} states a run's figure in words: {stray}. Compute it "
                       "(a {{ placeholder }}, or a checked claim)")


def test_the_worded_allow_list_is_current():
    by_name = {lesson.name: lesson for lesson in LESSONS}
    for name, phrases in WORDED_ALLOWED.items():
        present = {phrase for phrase, _ in _worded_run_figures(by_name[name])}
        assert phrases <= present, f"{name} no longer says {phrases - present}: remove them"


def test_the_worded_scan_catches_typed_figures_and_spares_facts():
    caught = ["labels only about one test digit in five correctly",
              "test accuracy stayed several points lower",
              "the timings move by tens of percent from run to run",
              "stopping early gives the same test accuracy in a fraction of the time",
              "after ten epochs its network has barely begun to learn",
              "it trains three times faster on the GPU",
              "it learns far more than the dense network"]
    for sentence in caught:
        assert WORDED_FIGURE.search(sentence) and RUN_WORDS.search(sentence), sentence
    spared = ["for |z| > 3 the slope is almost 0 and gradient descent barely moves its weights",
              "tensor cores multiply float16 matrices many times faster than float32",
              "2 x 2 max pooling keeps one value in four"]
    for sentence in spared:
        assert not (WORDED_FIGURE.search(sentence) and RUN_WORDS.search(sentence)), sentence
