"""Timing training steps on the devices this machine has: CPU, and GPU when TensorFlow sees one.

The GPU-speed lesson asks "how much faster is a GPU?" and answers with measurements made when
the page is built. This module does the measuring; the lesson shows the results::

    rows = benchmark.training_speed(make_model, batch_sizes=(32, 128, 512))
    print(benchmark.device_statement(rows))   # says plainly when there is no GPU

Every figure is measured here and now: a device that is absent gives no row, never an
estimate. Timing follows :func:`convlab.speed.time_call`: warm-up calls excluded (tracing,
XLA compilation), the median of the timed repeats reported.

* :func:`devices`: the devices to time, ``["CPU"]`` plus ``"GPU"`` when one is visible.
* :func:`training_speed`: images/s of ``model.fit`` steps, per device and batch size, with
  an optional precision policy and XLA.
* :func:`speedups`: each row's images/s over the CPU's at the same batch size and variant.
* :func:`device_statement`: one sentence on what was measured and on which hardware.
* :func:`mixed_policy`: the mixed-precision policy that suits a device (or None).
* :func:`thread_scaling`: CPU images/s with 1, 2, ... threads, each in a fresh Python process
  (TensorFlow fixes its thread pools when it starts, so one process cannot measure several).
* :func:`tutorial_cnn`, :func:`fashion_cnn_a`: course networks that ``benchmarks/`` scripts
  reuse (the lessons type theirs out; tests check the two agree on the parameter count).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import keras
import numpy as np

from convlab import speed

SEED = 1234


@dataclass
class SpeedRow:
    """One measurement: a device, a batch size and a variant, in training images per second."""

    device: str  # "CPU" or "GPU"
    hardware: str  # the device's model name, e.g. "AMD EPYC 7B13" or "NVIDIA H100 80GB HBM3"
    batch_size: int
    variant: str  # "float32", "mixed_bfloat16", "float32 + XLA", ...
    images_per_second: float
    seconds_per_call: float  # median wall time of one timed call
    images_per_call: int


def gpus() -> list[str]:
    """The GPUs TensorFlow sees (physical device names); [] on a CPU-only machine."""
    import tensorflow as tf

    return [d.name for d in tf.config.list_physical_devices("GPU")]


def devices() -> list[str]:
    """``["CPU", "GPU"]`` when TensorFlow sees a GPU, else ``["CPU"]``."""
    return ["CPU", "GPU"] if gpus() else ["CPU"]


def hardware_name(device: str) -> str:
    """The model name of ``"CPU"`` or ``"GPU"`` (the first GPU), as TensorFlow reports it."""
    info = speed.device()
    if device == "CPU":
        return f"{info['cpu']} ({info['cores']} cores)"
    if device == "GPU":
        import tensorflow as tf

        found = tf.config.list_physical_devices("GPU")
        if not found:
            raise RuntimeError("no GPU: TensorFlow lists none on this machine")
        details = tf.config.experimental.get_device_details(found[0])
        return str(details.get("device_name", found[0].name))
    raise ValueError(f"device is 'CPU' or 'GPU', got {device!r}")


def cpu_supports_bfloat16() -> bool:
    """Whether this CPU has bfloat16 arithmetic (x86 AVX512_BF16 or AMX; Linux's cpuinfo)."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as f:
            flags = next((line for line in f if line.startswith("flags")), "")
    except OSError:
        return False
    return any(flag in flags.split() for flag in ("avx512_bf16", "amx_bf16"))


def mixed_policy(device: str) -> str | None:
    """``"mixed_float16"`` on a GPU with tensor cores (compute capability 7.0 or more),
    ``"mixed_bfloat16"`` on a CPU with bfloat16 units, else None (no mixed precision)."""
    if device == "GPU":
        import tensorflow as tf

        found = tf.config.list_physical_devices("GPU")
        if not found:
            return None
        capability = tf.config.experimental.get_device_details(found[0]).get(
            "compute_capability", (0, 0))
        return "mixed_float16" if tuple(capability) >= (7, 0) else None
    return "mixed_bfloat16" if cpu_supports_bfloat16() else None


def _random_images(n: int, shape: Sequence[int], classes: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(SEED)
    x = rng.integers(0, 256, (n, *shape), dtype=np.uint8).astype(np.float32) / 255 - 0.5
    y = rng.integers(0, classes, n).astype(np.int64)
    return x, y


def _tf_device(device: str) -> str:
    if device not in ("CPU", "GPU"):
        raise ValueError(f"device is 'CPU' or 'GPU', got {device!r}")
    return f"/{device}:0"


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
    untimed; the result is the median over ``repeats`` calls (:func:`speed.time_call`).
    ``policy`` sets a Keras dtype policy (e.g. ``"mixed_float16"``) while the model is built.
    """
    import tensorflow as tf

    steps = max(1, -(-images // batch_size))
    n = steps * batch_size
    previous = keras.config.dtype_policy()
    with tf.device(_tf_device(device)):
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

        timing = speed.time_call(one_epoch, warmup=warmup, repeats=repeats)
    variant = (policy or "float32") + (" + XLA" if jit_compile else "")
    return SpeedRow(device, hardware_name(device), batch_size, variant, n / timing.median,
                    timing.median, n)


def training_speed(
    make_model: Callable[[], keras.Model],
    *,
    batch_sizes: Iterable[int] = (32, 128, 512),
    devices_: Iterable[str] | None = None,
    images: int = 1024,
    repeats: int = 3,
) -> list[SpeedRow]:
    """float32 images/s for every device (default: :func:`devices`) and batch size."""
    todo = devices() if devices_ is None else list(devices_)
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


def device_statement(rows: Sequence[SpeedRow]) -> str:
    """One sentence: which hardware the figures come from, and plainly when there is no GPU."""
    cpu = next((r.hardware for r in rows if r.device == "CPU"), None)
    gpu = next((r.hardware for r in rows if r.device == "GPU"), None)
    if gpu is None:
        where = f" ({cpu})" if cpu else ""
        return (f"This page was built on a machine without a GPU: TensorFlow found none, so "
                f"every figure below is a CPU figure{where}. No GPU figure is shown, and none "
                "is estimated; build the page on a machine with a GPU to see the comparison.")
    return (f"This page was built on a machine with a GPU: the figures below compare the "
            f"{gpu} with the CPU ({cpu}), measured in the same run.")


# --------------------------------------------------------------------------- threads


def _thread_worker(threads: int, model_name: str, batch_size: int, images: int,
                   repeats: int) -> dict[str, Any]:
    """In a fresh process: fix TensorFlow's thread pools, then time the CPU."""
    import tensorflow as tf

    tf.config.threading.set_intra_op_parallelism_threads(threads)
    tf.config.threading.set_inter_op_parallelism_threads(threads)
    tf.config.set_visible_devices([], "GPU")
    row = time_training(MODELS[model_name], device="CPU", batch_size=batch_size,
                        images=images, repeats=repeats)
    return asdict(row) | {"threads": threads}


def fewer_threads() -> list[int]:
    """Thread counts below this machine's cores worth timing: 1, and half the cores when that
    is more than 1 (``[1]`` on 2 cores, ``[1, 4]`` on 8, ``[]`` on 1)."""
    cores = speed.device()["cores"]
    return sorted({n for n in (1, cores // 2) if 1 <= n < cores})


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
    set (``tf.config.threading``) at the start of a fresh process. ``threads`` defaults to 1
    and the number of cores this process may use (and half of them when that is more than 2).
    ``model_name`` is a key of :data:`MODELS`. Returns one dict per count: "threads",
    "images_per_second" and the other :class:`SpeedRow` fields.
    """
    cores = speed.device()["cores"]
    counts = sorted({1, max(1, cores // 2), cores}) if threads is None else list(threads)
    out = []
    for n in counts:
        args = json.dumps([n, model_name, batch_size, images, repeats])
        env = {**os.environ, "CUDA_VISIBLE_DEVICES": "", "TF_CPP_MIN_LOG_LEVEL": "3"}
        done = subprocess.run(
            [sys.executable, "-c", f"import json, convlab.benchmark as b; "
             f"print('RESULT', json.dumps(b._thread_worker(*json.loads({args!r}))))"],
            capture_output=True, text=True, env=env, timeout=timeout_s)
        line = next((ln for ln in done.stdout.splitlines() if ln.startswith("RESULT ")), None)
        if done.returncode != 0 or line is None:
            tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
            raise RuntimeError(f"the {n}-thread measurement failed: {' | '.join(tail)}")
        out.append(json.loads(line.removeprefix("RESULT ")))
    return out


# --------------------------------------------------------------------------- models


def tutorial_cnn() -> keras.Sequential:
    """The course's CIFAR-10 CNN (lessons/06_cifar10_cnn.py; 631,658 parameters).

    The softmax runs in float32 under a mixed policy, as Keras recommends."""
    return keras.Sequential([
        keras.Input(shape=(32, 32, 3)),
        keras.layers.Conv2D(64, (3, 3), padding="same", activation="relu"),
        keras.layers.Conv2D(64, (3, 3), padding="same", activation="relu"),
        keras.layers.MaxPooling2D((2, 2)),
        keras.layers.Conv2D(32, (3, 3), padding="same", activation="relu"),
        keras.layers.Conv2D(32, (3, 3), padding="same", activation="relu"),
        keras.layers.MaxPooling2D((2, 2)),
        keras.layers.Conv2D(16, (3, 3), padding="same", activation="relu"),
        keras.layers.Conv2D(16, (3, 3), padding="same", activation="relu"),
        keras.layers.Flatten(),
        keras.layers.Dense(512, activation="relu"),
        keras.layers.Dense(64, activation="relu"),
        keras.layers.Dense(10),
        keras.layers.Activation("softmax", dtype="float32"),
    ])


def fashion_cnn_a() -> keras.Sequential:
    """The Fashion-MNIST CNN A (lessons/07_fashion_mnist.py; 257,162 parameters).

    (n, 28, 28, 1) images in [0, 1] -> (n, 10) logits: train it with
    ``SparseCategoricalCrossentropy(from_logits=True)``, as the lesson does."""
    return keras.Sequential([
        keras.Input(shape=(28, 28, 1)),
        keras.layers.Conv2D(32, (3, 3), padding="same", activation="relu"),
        keras.layers.MaxPooling2D((2, 2)),
        keras.layers.Conv2D(64, (3, 3), padding="same", activation="relu"),
        keras.layers.MaxPooling2D((2, 2)),
        keras.layers.Conv2D(64, (3, 3), padding="same", activation="relu"),
        keras.layers.Flatten(),
        keras.layers.Dense(64, activation="relu"),
        keras.layers.Dense(10),
    ])


# Models the thread measurement can build by name in its subprocess.
MODELS: dict[str, Callable[[], keras.Model]] = {"tutorial_cnn": tutorial_cnn}
