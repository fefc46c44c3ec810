"""convlab.speed: the matmul rate and its cache, model FLOPs, the timing helper."""

from __future__ import annotations

import json
import time

import keras
import pytest

from convlab import speed

L = keras.layers


# --------------------------------------------------------------------------- model_flops


def small_layers() -> list[keras.layers.Layer]:
    return [
        L.Conv2D(4, 3),  # (8, 8, 3) -> (6, 6, 4): 2 * 6*6 * 3*3*3 * 4 = 7,776
        L.MaxPooling2D(),  # -> (3, 3, 4): 0
        L.Conv2D(5, 1, padding="same", activation="relu"),  # 2 * 3*3 * 1*1*4 * 5 = 360
        L.Conv2D(6, 3, strides=2, padding="same"),  # -> (2, 2, 6): 2 * 2*2 * 3*3*5 * 6 = 2,160
        L.Flatten(),  # 24
        L.Dense(7, activation="relu"),  # 2 * 24 * 7 = 336
        L.Dropout(0.5),  # 0
        L.Dense(2),  # 2 * 7 * 2 = 28
    ]


SMALL_FLOPS = 7_776 + 360 + 2_160 + 336 + 28


def test_model_flops_counts_conv_and_dense_by_hand():
    model = keras.Sequential([keras.Input((8, 8, 3)), *small_layers()])
    assert speed.model_flops(model) == SMALL_FLOPS
    assert speed.training_flops(model) == 3 * SMALL_FLOPS


def test_model_flops_from_batch_shape_on_an_unbuilt_model():
    model = keras.Sequential(small_layers())
    with pytest.raises(ValueError, match="batch_shape"):
        speed.model_flops(model)
    assert speed.model_flops(model, (None, 8, 8, 3)) == SMALL_FLOPS


def test_dense_on_a_sequence_counts_every_position():
    model = keras.Sequential([keras.Input((5, 4)), L.Dense(3)])
    assert speed.model_flops(model) == 2 * 5 * 4 * 3


def test_nested_model_is_counted():
    inner = keras.Sequential([keras.Input((8, 8, 3)), *small_layers()])
    outer = keras.Sequential([keras.Input((8, 8, 3)), inner, L.Dense(4)])
    assert speed.model_flops(outer) == SMALL_FLOPS + 2 * 2 * 4


def test_tutorial_cifar10_cnn():
    def conv(filters):
        return L.Conv2D(filters, 3, padding="same", activation="relu")

    model = keras.Sequential([
        keras.Input((32, 32, 3)), conv(64), conv(64), L.MaxPooling2D(),
        conv(32), conv(32), L.MaxPooling2D(), conv(16), conv(16), L.Flatten(),
        L.Dense(512, activation="relu"), L.Dense(64, activation="relu"), L.Dense(10),
    ])
    convs = 2 * (1024 * 27 * 64 + 1024 * 576 * 64 + 256 * 576 * 32 + 256 * 288 * 32
                 + 64 * 288 * 16 + 64 * 144 * 16)
    dense = 2 * (1024 * 512 + 512 * 64 + 64 * 10)
    assert speed.model_flops(model) == convs + dense == 95_192_320


# --------------------------------------------------------------------------- time_call


def test_time_call_leaves_out_the_warm_up():
    calls = []

    def fn():
        calls.append(1)
        time.sleep(0.3 if len(calls) == 1 else 0.002)

    timing = speed.time_call(fn, warmup=1, repeats=4)
    assert len(calls) == 5
    assert len(timing.times) == 4
    assert timing.median < 0.1  # the slow first call is not among them
    assert timing.min <= timing.median <= max(timing.times)


def test_time_call_without_warm_up_times_the_first_call():
    calls = []

    def fn():
        calls.append(1)
        time.sleep(0.2 if len(calls) == 1 else 0.001)

    timing = speed.time_call(fn, warmup=0, repeats=3)
    assert timing.times[0] >= 0.2 and timing.min < 0.1


