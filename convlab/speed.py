"""Measuring speed: the machine's matmul rate, a model's FLOPs, and a small timing helper.

Three questions, three functions:

* ``peak_matmul_rate()``: how many float32 FLOP/s this machine's dense matmul reaches
  (measured once per machine with ``matmul_flops_per_second`` and cached in a JSON file).
* ``model_flops(model)``: how many FLOPs one sample costs in a forward pass (Conv and Dense
  layers only); ``training_flops(model)`` is the usual 3x-forward estimate for a training step.
* ``time_call(fn)``: median and best wall time of a call, warm-up calls excluded.

Together they say how well a training loop uses the hardware: achieved training FLOP/s
(``training_flops(model) * images/s``) as a fraction of ``peak_matmul_rate()``. A small CNN on
a CPU reaching 20-50% of the matmul rate is doing well; a few % means the time goes elsewhere
(input pipeline, Python, small layers).
"""

from __future__ import annotations

import json
import math
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import keras

from convlab import machine, report, settings

CACHE_VERSION = 1
# The measurement stops growing n once one matmul takes this long (seconds): long enough for
# a stable rate, short enough that the whole measurement stays around a second on two cores.
_TARGET_CALL_S = 0.05
_MAX_N = 8192


# --------------------------------------------------------------------------- timing


@dataclass(frozen=True)
class Timing:
    """Wall times of repeated calls, in seconds, warm-up calls not included."""

    times: tuple[float, ...]  # one per timed call, in call order, seconds

    @property
    def median(self) -> float:
        """Median of ``times`` (seconds): the number to report."""
        return statistics.median(self.times)

    @property
    def min(self) -> float:
        """Fastest call (seconds): the best the machine did, least disturbed by other work."""
        return min(self.times)


def time_call(fn: Callable[[], Any], *, warmup: int = 1, repeats: int = 5) -> Timing:
    """Call ``fn()`` ``warmup`` times untimed, then ``repeats`` times timed (perf_counter).

    The warm-up calls absorb one-off costs (tracing, compilation, caches). ``fn`` must finish
    its work before it returns: for TensorFlow on a GPU, fetch a result (``.numpy()``).
    """
    if repeats < 1:
        raise ValueError(f"repeats must be at least 1, got {repeats}")
    if warmup < 0:
        raise ValueError(f"warmup must be 0 or more, got {warmup}")
    report.append(report.Event.HARDWARE, {"measured": "time_call"})  # this machine's results
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return Timing(tuple(times))


# --------------------------------------------------------------------------- the machine


def device() -> dict[str, Any]:
    """What TensorFlow computes on by default (:func:`convlab.machine.describe`), as a dict.

    Returns {"kind": "GPU" or "CPU", "name": the first GPU's or the CPU's model name,
    "cpu": CPU model, "cores": usable cores (int), "tensorflow": version}.
    """
    described = machine.describe()
    return {"kind": described.kind, "name": described.name, "cpu": described.cpu,
            "cores": described.cores, "tensorflow": described.tensorflow}


def hardware_key(dtype: str = "float32") -> str:
    """A string naming this machine for the cache: device, CPU, cores, TF version, dtype.

    A different CPU or GPU, another core count (a bigger container) or another TensorFlow
    gives another key, so ``peak_matmul_rate`` measures again there.
    """
    d = device()
    return f"{d['kind']}:{d['name']}|cpu:{d['cpu']}|cores:{d['cores']}|tf:{d['tensorflow']}|{dtype}"


def cache_path() -> Path:
    """``$XDG_CACHE_HOME/convlab/speed.json``, else ``~/.cache/convlab/speed.json``."""
    return settings.user_cache_dir() / "convlab" / "speed.json"


# --------------------------------------------------------------------------- matmul rate


def matmul_flops_per_second(
    dtype: str = "float32", n: int | None = None, repeats: int = 7
) -> float:
    """Measure the dense matmul rate of TensorFlow's default device, in FLOP/s.

    Times ``tf.linalg.matmul`` of two (n, n) matrices of ``dtype`` inside a ``tf.function``
    (2 * n**3 FLOPs per product; the result is reduced to a scalar and fetched, so GPU work is
    finished when the clock stops). One warm-up call is excluded; the rate is 2 * n**3 over
    the median of ``repeats`` calls. With ``n=None`` n starts at 1024 and doubles (up to
    8192) until one product takes 50 ms: about 1 s in all on two CPU cores.

    On a GPU TensorFlow multiplies float32 with TF32 tensor cores where it can, as it does in
    float32 training, so this is the rate float32 training can hope for there.
    """
    import tensorflow as tf

    tf_dtype = tf.as_dtype(dtype)

    @tf.function
    def product(a: tf.Tensor, b: tf.Tensor) -> tf.Tensor:
        return tf.reduce_sum(tf.cast(tf.linalg.matmul(a, b), tf.float32))

    def operands(size: int) -> tuple[tf.Tensor, tf.Tensor]:
        a = tf.cast(tf.random.uniform((size, size), -1.0, 1.0), tf_dtype)
        b = tf.cast(tf.random.uniform((size, size), -1.0, 1.0), tf_dtype)
        return a, b

    size = n or 1024
    a, b = operands(size)
    if n is None:
        while True:
            probe = time_call(lambda a=a, b=b: product(a, b).numpy(), warmup=1, repeats=1)
            if probe.median >= _TARGET_CALL_S or size >= _MAX_N:
                break
            size *= 2
            a, b = operands(size)
    timing = time_call(lambda: product(a, b).numpy(), warmup=1, repeats=repeats)
    return 2.0 * size**3 / timing.median


def _read_cache(path: Path) -> dict[str, Any]:
    """The cache's entries by hardware key; {} when the file is missing, unreadable or odd."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("version") != CACHE_VERSION:
        return {}
    entries = data.get("entries")
    return entries if isinstance(entries, dict) else {}


def _write_cache(path: Path, entries: dict[str, Any]) -> None:
    """Replace the cache file atomically; a cache that cannot be written is only skipped."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".speed-", suffix=".json")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump({"version": CACHE_VERSION, "entries": entries}, f, indent=1)
        os.replace(tmp, path)
    except OSError:
        pass


def peak_matmul_rate(dtype: str = "float32", *, refresh: bool = False) -> float:
    """This machine's dense matmul rate in FLOP/s, measured once and then read from a cache.

    The cache (``cache_path()``) holds one entry per ``hardware_key(dtype)``: another machine,
    GPU, core count or TensorFlow version measures again (``matmul_flops_per_second``, about
    1 s) and adds its entry. A corrupt cache file is replaced; ``refresh=True`` re-measures.
    """
    report.append(report.Event.HARDWARE, {"measured": "peak_matmul_rate"})
    path = cache_path()
    key = hardware_key(dtype)
    entries = _read_cache(path)
    entry = entries.get(key)
    if not refresh and isinstance(entry, dict):
        rate = entry.get("flops_per_second")
        if isinstance(rate, int | float) and math.isfinite(rate) and rate > 0:
            return float(rate)
    rate = float(matmul_flops_per_second(dtype))
    entries[key] = {
        "flops_per_second": rate,
        "measured": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    _write_cache(path, entries)
    return rate


# --------------------------------------------------------------------------- model FLOPs

_CONV_TYPES = (keras.layers.Conv1D, keras.layers.Conv2D, keras.layers.Conv3D)


def _shape(tensor_or_shape: Any) -> tuple[int | None, ...]:
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
