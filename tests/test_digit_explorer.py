"""The digit explorer's export: quantised weights whose forward pass matches Keras's."""

from __future__ import annotations

import html
import json
import re

import keras
import numpy as np
import pytest

from convlab import digit_explorer


def _lesson_model(seed: int = 0) -> keras.Model:
    keras.utils.set_random_seed(seed)
    model = keras.Sequential([
        keras.Input(shape=(28, 28, 1)),
        keras.layers.Conv2D(32, (3, 3), activation="relu"),
        keras.layers.MaxPooling2D((2, 2)),
        keras.layers.Dropout(0.25),
        keras.layers.Flatten(),
        keras.layers.Dropout(0.5),
        keras.layers.Dense(10, activation="softmax"),
    ])
    # Weights of a trained network's size, so the softmax is far from uniform.
    rng = np.random.default_rng(seed)
    conv, dense = model.layers[0], model.layers[-1]
    conv.set_weights([rng.normal(0, 0.4, (3, 3, 1, 32)), rng.normal(0, 0.1, 32)])
    dense.set_weights([rng.normal(0, 0.05, (5408, 10)), rng.normal(0, 0.1, 10)])
    return model


def _data(markup: str) -> dict:
    return {key: json.loads(html.unescape(value))
            for key, value in re.findall(r'data-(\w+)="([^"]*)"', markup)}


def test_quantised_forward_pass_matches_keras_on_random_inputs():
    model = _lesson_model()
    x = np.random.default_rng(1).random((64, 28, 28, 1)).astype(np.float32)
    x[::2] *= x[::2] > 0.7   # sparse, digit-like inputs too
    arrays = digit_explorer.dequantised(digit_explorer.export(model))
    page, maps = digit_explorer.forward(arrays, x)
    keras_p = model.predict(x, verbose=0)
    assert page.shape == (64, 10) and maps.shape == (64, 26, 26, 32)
    assert np.abs(page - keras_p).max() <= digit_explorer.TOLERANCE
    keras_maps = model.layers[0](x).numpy()
    assert np.abs(maps - keras_maps).max() <= 0.02 * np.abs(keras_maps).max()
    # The derivation: no probability moves more than half the largest logit change, and
    # that is within four standard deviations of the rounding's logit error.
    assert np.abs(page - keras_p).max() <= 0.5 * 4 * digit_explorer.logit_error(model, x)


def test_quantisation_is_int8_with_one_scale():
    w = np.array([[-1.27, 0.5], [0.004, 1.0]])
    values, scale = digit_explorer.quantise(w)
    assert values.dtype == np.int8 and scale == pytest.approx(0.01)
    assert np.abs(values * scale - w).max() <= scale / 2 + 1e-12


def test_markup_is_small_and_carries_samples_with_keras_probabilities():
    model = _lesson_model()
    rng = np.random.default_rng(2)
    pixels = (rng.random((300, 28, 28)) > 0.8) * rng.integers(0, 256, (300, 28, 28))
    x = pixels[..., None] / 255
    probabilities = model.predict(x, verbose=0)
    predicted = probabilities.argmax(axis=1)
    labels = np.where(np.arange(300) % 3 == 0, (predicted + 1) % 10, predicted)
    markup, agreement = digit_explorer.markup(model, x, keras.utils.to_categorical(labels, 10),
                                              predicted)
    assert agreement.payload_bytes == len(markup.encode()) < digit_explorer.PAYLOAD_LIMIT
    assert agreement.same_answer == agreement.samples > 0
    assert agreement.max_difference <= digit_explorer.TOLERANCE
    data = _data(markup)
    assert data["input"] == {"side": 28, "divisor": 255, "box": 20}
    for sample in data["samples"]:
        assert sample["keras"] == pytest.approx(probabilities[sample["index"]].tolist(),
                                                abs=1e-6)
        assert sample["label"] == labels[sample["index"]]
    assert any(s["button"] and s["label"] != predicted[s["index"]] for s in data["samples"])
    assert data["weights"]["dense"]["shape"] == [5408, 10]


def test_other_architectures_and_inputs_are_refused_clearly():
    other = keras.Sequential([keras.Input(shape=(28, 28, 1)), keras.layers.Flatten(),
                              keras.layers.Dense(10, activation="softmax")])
    with pytest.raises(ValueError, match="lesson 09's network.*Flatten -> Dense"):
        digit_explorer.export(other)
    wider = keras.Sequential([keras.Input(shape=(28, 28, 1)),
                              keras.layers.Conv2D(16, (5, 5), activation="relu"),
                              keras.layers.MaxPooling2D((2, 2)), keras.layers.Flatten(),
                              keras.layers.Dense(10, activation="softmax")])
    with pytest.raises(ValueError, match=r"kernel shape \(5, 5, 1, 16\), not \(3, 3, 1, 32\)"):
        digit_explorer.export(wider)
    with pytest.raises(ValueError, match="pixels / 255"):
        digit_explorer.input_divisor(np.full((2, 28, 28), 0.5))


def test_a_network_that_has_barely_learned_still_gets_sample_digits():
    """A tiny run's network is near uniform: no digit is clear by the margin, so the clearest
    ones are the samples, and the page still shows the widget."""
    keras.utils.set_random_seed(3)
    model = _lesson_model()
    dense = model.layers[-1]
    dense.set_weights([dense.get_weights()[0] * 0.001, np.zeros(10)])   # near uniform
    x = np.random.default_rng(4).integers(0, 256, (40, 28, 28))[..., None] / 255
    predicted = model.predict(x, verbose=0).argmax(axis=1)
    _, agreement = digit_explorer.markup(model, x, predicted, predicted)
    assert agreement.samples >= 10
