"""The CIFAR-10 explorer's export: quantised weights whose forward pass and saliency maps match
Keras's."""

from __future__ import annotations

import base64
import html
import json
import re

import keras
import numpy as np
import pytest

from convlab import cifar_explorer
from convlab.cifar_explorer import SALIENCY_CORRELATION, TOLERANCE


def _lesson_model(seed: int = 0, dropout: bool = True) -> keras.Model:
    keras.utils.set_random_seed(seed)
    layers = keras.layers
    extra = [layers.Dropout(0.3)] if dropout else []
    return keras.Sequential([
        keras.Input((32, 32, 3)),
        layers.Conv2D(16, 3, padding="same", activation="relu"),
        layers.Conv2D(16, 3, padding="same", activation="relu"), layers.MaxPooling2D(2),
        *extra,
        layers.Conv2D(32, 3, padding="same", activation="relu"),
        layers.Conv2D(32, 3, padding="same", activation="relu"), layers.MaxPooling2D(2),
        layers.Conv2D(64, 3, padding="same", activation="relu"),
        layers.GlobalAveragePooling2D(), *extra,
        layers.Dense(10, activation="softmax"),
    ])


def _images(n: int, seed: int = 1) -> np.ndarray:
    """Photo-like inputs scaled as lesson 10 scales them: smooth colour fields plus noise,
    whole pixels / 255 - 0.5."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[:32, :32] / 31
    base = rng.random((n, 1, 1, 3)) * 255
    slope = rng.normal(0, 80, (n, 2, 1, 1, 3))
    pixels = base + slope[:, 0] * y[..., None] + slope[:, 1] * x[..., None]
    pixels = np.clip(pixels + rng.normal(0, 25, pixels.shape), 0, 255).round()
    return (pixels / 255 - 0.5).astype(np.float32)


def _trained(seed: int = 0) -> tuple[keras.Model, np.ndarray, np.ndarray]:
    """The lesson's network after a few steps of Adam on 256 labelled images (labels that
    depend on the colours, so there is something to learn): logits of a trained network's
    size, not of a random one's."""
    model = _lesson_model(seed)
    x = _images(256, seed + 1)
    labels = (x.mean(axis=(1, 2)) @ np.array([3.0, -2.0, 1.0]) * 4 + 5).clip(0, 9).astype(int)
    model.compile(keras.optimizers.Adam(3e-3), "categorical_crossentropy")
    model.fit(x, keras.utils.to_categorical(labels, 10), epochs=8, batch_size=32, verbose=0)
    return model, x, labels


@pytest.fixture(scope="module")
def trained() -> tuple[keras.Model, np.ndarray, np.ndarray]:
    return _trained()


def _data(markup: str) -> dict:
    return {key: json.loads(html.unescape(value))
            for key, value in re.findall(r'data-(\w+)="([^"]*)"', markup)}


def _exact(model: keras.Model) -> list[tuple[np.ndarray, np.ndarray]]:
    convs, dense = cifar_explorer._layers(model)
    return [(layer.kernel.numpy().astype(np.float64), layer.bias.numpy().astype(np.float64))
            for layer in [*convs, dense]]


def test_the_numpy_network_is_keras_s_forward_and_backward():
    """With the float weights the NumPy forward pass is Keras's to rounding, and so is the
    saliency map (the backward pass by hand against tf.GradientTape): the only difference the
    page then has is the int8 rounding."""
    model = _lesson_model(seed=2)
    x = _images(8)
    probabilities, maps = cifar_explorer.forward(_exact(model), x)
    assert np.abs(probabilities - model.predict(x, verbose=0)).max() < 1e-5
    assert [m.shape for m in maps] == [(8, 32, 32, 16), (8, 32, 32, 16), (8, 16, 16, 32),
                                       (8, 16, 16, 32), (8, 8, 8, 64)]
    convs, _ = cifar_explorer._layers(model)
    last = keras.Model(model.inputs, convs[-1].output).predict(x, verbose=0)
    assert np.abs(maps[-1] - last).max() <= 1e-5 * max(1, np.abs(last).max())
    ours = cifar_explorer.saliency(_exact(model), x)
    theirs = cifar_explorer.keras_saliency(model, x)
    assert ours.shape == theirs.shape == (8, 32, 32)
    assert np.abs(ours - theirs).max() <= 1e-4 * theirs.max()


