"""The lessons' models have the curriculum's parameter counts, and convlab.models' copies are
the lessons' models, layer by layer.

Each model is built from the lesson's own source: the statement ``name = keras.Sequential(...)``
(or ``return keras.Sequential(...)`` in ``def name():``) is found in the lesson's code cells
(parsed with jupytext) and evaluated alone, with keras imported. An edit to a lesson that
changes a model's size fails here, in seconds, without training anything; so does a copy in
convlab.models that differs from its lesson in any layer's class or configuration.
"""

from __future__ import annotations

import ast
from pathlib import Path

import keras
import pytest

from convlab import models
from convlab.publish.project import Project

REPO = Path(__file__).resolve().parents[1]
LESSONS = {lesson.slug: lesson for lesson in Project(REPO).lessons()}

# (lesson slug, variable the lesson assigns the model to) -> parameters: the tutorials' counts
# (convlab.references.TUTORIAL holds those they printed with model.summary()); the dense and
# CNN B counts are the models as the tutorial builds them.
COUNTS = {
    ("cifar10_cnn", "build_cnn"): 631_658,
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
    """Source of each ``name = keras.Sequential(...)`` statement in the lesson, by name; the
    reader's exercises (after the heading ``## Exercises``) build models of their own and are
    left out."""
    found = {}
    for cell in LESSONS[slug].read().cells:
        if cell.cell_type == "markdown" and "\n## Exercises" in "\n" + cell.source:
            break
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
    model = lesson_model(slug, name)
    assert model.count_params() == COUNTS[slug, name]


@pytest.mark.parametrize("slug", sorted({slug for slug, _ in COUNTS}))
def test_every_model_of_the_lesson_is_counted(slug):
    found = set(sequential_models(slug)) | set(sequential_builders(slug))
    assert found == {name for s, name in COUNTS if s == slug}


def test_the_models_end_in_ten_classes():
    units = {key: lesson_model(*key).layers[-1].units for key in COUNTS}
    assert set(units.values()) == {10}, units


def test_a_changed_layer_changes_the_count():
    source = sequential_models("mnist_inside")["model"].replace("Conv2D(32,", "Conv2D(16,")
    namespace = {"keras": keras}
    exec(source, namespace)
    assert namespace["model"].count_params() != COUNTS["mnist_inside", "model"]


# --------------------------------------------------------------------------- convlab.models


def sequential_builders(slug: str) -> dict[str, str]:
    """Source of the ``keras.Sequential(...)`` that each ``def name(): return ...`` of the
    lesson returns, by function name (functions that return something else are left out)."""
    found = {}
    for cell in LESSONS[slug].read().cells:
        if cell.cell_type != "code":
            continue
        for node in ast.parse(cell.source).body:
            if (isinstance(node, ast.FunctionDef) and isinstance(node.body[-1], ast.Return)
                    and _is_sequential(node.body[-1].value)):
                found[node.name] = ast.get_source_segment(cell.source, node.body[-1].value)
    return found


def lesson_model(slug: str, name: str) -> keras.Model:
    """The lesson's model ``name``: an assigned ``keras.Sequential`` or a function's."""
    builders = sequential_builders(slug)
    if name not in builders:
        return build(slug, name)
    return eval(compile(builders[name], f"<{slug}: {name}()>", "eval"), {"keras": keras})


def layers(model: keras.Model) -> list[tuple[str, dict]]:
    """Each layer's class and configuration, its name left out (Keras numbers the names)."""
    return [(type(layer).__name__, {k: v for k, v in layer.get_config().items() if k != "name"})
            for layer in model.layers]


# (lesson slug, the lesson's model) -> the convlab.models function that copies it
COPIES = {
    ("cifar10_cnn", "build_cnn"): models.tutorial_cnn,
    ("gpu_speed", "make_cnn"): models.tutorial_cnn_float32_softmax,
    ("fashion_mnist", "cnn_a"): models.fashion_cnn_a,
}


@pytest.mark.parametrize(("slug", "name"), list(COPIES), ids=lambda v: str(v))
def test_the_library_copy_is_the_lessons_model_layer_by_layer(slug, name):
    lesson, copy = lesson_model(slug, name), COPIES[slug, name]()
    assert copy.input_shape == lesson.input_shape
    assert layers(copy) == layers(lesson)


def test_every_builder_is_named_for_the_command_line():
    assert models.BY_NAME == {f.__name__: f for f in set(COPIES.values())}


def test_the_library_copies_have_the_tutorials_parameter_counts():
    assert models.tutorial_cnn().count_params() == 631_658
    assert models.tutorial_cnn_float32_softmax().count_params() == 631_658
    model = models.fashion_cnn_a()
    assert model.count_params() == 257_162
    assert model.output_shape == (None, 10)
    assert model.layers[-1].activation is keras.activations.linear


def test_where_the_softmax_sits_tells_two_copies_apart():
    one, other = models.tutorial_cnn(), models.tutorial_cnn_float32_softmax()
    assert one.count_params() == other.count_params()   # what a count alone cannot see
    assert layers(one) != layers(other)
