"""Receptive fields by the recurrence, checked by gradients; per-layer costs by hand."""

from __future__ import annotations

import keras
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from convlab.flops import layer_costs
from convlab.receptive_field import field_by_gradient, receptive_fields


def _network(layers, size=32, channels=3):
    return keras.Sequential([keras.Input(shape=(size, size, channels)), *layers])


def test_the_recurrence_on_a_hand_worked_network():
    model = _network([keras.layers.Conv2D(4, 3, padding="same", name="a"),
                      keras.layers.Conv2D(4, 3, padding="same", name="b"),
                      keras.layers.MaxPooling2D(2, name="pool"),
                      keras.layers.ReLU(name="relu"),
                      keras.layers.Conv2D(4, 3, padding="same", name="c"),
                      keras.layers.Conv2D(4, (5, 3), strides=2, name="d"),
                      keras.layers.Flatten(), keras.layers.Dense(10)])
    fields = {f.layer: (f.size, f.jump) for f in receptive_fields(model)}
    # 1 -> 3 -> 5; pool 2: 5 + 1 = 6, jump 2; relu keeps it; 6 + 2*2 = 10; (10 + 4*2, 10 + 2*2)
    assert fields == {"a": ((3, 3), (1, 1)), "b": ((5, 5), (1, 1)), "pool": ((6, 6), (2, 2)),
                      "relu": ((6, 6), (2, 2)), "c": ((10, 10), (2, 2)),
                      "d": ((18, 14), (4, 4))}


@settings(max_examples=10, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["conv", "pool"]), st.integers(1, 4),
                          st.integers(1, 2)), min_size=1, max_size=4))
def test_the_gradient_sees_what_the_formula_says(stack):
    layers = []
    for n, (kind, k, s) in enumerate(stack):
        if kind == "conv":
            layers += [keras.layers.Conv2D(2, k, strides=s, padding="same", name=f"l{n}"),
                       keras.layers.ReLU(name=f"r{n}")]
        else:
            layers.append(keras.layers.MaxPooling2D(k, strides=s, padding="same", name=f"l{n}"))
    model = _network(layers, size=64, channels=1)   # every field (at most 46) fits
    last = receptive_fields(model)[-1]
    measured, mask = field_by_gradient(model, last.layer)
    assert mask.shape == (64, 64)
    assert measured == last.size, f"{stack}: gradient {measured}, formula {last.size}"


def test_an_unknown_layer_is_named():
    model = _network([keras.layers.Conv2D(2, 3), keras.layers.UpSampling2D(name="up")])
    with pytest.raises(ValueError, match="'up' \\(UpSampling2D\\)"):
        receptive_fields(model)


def test_layer_costs_count_multiply_adds_and_stored_activations():
    model = _network([keras.layers.Conv2D(8, 3, padding="same"), keras.layers.MaxPooling2D(2),
                      keras.layers.Flatten(), keras.layers.Dense(10)], size=8, channels=3)
    conv, pool, flat, dense = layer_costs(model)
    assert conv["output"] == (8, 8, 8) and conv["parameters"] == 3 * 3 * 3 * 8 + 8
    assert conv["mult_adds"] == 8 * 8 * (3 * 3 * 3) * 8 and conv["activations"] == 512
    assert pool["mult_adds"] == 0 and pool["activations"] == 128
    assert dense["mult_adds"] == 128 * 10 and flat["activations"] == 128
