"""convlab.viz, the index: what the lessons call is there, and every figure says what it shows."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402

from convlab import viz  # noqa: E402
from convlab.viz import charts, classifier, images  # noqa: E402

LESSONS = sorted((Path(__file__).resolve().parents[1] / "lessons").glob("[0-9][0-9]_*.py"))


def test_every_name_a_lesson_calls_on_viz_is_in_the_index():
    called = {node.attr for lesson in LESSONS for node in ast.walk(ast.parse(lesson.read_text()))
              if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
              and node.value.id == "viz"}
    assert called, "the lessons draw with viz"
    assert not called - set(viz.__all__), "a lesson calls a name convlab.viz does not have"
    assert all(hasattr(viz, name) for name in viz.__all__)


def test_every_figure_function_gives_its_figure_alt_text():
    for module in (charts, classifier, images):
        source = inspect.getsource(module)
        makers = [node for node in ast.parse(source).body if isinstance(node, ast.FunctionDef)
                  and not node.name.startswith("_") and ast.unparse(node.returns) == "Figure"]
        assert makers, module.__name__
        for function in makers:
            assert "style.describe(fig" in ast.unparse(function), \
                f"{module.__name__}.{function.name} gives its figure no alt text"


def test_importing_viz_applies_the_course_style():
    assert matplotlib.rcParams["svg.hashsalt"] == "convlab"
    fig = viz.plot_history({"loss": [1.0, 0.5]}, ["loss"])
    assert fig.get_label() == "loss per epoch, training"
    plt.close(fig)
