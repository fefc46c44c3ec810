"""Receptive fields: which input pixels one unit of a layer can see, by formula and by gradient.

A unit of a convolution sees a ``k x k`` window of the layer below; each unit there sees a
window of the layer below it, and so on down to the image. Along one axis, with ``k`` the
kernel (or pooling window) and ``s`` the stride of layer ``l``:

* the **jump** ``j_l = j_{l-1} * s_l``: input pixels between two neighbouring units of layer
  ``l`` (``j_0 = 1`` for the image);
* the **size** ``r_l = r_{l-1} + (k_l - 1) * j_{l-1}``: input pixels one unit sees
  (``r_0 = 1``).

:func:`receptive_fields` applies the recurrence to a Keras model's layers;
:func:`field_by_gradient` finds the same window by asking TensorFlow which input pixels can
change one unit (a nonzero gradient for some input). Sizes and jumps are in input pixels,
``(height, width)``; a field can reach past the image's edge, where "same" padding sees zeros.
"""

from __future__ import annotations

from dataclasses import dataclass

import keras
import numpy as np

_WINDOWED = (keras.layers.Conv2D, keras.layers.MaxPooling2D, keras.layers.AveragePooling2D)
# Layers that keep every pixel where it is: they change no receptive field.
_POINTWISE = (keras.layers.Activation, keras.layers.ReLU, keras.layers.BatchNormalization,
              keras.layers.Dropout, keras.layers.LeakyReLU)


@dataclass(frozen=True)
class Field:
    """The receptive field of the units of one layer, in input pixels (height, width)."""

    layer: str
    size: tuple[int, int]  # pixels of the input one unit sees
    jump: tuple[int, int]  # input pixels between neighbouring units


def _window(layer: keras.layers.Layer) -> tuple[tuple[int, int], tuple[int, int]]:
    """A windowed layer's (kernel or pool size, stride), each (height, width)."""
    if isinstance(layer, keras.layers.Conv2D):
        if tuple(layer.dilation_rate) != (1, 1):
            raise ValueError(f"layer {layer.name!r} is dilated; receptive_fields counts "
                             "plain windows only")
        return tuple(layer.kernel_size), tuple(layer.strides)
    return tuple(layer.pool_size), tuple(layer.strides)


def receptive_fields(model: keras.Sequential) -> list[Field]:
    """The receptive field of each layer of a Sequential CNN, up to its first Flatten or
    global pooling (after which every unit sees the whole image); by the recurrence in the
    module's docstring. Raises ``ValueError`` for a layer whose effect it does not know."""
    size, jump = (1, 1), (1, 1)
    fields = []
    for layer in model.layers:
        if isinstance(layer, keras.layers.Flatten | keras.layers.GlobalAveragePooling2D
                      | keras.layers.GlobalMaxPooling2D):
            break
        if isinstance(layer, _WINDOWED):
            k, s = _window(layer)
            size = tuple(r + (kk - 1) * j for r, kk, j in zip(size, k, jump, strict=True))
            jump = tuple(j * ss for j, ss in zip(jump, s, strict=True))
        elif not isinstance(layer, _POINTWISE):
            raise ValueError(f"receptive_fields does not know how layer {layer.name!r} "
                             f"({type(layer).__name__}) moves pixels")
        fields.append(Field(layer.name, size, jump))
    return fields


def field_by_gradient(model: keras.Sequential, layer: str, *, samples: int = 8,
                      seed: int = 0) -> tuple[tuple[int, int], np.ndarray]:
    """The receptive field of one unit of ``layer`` (the one nearest the middle of its map),
    found by gradients: the input pixels where the gradient of that unit (summed over its
    channels) is nonzero for at least one of ``samples`` random inputs. Max pooling and ReLU
    pass a gradient to only some pixels for a given input, so several inputs are combined.

    Returns the field's (height, width), the extent of those pixels, and the (H, W) boolean
    mask of them over the input.
    """
    import tensorflow as tf

    inputs = keras.Input(shape=model.input_shape[1:])
    x = inputs
    for each in model.layers:
        x = each(x)
        if each.name == layer:
            break
    else:
        raise ValueError(f"the model has no layer {layer!r}; it has "
                         f"{', '.join(each.name for each in model.layers)}")
    upto = keras.Model(inputs, x)
    out_h, out_w = upto.output_shape[1:3]
    i, j = out_h // 2, out_w // 2
    rng = np.random.default_rng(seed)
    seen = np.zeros(model.input_shape[1:3], dtype=bool)
    for _ in range(samples):
        image = tf.Variable(rng.normal(size=(1, *model.input_shape[1:])).astype("float32"))
        with tf.GradientTape() as tape:
            unit = tf.reduce_sum(upto(image)[0, i, j, :])
        gradient = tape.gradient(unit, image).numpy()[0]
        seen |= np.abs(gradient).sum(axis=-1) > 0
    rows, cols = np.nonzero(seen)
    if rows.size == 0:
        return (0, 0), seen
    return (int(rows.max() - rows.min() + 1), int(cols.max() - cols.min() + 1)), seen
