"""convlab.benchmark: timing training steps per device, and the GPU page on a CPU-only build."""

from __future__ import annotations

from pathlib import Path

import keras
import pytest

from convlab import benchmark
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


def row(device: str, batch: int, rate: float, variant: str = "float32") -> benchmark.SpeedRow:
    hardware = "Some GPU" if device == "GPU" else "Some CPU (2 cores)"
    return benchmark.SpeedRow(device, hardware, batch, variant, rate, batch / rate, batch)


def test_time_training_measures_whole_batches_on_the_cpu():
    r = benchmark.time_training(tiny_model, batch_size=16, images=40, repeats=2)
    assert (r.device, r.batch_size, r.variant, r.images_per_call) == ("CPU", 16, "float32", 48)
    assert r.images_per_second > 0
    assert r.images_per_second == pytest.approx(48 / r.seconds_per_call)
    assert "cores" in r.hardware


def test_time_training_names_its_variant_and_restores_the_policy():
    r = benchmark.time_training(tiny_model, batch_size=8, images=8, repeats=1,
                                policy="mixed_bfloat16", jit_compile=False)
    assert r.variant == "mixed_bfloat16"
    assert keras.config.dtype_policy().name == "float32"


def test_training_speed_on_the_cpu_gives_one_row_per_batch_size():
    rows = benchmark.training_speed(tiny_model, batch_sizes=(4, 8), devices_=["CPU"],
                                    images=8, repeats=1)
    assert [(r.device, r.batch_size) for r in rows] == [("CPU", 4), ("CPU", 8)]
    assert benchmark.training_speed(tiny_model, devices_=[]) == []


def test_unknown_devices_are_refused():
    with pytest.raises(ValueError, match="CPU' or 'GPU"):
        benchmark.time_training(tiny_model, device="TPU")


def test_speedups_divide_by_the_cpu_at_the_same_batch():
    rows = [row("CPU", 32, 100), row("CPU", 128, 200), row("GPU", 32, 1000),
            row("GPU", 128, 6000), row("GPU", 512, 9000)]
    ratios = benchmark.speedups(rows)
    assert ratios[("CPU", 32, "float32")] == 1.0
    assert ratios[("GPU", 128, "float32")] == pytest.approx(30.0)
    assert ("GPU", 512, "float32") not in ratios       # no CPU figure to compare with


def test_the_statement_says_plainly_when_there_is_no_gpu():
    text = benchmark.device_statement([row("CPU", 32, 100), row("CPU", 128, 150)])
    assert "without a GPU" in text and "Some CPU" in text
    assert "GPU figure is shown" in text
    text = benchmark.device_statement([row("CPU", 32, 100), row("GPU", 32, 900)])
    assert "with a GPU" in text and "Some GPU" in text and "without" not in text


def test_devices_lists_the_gpu_only_when_tensorflow_sees_one():
    assert benchmark.devices() == (["CPU", "GPU"] if benchmark.gpus() else ["CPU"])


def test_mixed_policy_follows_the_hardware(monkeypatch):
    monkeypatch.setattr(benchmark, "cpu_supports_bfloat16", lambda: True)
    assert benchmark.mixed_policy("CPU") == "mixed_bfloat16"
    monkeypatch.setattr(benchmark, "cpu_supports_bfloat16", lambda: False)
    assert benchmark.mixed_policy("CPU") is None
    if not benchmark.gpus():
        assert benchmark.mixed_policy("GPU") is None


def test_fewer_threads_stay_below_the_cores(monkeypatch):
    for cores, expected in [(1, []), (2, [1]), (8, [1, 4]), (16, [1, 8])]:
        monkeypatch.setattr(benchmark.speed, "device", lambda c=cores: {"cores": c})
        assert benchmark.fewer_threads() == expected


def test_the_tutorial_cnn_has_the_tutorials_parameter_count():
    assert benchmark.tutorial_cnn().count_params() == 631_658


def test_fashion_cnn_a_has_the_tutorials_parameter_count_and_logits():
    model = benchmark.fashion_cnn_a()
    assert model.count_params() == 257_162
    assert model.output_shape == (None, 10)
    assert model.layers[-1].activation is keras.activations.linear


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
    assert "built on a machine without a GPU" in text
    assert "No GPU figure is shown" in text
    results = {r["name"]: r["value"] for r in run.results}
    assert results["gpu_rows"] == 0 and results["gpus_seen"] == 0
    assert not [name for name in results if name.startswith("gpu_images")]
    assert [name for name in results if name.startswith("cpu_images_per_second")]
    tables = "\n".join(o.get("text", "") + str(o.get("data", {}))
                       for c in run.notebook.cells if c.cell_type == "code" for o in c.outputs)
    assert "| GPU |" not in tables
