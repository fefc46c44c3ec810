"""convlab.machine: one description of the machine, and what the course reads from it.

The rules (the precision choice, the names, the page box's line) are checked on described
machines, with and without GPUs and 16-bit units, so that the GPU branches run on a CPU too.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from convlab import machine

H100 = machine.GPU("NVIDIA H100 80GB HBM3", (9, 0))
P100 = machine.GPU("Tesla P100-PCIE-16GB", (6, 0))


def described(*gpus: machine.GPU, bfloat16: bool = False) -> machine.Machine:
    return machine.Machine(cpu="AMD EPYC 7B13", cores=8, cpu_bfloat16=bfloat16, gpus=gpus,
                           tensorflow="2.21.0")


def test_mixed_precision_follows_the_hardware():
    assert machine.mixed_policy("GPU", described(H100)) == "mixed_float16"
    assert machine.mixed_policy("GPU", described(P100)) is None        # no tensor cores
    assert machine.mixed_policy("GPU", described(machine.GPU("GPU?"))) is None
    assert machine.mixed_policy("GPU", described()) is None            # no GPU at all
    assert machine.mixed_policy("GPU", described(P100, H100)) is None  # the first GPU decides
    assert machine.mixed_policy("CPU", described(H100, bfloat16=True)) == "mixed_bfloat16"
    assert machine.mixed_policy("CPU", described(H100)) is None
    with pytest.raises(ValueError, match="CPU' or 'GPU"):
        machine.mixed_policy("TPU", described())


def test_devices_list_the_gpu_only_when_there_is_one():
    assert machine.devices(described()) == ["CPU"]
    assert machine.devices(described(H100)) == ["CPU", "GPU"]


def test_device_names_say_which_hardware():
    assert machine.device_name("CPU", described(H100)) == "AMD EPYC 7B13 (8 cores)"
    assert machine.device_name("GPU", described(H100, P100)) == "NVIDIA H100 80GB HBM3"
    with pytest.raises(RuntimeError, match="no GPU"):
        machine.device_name("GPU", described())
    assert described(H100).kind == "GPU" and described(H100).name == H100.name
    assert described().kind == "CPU" and described().name == "AMD EPYC 7B13"


def test_the_page_box_names_the_gpus_else_the_cpu_and_its_usable_cores():
    assert machine.summary(described(H100, P100)) == "NVIDIA H100 80GB HBM3, Tesla P100-PCIE-16GB"
    assert machine.summary(described()) == "AMD EPYC 7B13 (8 cores, no GPU)"


def test_this_machine_is_described_by_what_this_process_may_use():
    import tensorflow as tf

    here = machine.describe()
    assert here.cores == len(os.sched_getaffinity(0)) >= 1
    assert here.cpu == machine.cpu_model() and here.cpu
    assert len(here.gpus) == len(tf.config.list_physical_devices("GPU"))
    assert here.tensorflow == tf.__version__
    assert here.cpu_bfloat16 == machine.cpu_supports_bfloat16()


def test_the_build_tells_machines_apart_without_starting_tensorflow():
    code = ("import sys; from convlab import machine; print(machine.identity()); "
            "print('tensorflow' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    identity, imported = done.stdout.splitlines()
    here = machine.describe()
    assert identity.startswith(f"{here.cpu}, {here.cores} cores, ") and imported == "False"
    if not here.gpus:
        assert identity.endswith("no GPU") and machine.summary(here).endswith("no GPU)")


def test_hardware_key_names_device_cores_and_tensorflow():
    two = machine.hardware_key(described=described())
    assert two == "CPU:AMD EPYC 7B13|cpu:AMD EPYC 7B13|cores:8|tf:2.21.0|float32"
    sixteen = machine.Machine(cpu="AMD EPYC 7B13", cores=16, cpu_bfloat16=False,
                              tensorflow="2.21.0")
    assert machine.hardware_key(described=sixteen) != two  # a bigger container measures again
    assert "GPU:NVIDIA H100" in machine.hardware_key(described=described(H100))
    assert (machine.hardware_key("bfloat16", described())
            != machine.hardware_key("float32", described()))
