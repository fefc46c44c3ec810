"""Training throughput, in images per second, on the devices this machine has.

The GPU-speed lesson asks "how much faster is a GPU?" and answers with measurements made when
the page's run is made. This module does the measuring; the lesson states what they show::

    rows = throughput.training_speed(make_model, batch_sizes=(32, 128, 512))

Every figure is measured here and now: a device that is absent gives no row, never an
estimate. Timing follows :func:`convlab.timing.time_call`: warm-up calls excluded (tracing,
XLA compilation), the median of the timed repeats reported. Which devices there are and what
they are called comes from :mod:`convlab.machine`.

* :func:`time_training`: images/s of ``model.fit`` on one device, for one batch size, with
  an optional precision policy and XLA; :func:`training_speed`: float32, every device and
  batch size.
* :func:`speedups`: each row's images/s over the CPU's at the same batch size and variant.
* :func:`thread_scaling`: CPU images/s with 1, 2, ... threads, each in a fresh Python process
  (TensorFlow fixes its thread pools when it starts, so one process cannot measure several).
  Each process runs this module: ``python -m convlab.throughput --threads N --model NAME``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import keras
import numpy as np

from convlab import machine, models, timing

SEED = 1234
RESULT = "RESULT "  # the line of ``python -m convlab.throughput``'s output that holds the result


@dataclass
class SpeedRow:
    """One measurement: a device, a batch size and a variant, in training images per second."""

    device: str  # "CPU" or "GPU"
    hardware: str  # the device's model name, e.g. "AMD EPYC 7B13 (2 cores)" or "NVIDIA H100"
    batch_size: int
    variant: str  # "float32", "mixed_bfloat16", "float32 + XLA", ...
    images_per_second: float
    seconds_per_call: float  # median wall time of one timed call
    images_per_call: int


def _random_images(n: int, shape: Sequence[int], classes: int) -> tuple[np.ndarray, np.ndarray]:
    """(n, *shape) float32 pixels in [-0.5, 0.5] and (n,) int64 labels below ``classes``."""
    rng = np.random.default_rng(SEED)
    x = rng.integers(0, 256, (n, *shape), dtype=np.uint8).astype(np.float32) / 255 - 0.5
    y = rng.integers(0, classes, n).astype(np.int64)
    return x, y


def time_training(
    make_model: Callable[[], keras.Model],
    *,
    device: str = "CPU",
    batch_size: int = 32,
    images: int = 1024,
    policy: str | None = None,
    jit_compile: bool = False,
    repeats: int = 3,
    warmup: int = 1,
) -> SpeedRow:
    """Images/s of ``model.fit`` on random images, on one device, for one batch size.

    ``make_model()`` builds an uncompiled model (softmax output); it is compiled here with
    Adam and sparse categorical cross-entropy. Each timed call is ``model.fit`` for one epoch
    over ``images`` random images (rounded up to whole batches), the first ``warmup`` calls
    untimed; the result is the median over ``repeats`` calls (:func:`timing.time_call`).
    ``policy`` sets a Keras dtype policy (e.g. ``"mixed_float16"``) while the model is built.
    """
    import tensorflow as tf

    hardware = machine.device_name(device)  # refuses a device other than "CPU" or "GPU"
    steps = max(1, -(-images // batch_size))
    n = steps * batch_size
    previous = keras.config.dtype_policy()
    with tf.device(f"/{device}:0"):
        try:
            if policy:
                keras.config.set_dtype_policy(policy)
            keras.utils.set_random_seed(SEED)
            model = make_model()
        finally:
            keras.config.set_dtype_policy(previous)
        shape = tuple(model.input_shape[1:])
        classes = int(model.output_shape[-1])
        x, y = _random_images(n, shape, classes)
        model.compile(optimizer=keras.optimizers.Adam(1e-3),
                      loss="sparse_categorical_crossentropy", jit_compile=jit_compile)

        def one_epoch() -> None:
            model.fit(x, y, batch_size=batch_size, epochs=1, verbose=0, shuffle=False)

        measured = timing.time_call(one_epoch, warmup=warmup, repeats=repeats)
    variant = (policy or "float32") + (" + XLA" if jit_compile else "")
    return SpeedRow(device, hardware, batch_size, variant, n / measured.median, measured.median,
                    n)


def training_speed(
    make_model: Callable[[], keras.Model],
    *,
    batch_sizes: Iterable[int] = (32, 128, 512),
    on: Iterable[str] | None = None,
    images: int = 1024,
    repeats: int = 3,
) -> list[SpeedRow]:
    """float32 images/s for every device ``on`` (default: :func:`convlab.machine.devices`) and batch
    size."""
    todo = machine.devices() if on is None else list(on)
    return [time_training(make_model, device=d, batch_size=b, images=max(images, b),
                          repeats=repeats)
            for d in todo for b in batch_sizes]


def speedups(rows: Sequence[SpeedRow]) -> dict[tuple[str, int, str], float]:
    """Images/s of each row over the CPU's at the same batch size and variant (CPU rows: 1.0).

    Rows without a CPU counterpart are left out."""
    cpu = {(r.batch_size, r.variant): r.images_per_second for r in rows if r.device == "CPU"}
    return {(r.device, r.batch_size, r.variant): r.images_per_second / cpu[(r.batch_size,
                                                                           r.variant)]
            for r in rows if (r.batch_size, r.variant) in cpu}


# --------------------------------------------------------------------------- threads


def fewer_threads(cores: int | None = None) -> list[int]:
    """Thread counts below ``cores`` (default: this process's usable cores) worth timing: 1,
    and half the cores when that is more than 1 (``[1]`` on 2 cores, ``[1, 4]`` on 8,
    ``[]`` on 1)."""
    cores = machine.describe().cores if cores is None else cores
    return sorted({n for n in (1, cores // 2) if 1 <= n < cores})


def time_with_threads(threads: int, model_name: str = "tutorial_cnn", *, batch_size: int = 128,
                      images: int = 512, repeats: int = 3) -> dict[str, Any]:
    """CPU images/s of model ``model_name`` (a key of :data:`convlab.models.BY_NAME`) with
    TensorFlow's thread pools set to ``threads``.

    Only meaningful as the first TensorFlow work of a fresh process (the pools are sized
    once): :func:`thread_scaling` runs it so, through ``python -m convlab.throughput``.
    Returns the :class:`SpeedRow` fields and "threads"."""
    import tensorflow as tf

    tf.config.threading.set_intra_op_parallelism_threads(threads)
    tf.config.threading.set_inter_op_parallelism_threads(threads)
    tf.config.set_visible_devices([], "GPU")
    row = time_training(models.BY_NAME[model_name], device="CPU", batch_size=batch_size,
                        images=images, repeats=repeats)
    return asdict(row) | {"threads": threads}


def thread_scaling(
    model_name: str = "tutorial_cnn",
    *,
    threads: Iterable[int] | None = None,
    batch_size: int = 128,
    images: int = 512,
    repeats: int = 3,
    timeout_s: float = 600,
) -> list[dict[str, Any]]:
    """CPU images/s with each thread count, each measured in its own Python process.

    TensorFlow sizes its thread pools once, when it first runs an operation, so the count is
    set (``tf.config.threading``) at the start of a fresh process, ``python -m
    convlab.throughput``. ``threads`` defaults to 1, half the cores this process may use and
    all of them. ``model_name`` is a key of :data:`convlab.models.BY_NAME`. Returns one dict
    per count: "threads", "images_per_second" and the other :class:`SpeedRow` fields.
    """
    if model_name not in models.BY_NAME:
        raise ValueError(f"model_name is one of {sorted(models.BY_NAME)}, got {model_name!r}")
    cores = machine.describe().cores
    counts = sorted({1, max(1, cores // 2), cores}) if threads is None else list(threads)
    env = {**os.environ, "CUDA_VISIBLE_DEVICES": "", "TF_CPP_MIN_LOG_LEVEL": "3"}
    out = []
    for n in counts:
        command = [sys.executable, "-m", "convlab.throughput", "--threads", str(n),
                   "--model", model_name, "--batch-size", str(batch_size),
                   "--images", str(images), "--repeats", str(repeats)]
        done = subprocess.run(command, capture_output=True, text=True, env=env,
                              timeout=timeout_s)
        line = next((ln for ln in done.stdout.splitlines() if ln.startswith(RESULT)), None)
        if done.returncode != 0 or line is None:
            tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
            raise RuntimeError(f"the {n}-thread measurement failed: {' | '.join(tail)}")
        out.append(json.loads(line.removeprefix(RESULT)))
    return out


def main(argv: list[str] | None = None) -> int:
    """``python -m convlab.throughput --threads N [--model NAME] ...``: one thread-count
    measurement (:func:`time_with_threads`), printed as ``RESULT {json}``."""
    parser = argparse.ArgumentParser(
        prog="python -m convlab.throughput",
        description="CPU training images/s of a course network with N TensorFlow threads.")
    parser.add_argument("--threads", type=int, required=True, help="TensorFlow's thread pools")
    parser.add_argument("--model", default="tutorial_cnn", choices=sorted(models.BY_NAME))
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--images", type=int, default=512, help="images per timed call")
    parser.add_argument("--repeats", type=int, default=3, help="timed calls; the median counts")
    args = parser.parse_args(argv)
    result = time_with_threads(args.threads, args.model, batch_size=args.batch_size,
                               images=args.images, repeats=args.repeats)
    print(RESULT + json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
