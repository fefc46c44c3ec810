"""The lessons' models have the curriculum's parameter counts.

Each model is built from the lesson's own source: the statement ``name = keras.Sequential(...)``
is found in the lesson's code cells (parsed with jupytext) and executed alone, with keras
imported. An edit to a lesson that changes a model's size fails here, in seconds, without
training anything.
"""

from __future__ import annotations

import ast
from pathlib import Path

import keras
import pytest

from convlab.publish.project import Project

REPO = Path(__file__).resolve().parents[1]
LESSONS = {lesson.slug: lesson for lesson in Project(REPO).lessons()}

# (lesson slug, variable the lesson assigns the model to) -> parameters: the tutorials' counts
# (convlab.references.TUTORIAL holds those they printed with model.summary()); the dense and
# CNN B counts are the models as the tutorial builds them.
COUNTS = {
    ("cifar10_cnn", "model"): 631_658,
    ("fashion_mnist", "dense"): 101_770,
    ("fashion_mnist", "cnn_a"): 257_162,
    ("fashion_mnist", "cnn_b"): 421_642,
    ("mnist_inside", "model"): 54_410,
}


def _is_sequential(node: ast.AST) -> bool:
    """``keras.Sequential(...)`` (or ``keras.models.Sequential(...)``)."""
    return (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and node.func.attr == "Sequential")


def sequential_models(slug: str) -> dict[str, str]:
    """Source of each ``name = keras.Sequential(...)`` statement in the lesson, by name."""
    found = {}
    for cell in LESSONS[slug].read().cells:
        if cell.cell_type != "code":
            continue
        for node in ast.parse(cell.source).body:
            if (isinstance(node, ast.Assign) and len(node.targets) == 1
                    and isinstance(node.targets[0], ast.Name) and _is_sequential(node.value)):
                found[node.targets[0].id] = ast.get_source_segment(cell.source, node)
    return found


def build(slug: str, name: str) -> keras.Model:
    """The lesson's model ``name``, built by executing its statement alone."""
    source = sequential_models(slug)[name]
    namespace = {"keras": keras}
    exec(compile(source, f"<{slug}: {name}>", "exec"), namespace)
    return namespace[name]


@pytest.mark.parametrize(("slug", "name"), list(COUNTS), ids=lambda v: str(v))
def test_lesson_model_has_the_curriculum_parameter_count(slug, name):
    model = build(slug, name)
    assert model.count_params() == COUNTS[slug, name]


@pytest.mark.parametrize("slug", sorted({slug for slug, _ in COUNTS}))
def test_every_model_of_the_lesson_is_counted(slug):
    assert set(sequential_models(slug)) == {name for s, name in COUNTS if s == slug}


def test_the_models_end_in_ten_classes():
    units = {key: build(*key).layers[-1].units for key in COUNTS}
    assert set(units.values()) == {10}, units


def test_a_changed_layer_changes_the_count():
    source = sequential_models("mnist_inside")["model"].replace("Conv2D(32,", "Conv2D(16,")
    namespace = {"keras": keras}
    exec(source, namespace)
    assert namespace["model"].count_params() != COUNTS["mnist_inside", "model"]
