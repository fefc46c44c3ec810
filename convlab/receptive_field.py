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
change one unit (a nonzero gradient). Sizes and jumps are in input pixels,
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


def _linear_copy(layer: keras.layers.Layer) -> keras.layers.Layer | None:
    """``layer`` with the same windows but linear: a convolution without its activation (new
    random weights), average pooling for max pooling; ``None`` for a pointwise layer."""
    config = {k: v for k, v in layer.get_config().items() if k != "name"}
    if isinstance(layer, keras.layers.Conv2D):
        return type(layer).from_config({**config, "activation": None})
    if isinstance(layer, keras.layers.MaxPooling2D | keras.layers.AveragePooling2D):
        return keras.layers.AveragePooling2D.from_config(config)
    if isinstance(layer, _POINTWISE):
        return None
    raise ValueError(f"field_by_gradient does not know how layer {layer.name!r} "
                     f"({type(layer).__name__}) moves pixels")


def field_by_gradient(model: keras.Sequential, layer: str) -> tuple[tuple[int, int], np.ndarray]:
    """The receptive field of one unit of ``layer`` (the one nearest the middle of its map),
    measured: the input pixels whose gradient, for that unit (summed over its channels), is
    not zero.

    For one image, ReLU passes a gradient only where a unit was active and max pooling only to
    the pixel that won its window, so the pixels one image's gradient reaches are a subset of
    the field. The check therefore runs on a linear copy of the network with the same windows
    (no activations, average pooling, random weights). A linear function's gradient is the
    change one unit step of each input makes, so it is read exactly by nudging one pixel (all
    its channels) at a time, in one batch: pixel ``p``'s entry is ``f(e_p) - f(0)``. Returns
    the extent of the pixels with a nonzero entry (height, width) and their (H, W) boolean
    mask over the input.
    """
    names = [each.name for each in model.layers]
    if layer not in names:
        raise ValueError(f"the model has no layer {layer!r}; it has {', '.join(names)}")
    copies = [_linear_copy(each) for each in model.layers[:names.index(layer) + 1]]
    linear = keras.Sequential([keras.Input(shape=model.input_shape[1:]),
                               *[c for c in copies if c is not None]])
    out_h, out_w = linear.output_shape[1:3]
    height, width, channels = model.input_shape[1:]
    nudges = np.zeros((height * width + 1, height, width, channels), dtype="float32")
    nudges[np.arange(height * width), *np.divmod(np.arange(height * width), width)] = 1.0
    units = keras.ops.convert_to_numpy(linear.predict(nudges, batch_size=256, verbose=0))
    units = units[:, out_h // 2, out_w // 2, :].sum(axis=-1)   # the unit, summed over channels
    gradient = (units[:-1] - units[-1]).reshape(height, width)  # the last image is all zeros
    seen = np.abs(gradient) > 1e-6 * (np.abs(gradient).max() or 1.0)
    rows, cols = np.nonzero(seen)
    if rows.size == 0:
        return (0, 0), seen
    return (int(rows.max() - rows.min() + 1), int(cols.max() - cols.min() + 1)), seen
