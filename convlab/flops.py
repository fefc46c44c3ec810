"""Counting a model's floating-point operations (FLOPs), and printing a rate of them.

* ``model_flops(model)``: how many FLOPs one sample costs in a forward pass (Conv and Dense
  layers only: 2 per multiply-add);
* ``training_flops(model)``: the usual estimate for a training step, 3 x the forward pass;
* ``format_rate(flops_per_second)``: ``"246 GFLOP/s"``;
* ``layer_costs(model)``: per layer, its multiply-adds and the activations it stores for one
  sample (CS231n's VGG table).

With a measured training rate they say how well a training loop uses the hardware: achieved
training FLOP/s (``training_flops(model) * images/s``) as a fraction of the machine's matmul
rate (:func:`convlab.speed.peak_matmul_rate`). A small CNN on a CPU reaching 20-50% of it is
doing well; a few % means the time goes elsewhere (input pipeline, Python, small layers).
"""

from __future__ import annotations

import math
from typing import Any

import keras

_CONV_TYPES = (keras.layers.Conv1D, keras.layers.Conv2D, keras.layers.Conv3D)


def _shape(tensor_or_shape: Any) -> tuple[int | None, ...]:
    """The shape of a tensor or shape; of the first, for a layer with several inputs (an Add
    of a residual block: they share their shape)."""
    if isinstance(tensor_or_shape, list | tuple) and tensor_or_shape and \
            hasattr(tensor_or_shape[0], "shape"):
        tensor_or_shape = tensor_or_shape[0]
    shape = getattr(tensor_or_shape, "shape", tensor_or_shape)
    return tuple(None if d is None else int(d) for d in shape)


def _layer_flops(layer: keras.layers.Layer, in_shape: tuple, out_shape: tuple) -> int:
    """Forward FLOPs per sample of one layer (2 per multiply-add); 0 for other layer types.

    Shapes include the batch axis, e.g. (None, 32, 32, 3).
    """
    if isinstance(layer, _CONV_TYPES):
        channels_last = layer.data_format == "channels_last"
        c_in = in_shape[-1] if channels_last else in_shape[1]
        spatial = out_shape[1:-1] if channels_last else out_shape[2:]
        per_position = math.prod(layer.kernel_size) * (c_in // layer.groups) * layer.filters
        return 2 * math.prod(spatial) * per_position
    if isinstance(layer, keras.layers.Dense):
        # A Dense layer on (batch, ..., in) applies the same (in, out) matrix at every position.
        return 2 * math.prod(in_shape[1:-1]) * in_shape[-1] * layer.units
    return 0


def model_flops(model: keras.Model, batch_shape: tuple[int | None, ...] | None = None) -> int:
    """Forward-pass FLOPs for ONE sample: 2 x the multiply-adds of Conv and Dense layers.

    Conv: 2 * H_out * W_out * kh * kw * C_in * C_out (per group for grouped convolutions);
    Dense on (..., in): 2 * in * out at each position. Biases, activations, pooling,
    normalisation and every other layer count 0: they are a small share in a CNN and no
    matmul-bound work. ``model`` is a built Sequential or functional model (its layers know
    their input and output shapes), or a Sequential ``batch_shape`` builds the shapes for,
    e.g. ``(None, 32, 32, 3)``; nested models are counted layer by layer.
    """
    total = 0
    if batch_shape is not None:
        shape = tuple(batch_shape)
        for layer in model.layers:
            if isinstance(layer, keras.Model):
                total += model_flops(layer, shape)
            out = _shape(layer.compute_output_shape(shape))
            total += _layer_flops(layer, shape, out)
            shape = out
        return total
    for layer in model.layers:
        if isinstance(layer, keras.Model):
            total += model_flops(layer)
            continue
        try:
            in_shape, out_shape = _shape(layer.input), _shape(layer.output)
        except (AttributeError, ValueError) as exc:
            raise ValueError(
                f"layer {layer.name!r} has no known input shape: build the model with "
                "keras.Input(...) or pass batch_shape=(None, ...)"
            ) from exc
        total += _layer_flops(layer, in_shape, out_shape)
    return total


def training_flops(model: keras.Model, batch_shape: tuple[int | None, ...] | None = None) -> int:
    """FLOPs one sample costs in a training step: about 3 x ``model_flops``.

    The standard approximation: the backward pass costs about twice the forward pass (one
    product for the gradient with respect to the inputs, one for the weights).
    """
    return 3 * model_flops(model, batch_shape)


def format_rate(flops_per_second: float) -> str:
    """1.23e11 -> "123 GFLOP/s"; TFLOP/s from 1e12 on."""
    if flops_per_second >= 1e12:
        return f"{flops_per_second / 1e12:.1f} TFLOP/s"
    return f"{flops_per_second / 1e9:.0f} GFLOP/s"


def layer_costs(model: keras.Model) -> list[dict[str, Any]]:
    """What each layer of a built model costs for ONE sample: ``{"layer", "output" (shape
    without the batch axis), "parameters", "mult_adds" (multiply-adds of its Conv or Dense
    arithmetic, 0 for other layers), "activations" (numbers in its output, what training
    keeps in memory for the backward pass: 4 bytes each in float32)}``."""
    rows = []
    for layer in model.layers:
        in_shape, out_shape = _shape(layer.input), _shape(layer.output)
        rows.append({"layer": layer.name, "output": out_shape[1:],
                     "parameters": layer.count_params(),
                     "mult_adds": _layer_flops(layer, in_shape, out_shape) // 2,
                     "activations": math.prod(out_shape[1:])})
    return rows
