"""convlab.speed: the matmul rate, measured once per machine and read from its cache."""

from __future__ import annotations

import json

import pytest

from convlab import machine, speed, timing


def test_matmul_rate_is_2n3_over_the_median(monkeypatch):
    seen = {}

    def fake_time_call(fn, *, warmup=1, repeats=5):
        fn()  # really runs one product
        seen["repeats"] = repeats
        return timing.Timing((0.5, 0.25, 2.0))

    monkeypatch.setattr(timing, "time_call", fake_time_call)
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
    monkeypatch.setattr(machine, "hardware_key",
                        lambda dtype="float32": f"{key['value']}|{dtype}")
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
