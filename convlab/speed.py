"""The machine's dense matmul rate, measured once per machine and cached.

* ``peak_matmul_rate()``: how many float32 FLOP/s this machine's dense matmul reaches, read
  from a JSON cache (:func:`cache_path`) with one entry per machine
  (:func:`convlab.machine.hardware_key`), measured the first time there;
* ``matmul_flops_per_second()``: the measurement itself, about a second on two CPU cores.

It is the yardstick for a training loop: achieved training FLOP/s
(:func:`convlab.flops.training_flops` x images/s) over ``peak_matmul_rate()``. Timing is
:func:`convlab.timing.time_call`'s, FLOP counts are in :mod:`convlab.flops`, and the machine is
described by :mod:`convlab.machine`.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from convlab import machine, report, settings, timing

CACHE_VERSION = 1
# The measurement stops growing n once one matmul takes this long (seconds): long enough for
# a stable rate, short enough that the whole measurement stays around a second on two cores.
_TARGET_CALL_S = 0.05
_MAX_N = 8192


def cache_path() -> Path:
    """``$XDG_CACHE_HOME/convlab/speed.json``, else ``~/.cache/convlab/speed.json``."""
    return settings.user_cache_dir() / "convlab" / "speed.json"


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
            probe = timing.time_call(lambda a=a, b=b: product(a, b).numpy(), warmup=1, repeats=1)
            if probe.median >= _TARGET_CALL_S or size >= _MAX_N:
                break
            size *= 2
            a, b = operands(size)
    measured = timing.time_call(lambda: product(a, b).numpy(), warmup=1, repeats=repeats)
    return 2.0 * size**3 / measured.median


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

    The cache (``cache_path()``) holds one entry per ``machine.hardware_key(dtype)``: another
    GPU, core count or TensorFlow version measures again (``matmul_flops_per_second``, about
    1 s) and adds its entry. A corrupt cache file is replaced; ``refresh=True`` re-measures.
    """
    report.append(report.Event.HARDWARE, {"measured": "peak_matmul_rate"})
    path = cache_path()
    key = machine.hardware_key(dtype)
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
