"""convlab.flops: FLOPs of Conv and Dense layers counted by hand, and how a rate prints."""

from __future__ import annotations

import keras
import pytest

from convlab import flops

L = keras.layers


def small_layers() -> list[keras.layers.Layer]:
    return [
        L.Conv2D(4, 3),  # (8, 8, 3) -> (6, 6, 4): 2 * 6*6 * 3*3*3 * 4 = 7,776
        L.MaxPooling2D(),  # -> (3, 3, 4): 0
        L.Conv2D(5, 1, padding="same", activation="relu"),  # 2 * 3*3 * 1*1*4 * 5 = 360
        L.Conv2D(6, 3, strides=2, padding="same"),  # -> (2, 2, 6): 2 * 2*2 * 3*3*5 * 6 = 2,160
        L.Flatten(),  # 24
        L.Dense(7, activation="relu"),  # 2 * 24 * 7 = 336
        L.Dropout(0.5),  # 0
        L.Dense(2),  # 2 * 7 * 2 = 28
    ]


SMALL_FLOPS = 7_776 + 360 + 2_160 + 336 + 28


def test_model_flops_counts_conv_and_dense_by_hand():
    model = keras.Sequential([keras.Input((8, 8, 3)), *small_layers()])
    assert flops.model_flops(model) == SMALL_FLOPS
    assert flops.training_flops(model) == 3 * SMALL_FLOPS


def test_model_flops_from_batch_shape_on_an_unbuilt_model():
    model = keras.Sequential(small_layers())
    with pytest.raises(ValueError, match="batch_shape"):
        flops.model_flops(model)
    assert flops.model_flops(model, (None, 8, 8, 3)) == SMALL_FLOPS


def test_dense_on_a_sequence_counts_every_position():
    model = keras.Sequential([keras.Input((5, 4)), L.Dense(3)])
    assert flops.model_flops(model) == 2 * 5 * 4 * 3


def test_nested_model_is_counted():
    inner = keras.Sequential([keras.Input((8, 8, 3)), *small_layers()])
    outer = keras.Sequential([keras.Input((8, 8, 3)), inner, L.Dense(4)])
    assert flops.model_flops(outer) == SMALL_FLOPS + 2 * 2 * 4


def test_tutorial_cifar10_cnn():
    def conv(filters):
        return L.Conv2D(filters, 3, padding="same", activation="relu")

    model = keras.Sequential([
        keras.Input((32, 32, 3)), conv(64), conv(64), L.MaxPooling2D(),
        conv(32), conv(32), L.MaxPooling2D(), conv(16), conv(16), L.Flatten(),
        L.Dense(512, activation="relu"), L.Dense(64, activation="relu"), L.Dense(10),
    ])
    convs = 2 * (1024 * 27 * 64 + 1024 * 576 * 64 + 256 * 576 * 32 + 256 * 288 * 32
                 + 64 * 288 * 16 + 64 * 144 * 16)
    dense = 2 * (1024 * 512 + 512 * 64 + 64 * 10)
    assert flops.model_flops(model) == convs + dense == 95_192_320


def test_format_rate():
    assert flops.format_rate(2.46e11) == "246 GFLOP/s"
    assert flops.format_rate(5.2e13) == "52.0 TFLOP/s"


def test_a_residual_block_counts_its_convolutions_and_not_the_addition():
    inputs = keras.Input(shape=(8, 8, 4))
    x = keras.layers.Conv2D(4, 3, padding="same")(inputs)
    x = keras.layers.Add()([x, inputs])
    model = keras.Model(inputs, x)
    assert flops.model_flops(model) == 2 * 8 * 8 * (3 * 3 * 4) * 4
    add = flops.layer_costs(model)[-1]
    assert add["mult_adds"] == 0 and add["activations"] == 8 * 8 * 4