def test_quantised_network_matches_keras_within_the_tolerances(trained):
    model, x, _ = trained
    arrays = cifar_explorer.dequantised(cifar_explorer.export(model))
    page, _ = cifar_explorer.forward(arrays, x[:64])
    keras_p = model.predict(x[:64], verbose=0)
    assert keras_p.max(axis=1).mean() > 0.3, "a network past uniform guessing"
    assert np.abs(page - keras_p).max() <= TOLERANCE
    # The derivation: no probability moves more than half the largest logit change.
    assert np.abs(page - keras_p).max() <= 0.5 * cifar_explorer.logit_error(model, x[:64]) + 1e-6
    page_maps = cifar_explorer.saliency(arrays, x[:16])
    keras_maps = cifar_explorer.keras_saliency(model, x[:16])
    agreement = [cifar_explorer.correlation(a, b) for a, b in zip(page_maps, keras_maps,
                                                                   strict=True)]
    assert min(agreement) >= SALIENCY_CORRELATION


def test_quantisation_is_int8_with_one_scale_per_output_channel():
    w = np.array([[-1.27, 0.05], [0.004, 0.02]])
    values, scales = cifar_explorer.quantise(w)
    assert values.dtype == np.int8 and scales == pytest.approx([0.01, 0.05 / 127])
    assert (np.abs(values * scales - w) <= scales / 2 + 1e-12).all()
    assert cifar_explorer.quantise(np.zeros((3, 2)))[1].tolist() == [1.0, 1.0]


def test_markup_is_small_and_carries_samples_with_keras_results(trained):
    model, x, labels = trained
    probabilities = model.predict(x, verbose=0)
    predicted = probabilities.argmax(axis=1)
    labels = np.where(np.arange(len(x)) % 4 == 0, (predicted + 1) % 10, predicted)
    markup, agreement = cifar_explorer.markup(model, x, keras.utils.to_categorical(labels, 10))
    assert agreement.payload_bytes == len(markup.encode()) < cifar_explorer.PAYLOAD_LIMIT
    assert agreement.same_answer == agreement.samples >= 10
    assert agreement.max_difference <= TOLERANCE
    assert agreement.min_saliency_correlation >= SALIENCY_CORRELATION
    data = _data(markup)
    assert data["input"] == {"side": 32, "divisor": 255, "offset": -0.5}
    assert data["classes"][3] == "cat" and len(data["classes"]) == 10
    assert data["tolerance"] == {"probability": TOLERANCE, "saliency": SALIENCY_CORRELATION}
    assert [part["shape"] for part in data["weights"]] == [
        [3, 3, 3, 16], [3, 3, 16, 16], [3, 3, 16, 32], [3, 3, 32, 32], [3, 3, 32, 64], [64, 10]]
    marked = 0
    for sample in data["samples"]:
        i = sample["index"]
        assert sample["keras"] == pytest.approx(probabilities[i].tolist(), abs=1e-6)
        assert sample["label"] == labels[i]
        pixels = np.frombuffer(base64.b64decode(sample["pixels"]), np.uint8)
        assert np.allclose(pixels / 255 - 0.5, x[i].ravel(), atol=1e-6)
        if "saliency" in sample:
            marked += 1
            stored = np.frombuffer(base64.b64decode(sample["saliency"]), np.uint8)
            keras_map = cifar_explorer.keras_saliency(model, x[i:i + 1])[0]
            assert stored.max() == 255
            assert np.abs(stored / 255 - keras_map.ravel() / keras_map.max()).max() <= 0.5 / 255
    assert marked == cifar_explorer.SALIENCY_SAMPLES
    assert any(s["label"] != predicted[s["index"]] for s in data["samples"])


def test_other_architectures_and_inputs_are_refused_clearly():
    layers = keras.layers
    other = keras.Sequential([keras.Input((32, 32, 3)), layers.Flatten(),
                              layers.Dense(10, activation="softmax")])
    with pytest.raises(ValueError, match="lesson 10's network.*Flatten -> Dense"):
        cifar_explorer.export(other)
    model = _lesson_model(dropout=False)
    wider = keras.Sequential([keras.Input((32, 32, 3)),
                              layers.Conv2D(16, 3, padding="valid", activation="relu"),
                              *model.layers[1:]])
    with pytest.raises(ValueError, match="convolution 1 is not stride 1, same padding"):
        cifar_explorer.export(wider)
    with pytest.raises(ValueError, match=r"pixels / 255 - 0.5"):
        cifar_explorer.input_scaling(np.full((2, 32, 32, 3), 0.3123))
    assert cifar_explorer.input_scaling(np.arange(256.0)) == (1, 0.0)
    assert cifar_explorer.input_scaling(np.arange(256) / 255) == (255, 0.0)
    assert cifar_explorer.input_scaling(np.float32(np.arange(256) / 255 - 0.5)) == (255, -0.5)


def test_a_network_that_has_barely_learned_still_gets_sample_images():
    """A tiny run's network is near uniform: no image is clear by the margin, so the clearest
    ones are the samples, and the page still shows the widget."""
    model = _lesson_model(seed=3)
    x = _images(40, seed=4)
    labels = np.arange(40) % 10
    _, agreement = cifar_explorer.markup(model, x, labels)
    assert agreement.samples >= 10
