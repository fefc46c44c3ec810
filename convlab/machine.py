"""The machine the course runs on: its CPU, the cores this process may use, the GPUs TensorFlow
can use, and which 16-bit arithmetic they have.

Every part of convlab that names or chooses by the hardware asks here: the box at the top of a
page (:func:`summary`), the speed lesson's tables and its mixed-precision choice
(:func:`device_name`, :func:`mixed_policy`), the matmul-rate cache (:mod:`convlab.speed`, by
:func:`hardware_key`), the training log and the benchmark scripts. So a page cannot name one
GPU in its box and time another::

    described = machine.describe()           # asked once per process
    machine.summary(described)               # "AMD EPYC 7B13 (2 cores, no GPU)", or the GPUs
    machine.mixed_policy("GPU", described)   # "mixed_float16", "mixed_bfloat16" or None

TensorFlow is imported only inside :func:`gpus` (and so :func:`describe`), so importing this
module costs nothing. :func:`mixed_policy`, :func:`device_name` and :func:`summary` are pure
functions of a :class:`Machine`: tests describe a machine with or without a GPU and check
the choice without one.
"""

from __future__ import annotations

import functools
import os
import platform
from dataclasses import dataclass
from pathlib import Path

# Tensor cores that multiply float16 arrived with compute capability 7.0 (NVIDIA Volta).
FLOAT16_COMPUTE_CAPABILITY = (7, 0)
# /proc/cpuinfo flags of x86 CPUs with bfloat16 arithmetic.
BFLOAT16_CPU_FLAGS = ("avx512_bf16", "amx_bf16")


@dataclass(frozen=True)
class GPU:
    """One GPU TensorFlow can use."""

    name: str  # the model name, e.g. "NVIDIA H100 80GB HBM3"
    compute_capability: tuple[int, int] | None = None  # (major, minor); None where not reported

    @property
    def float16(self) -> bool:
        """Whether it has tensor cores for float16 (compute capability 7.0 or more)."""
        return (self.compute_capability is not None
                and tuple(self.compute_capability) >= FLOAT16_COMPUTE_CAPABILITY)


@dataclass(frozen=True)
class Machine:
    """What this process computes on: the CPU, its usable cores, the GPUs TensorFlow can use."""

    cpu: str  # the CPU's model name, e.g. "AMD EPYC 7B13"
    cores: int  # cores this process may run on (the container's share, not the host's)
    cpu_bfloat16: bool  # whether the CPU has bfloat16 arithmetic
    gpus: tuple[GPU, ...] = ()  # in TensorFlow's order; () on a CPU-only machine
    tensorflow: str = ""  # TensorFlow's version, e.g. "2.21.0"

    @property
    def kind(self) -> str:
        """``"GPU"`` when TensorFlow can use one (it computes there by default), else ``"CPU"``."""
        return "GPU" if self.gpus else "CPU"

    @property
    def name(self) -> str:
        """The model name of the default device: the first GPU, else the CPU."""
        return self.gpus[0].name if self.gpus else self.cpu


# --------------------------------------------------------------------------- probing


