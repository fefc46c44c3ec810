"""convlab.throughput: timing training steps per device, the thread sweep in fresh processes,
and the GPU page on a CPU-only build."""

from __future__ import annotations

from pathlib import Path

import keras
import pytest

from convlab import machine, throughput
from convlab.publish import placeholders
from convlab.publish.execute import execute
from convlab.publish.profile import load_profile
from convlab.publish.project import Project

REPO = Path(__file__).resolve().parents[1]


def tiny_model() -> keras.Model:
    return keras.Sequential([
        keras.Input(shape=(8, 8, 3)),
        keras.layers.Conv2D(4, 3, activation="relu"),
        keras.layers.Flatten(),
        keras.layers.Dense(3, activation="softmax"),
    ])


def row(device: str, batch: int, rate: float, variant: str = "float32") -> throughput.SpeedRow:
    hardware = "Some GPU" if device == "GPU" else "Some CPU (2 cores)"
    return throughput.SpeedRow(device, hardware, batch, variant, rate, batch / rate, batch)


def test_time_training_measures_whole_batches_on_the_cpu():
    r = throughput.time_training(tiny_model, batch_size=16, images=40, repeats=2)
    assert (r.device, r.batch_size, r.variant, r.images_per_call) == ("CPU", 16, "float32", 48)
    assert r.images_per_second > 0
    assert r.images_per_second == pytest.approx(48 / r.seconds_per_call)
    assert "cores" in r.hardware


def test_time_training_names_its_variant_and_restores_the_policy():
    r = throughput.time_training(tiny_model, batch_size=8, images=8, repeats=1,
                                policy="mixed_bfloat16", jit_compile=False)
    assert r.variant == "mixed_bfloat16"
    assert keras.config.dtype_policy().name == "float32"


def test_training_speed_on_the_cpu_gives_one_row_per_batch_size():
    rows = throughput.training_speed(tiny_model, batch_sizes=(4, 8), on=["CPU"],
                                    images=8, repeats=1)
    assert [(r.device, r.batch_size) for r in rows] == [("CPU", 4), ("CPU", 8)]
    assert throughput.training_speed(tiny_model, on=[]) == []


def test_unknown_devices_are_refused():
    with pytest.raises(ValueError, match="CPU' or 'GPU"):
        throughput.time_training(tiny_model, device="TPU")


def test_speedups_divide_by_the_cpu_at_the_same_batch():
    rows = [row("CPU", 32, 100), row("CPU", 128, 200), row("GPU", 32, 1000),
            row("GPU", 128, 6000), row("GPU", 512, 9000)]
    ratios = throughput.speedups(rows)
    assert ratios[("CPU", 32, "float32")] == 1.0
    assert ratios[("GPU", 128, "float32")] == pytest.approx(30.0)
    assert ("GPU", 512, "float32") not in ratios       # no CPU figure to compare with


def test_the_cpu_row_names_the_cpu_and_its_usable_cores():
    r = throughput.time_training(tiny_model, batch_size=8, images=8, repeats=1)
    assert r.hardware == machine.device_name("CPU")
    assert f"({machine.describe().cores} cores)" in r.hardware


def test_a_gpu_row_needs_a_gpu():
    if machine.describe().gpus:
        pytest.skip("this machine has a GPU")
    with pytest.raises(RuntimeError, match="no GPU"):
        throughput.time_training(tiny_model, device="GPU")


def test_fewer_threads_stay_below_the_cores():
    for cores, expected in [(1, []), (2, [1]), (8, [1, 4]), (16, [1, 8])]:
        assert throughput.fewer_threads(cores) == expected
    assert throughput.fewer_threads() == throughput.fewer_threads(machine.describe().cores)


def test_the_thread_sweep_runs_each_count_in_its_own_process():
    rows = throughput.thread_scaling("fashion_cnn_a", threads=[1], batch_size=8, images=8,
                                     repeats=1)
    assert [(r["threads"], r["device"], r["batch_size"]) for r in rows] == [(1, "CPU", 8)]
    assert rows[0]["images_per_second"] > 0


def test_the_thread_sweep_refuses_an_unknown_model():
    with pytest.raises(ValueError, match="tutorial_cnn"):
        throughput.thread_scaling("no_such_model", threads=[1])


# --------------------------------------------------------------------------- the lesson


@pytest.fixture
def gpu_lesson_tiny_profile(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.toml"
    path.write_text('description = "tiny"\nbudget_s = 300\n[lessons.gpu_speed]\n'
                    "timed_images = 32\nrepeats = 1\ntrain_size = 30\nepochs = 1\n")
    return path


@pytest.mark.slow
def test_the_gpu_page_on_a_cpu_build_says_so_and_shows_no_gpu_figure(
        data_dir, gpu_lesson_tiny_profile, monkeypatch):
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "")     # a CPU build, even on a GPU machine
    lesson = next(lesson for lesson in Project(REPO).lessons() if lesson.slug == "gpu_speed")
    run = execute(lesson, load_profile(gpu_lesson_tiny_profile), cwd=REPO)
    prose = []
    for cell in run.notebook.cells:
        if cell.cell_type == "markdown" and placeholders.find(cell.source):
            prose.append(placeholders.fill(cell.source, cell.metadata["convlab"]["values"]))
    text = "\n".join(prose)
    assert "GPUs TensorFlow found when this page's run was made: **none**" in text
    assert "nothing on this\npage is a GPU figure" in text
    results = {r["name"]: r["value"] for r in run.results}
    assert results["gpu_rows"] == 0 and results["gpus_seen"] == 0
    assert not [name for name in results if name.startswith("gpu_images")]
    assert [name for name in results if name.startswith("cpu_images_per_second")]
    tables = "\n".join(o.get("text", "") + str(o.get("data", {}))
                       for c in run.notebook.cells if c.cell_type == "code" for o in c.outputs)
    assert "| GPU |" not in tables