def test_time_call_rejects_no_repeats():
    with pytest.raises(ValueError):
        speed.time_call(lambda: None, repeats=0)


# --------------------------------------------------------------------------- matmul rate


def test_matmul_rate_is_2n3_over_the_median(monkeypatch):
    seen = {}

    def fake_time_call(fn, *, warmup=1, repeats=5):
        fn()  # really runs one product
        seen["repeats"] = repeats
        return speed.Timing((0.5, 0.25, 2.0))

    monkeypatch.setattr(speed, "time_call", fake_time_call)
    rate = speed.matmul_flops_per_second(n=64, repeats=3)
    assert rate == 2 * 64**3 / 0.5
    assert seen["repeats"] == 3


def test_matmul_rate_measures_something_real():
    rate = speed.matmul_flops_per_second(n=128, repeats=2)
    assert 1e6 < rate < 1e16


@pytest.fixture
def cache(tmp_path, monkeypatch):
    """An empty cache folder, a fixed hardware key "A", and a measuring function that counts."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    key = {"value": "A"}
    monkeypatch.setattr(speed, "hardware_key", lambda dtype="float32": f"{key['value']}|{dtype}")
    measured = []

    def fake_measure(dtype="float32", n=None, repeats=7):
        measured.append(key["value"])
        return 1e9 * len(measured)

    monkeypatch.setattr(speed, "matmul_flops_per_second", fake_measure)
    return {"path": tmp_path / "convlab" / "speed.json", "key": key, "measured": measured}


def test_peak_is_measured_once_then_read_from_the_cache(cache):
    assert speed.cache_path() == cache["path"]
    assert speed.peak_matmul_rate() == 1e9
    assert speed.peak_matmul_rate() == 1e9
    assert cache["measured"] == ["A"]
    entries = json.loads(cache["path"].read_text())["entries"]
    assert entries["A|float32"]["flops_per_second"] == 1e9


def test_other_hardware_measures_again_and_keeps_both(cache):
    speed.peak_matmul_rate()
    cache["key"]["value"] = "B"
    assert speed.peak_matmul_rate() == 2e9
    assert cache["measured"] == ["A", "B"]
    cache["key"]["value"] = "A"
    assert speed.peak_matmul_rate() == 1e9  # A's entry is still there
    assert cache["measured"] == ["A", "B"]


def test_corrupt_cache_is_replaced(cache):
    cache["path"].parent.mkdir(parents=True)
    for junk in ("{not json", '{"version": 1, "entries": {"A|float32": {"flops_per_second": -1}}}',
                 "[1, 2]"):
        cache["path"].write_text(junk)
        speed.peak_matmul_rate()
        assert json.loads(cache["path"].read_text())["version"] == speed.CACHE_VERSION
    assert len(cache["measured"]) == 3


def test_refresh_measures_again(cache):
    speed.peak_matmul_rate()
    assert speed.peak_matmul_rate(refresh=True) == 2e9
    assert speed.peak_matmul_rate() == 2e9


def test_unwritable_cache_still_answers(cache, tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))  # convlab/ cannot be made under a file
    assert speed.peak_matmul_rate() == 1e9


def test_cache_path_defaults_to_home(monkeypatch, tmp_path):
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert speed.cache_path() == tmp_path / ".cache" / "convlab" / "speed.json"


def test_hardware_key_names_device_cores_and_tensorflow(monkeypatch):
    info = {"kind": "CPU", "name": "X", "cpu": "X", "cores": 2, "tensorflow": "2.21.0"}
    monkeypatch.setattr(speed, "device", lambda: dict(info))
    two = speed.hardware_key()
    info["cores"] = 16
    assert speed.hardware_key() != two
    info.update(kind="GPU", name="NVIDIA H100")
    assert "NVIDIA H100" in speed.hardware_key()
    assert speed.hardware_key("bfloat16") != speed.hardware_key("float32")


def test_format_rate():
    assert speed.format_rate(2.46e11) == "246 GFLOP/s"
    assert speed.format_rate(5.2e13) == "52.0 TFLOP/s"