def cpu_model() -> str:
    """The CPU's model name from /proc/cpuinfo (Linux), e.g. ``"AMD EPYC 7B13"``, else
    ``platform.processor()``."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as f:
            for line in f:
                if line.lower().startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown CPU"


def usable_cores() -> int:
    """Cores this process may run on: its affinity mask (a container's share), else all."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def cpu_supports_bfloat16() -> bool:
    """Whether this CPU has bfloat16 arithmetic (x86 AVX512_BF16 or AMX; Linux's cpuinfo)."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as f:
            flags = next((line for line in f if line.startswith("flags")), "")
    except OSError:
        return False
    return any(flag in flags.split() for flag in BFLOAT16_CPU_FLAGS)


@functools.cache
def gpus() -> tuple[GPU, ...]:
    """The GPUs TensorFlow can use, with their names and compute capabilities; ``()`` on a
    CPU-only machine (or where ``CUDA_VISIBLE_DEVICES`` hides them). Asked once per process:
    TensorFlow fixes the devices it sees when it starts."""
    import tensorflow as tf

    found = []
    for device in tf.config.list_physical_devices("GPU"):
        details = tf.config.experimental.get_device_details(device)
        capability = details.get("compute_capability")
        found.append(GPU(str(details.get("device_name", device.name)),
                         tuple(capability) if capability else None))
    return tuple(found)


def driver_gpus() -> tuple[str, ...]:
    """The NVIDIA GPUs the driver lists (``/proc/driver/nvidia/gpus/*/information``), by model
    name, without starting TensorFlow; ``()`` where there is no such driver."""
    names = []
    for info in sorted(Path("/proc/driver/nvidia/gpus").glob("*/information")):
        try:
            text = info.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        names += [line.split(":", 1)[1].strip() for line in text.splitlines()
                  if line.startswith("Model:")]
    return tuple(names)


def identity() -> str:
    """This machine as the build tells machines apart, in milliseconds and without
    TensorFlow: the CPU model, usable cores and the GPUs the driver lists, e.g.
    ``"AMD EPYC 7B13, 2 cores, no GPU"``. A run whose results depend on the machine is made
    again where this differs."""
    gpus_found = driver_gpus()
    return (f"{cpu_model()}, {usable_cores()} cores, "
            + (", ".join(gpus_found) if gpus_found else "no GPU"))


def tensorflow_version() -> str:
    """TensorFlow's version, e.g. ``"2.21.0"`` (imports TensorFlow)."""
    import tensorflow as tf

    return tf.__version__


@functools.cache
def describe() -> Machine:
    """This machine, described once per process (imports TensorFlow to list its GPUs)."""
    return Machine(cpu=cpu_model(), cores=usable_cores(), cpu_bfloat16=cpu_supports_bfloat16(),
                   gpus=gpus(), tensorflow=tensorflow_version())


# --------------------------------------------------------------------------- what it means


def devices(described: Machine | None = None) -> list[str]:
    """The devices to time: ``["CPU", "GPU"]`` when TensorFlow can use a GPU, else ``["CPU"]``."""
    described = described or describe()
    return ["CPU", "GPU"] if described.gpus else ["CPU"]


def _check_device(device: str) -> None:
    if device not in ("CPU", "GPU"):
        raise ValueError(f"device is 'CPU' or 'GPU', got {device!r}")


def device_name(device: str, described: Machine | None = None) -> str:
    """The hardware behind ``"CPU"`` (``"AMD EPYC 7B13 (2 cores)"``) or ``"GPU"`` (the first
    GPU's model name); a RuntimeError for ``"GPU"`` on a machine without one."""
    _check_device(device)
    described = described or describe()
    if device == "CPU":
        return f"{described.cpu} ({described.cores} cores)"
    if not described.gpus:
        raise RuntimeError("no GPU: TensorFlow lists none on this machine")
    return described.gpus[0].name


def mixed_policy(device: str, described: Machine | None = None) -> str | None:
    """The Keras mixed-precision policy that suits ``device`` ("CPU" or "GPU") here.

    ``"mixed_float16"`` on a GPU with tensor cores (the first GPU; compute capability 7.0 or
    more), ``"mixed_bfloat16"`` on a CPU with bfloat16 units, else None: the hardware has no
    16-bit arithmetic, and mixed precision would only be slower.
    """
    _check_device(device)
    described = described or describe()
    if device == "GPU":
        return "mixed_float16" if described.gpus and described.gpus[0].float16 else None
    return "mixed_bfloat16" if described.cpu_bfloat16 else None


def summary(described: Machine | None = None) -> str:
    """One line for the box at the top of a page: the GPU(s) TensorFlow can use, else the CPU
    model and its usable cores, e.g. ``"AMD EPYC 7B13 (2 cores, no GPU)"``."""
    described = described or describe()
    if described.gpus:
        return ", ".join(gpu.name for gpu in described.gpus)
    return f"{described.cpu} ({described.cores} cores, no GPU)"


def cpu_summary() -> str:
    """The line of :func:`summary` for a run that never imported TensorFlow (so it computed on
    the CPU), read without importing it: ``"AMD EPYC 7B13 (2 cores)"``."""
    return f"{cpu_model()} ({usable_cores()} cores)"


def hardware_key(dtype: str = "float32", described: Machine | None = None) -> str:
    """A string naming this machine for a cache of its measurements (the matmul rate's,
    :func:`convlab.speed.peak_matmul_rate`): the default device, the CPU, the usable cores,
    TensorFlow's version and ``dtype``, e.g.
    ``"CPU:AMD EPYC 7B13|cpu:AMD EPYC 7B13|cores:2|tf:2.21.0|float32"``.

    A different CPU or GPU, another core count (a bigger container) or another TensorFlow
    gives another key, so a measurement is made again there."""
    d = described or describe()
    return f"{d.kind}:{d.name}|cpu:{d.cpu}|cores:{d.cores}|tf:{d.tensorflow}|{dtype}"
