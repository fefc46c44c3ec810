"""convlab.timing: median and best wall time of a call, warm-up calls left out."""

from __future__ import annotations

import time

import pytest

from convlab import report, settings, timing


def test_time_call_leaves_out_the_warm_up():
    calls = []

    def fn():
        calls.append(1)
        time.sleep(0.3 if len(calls) == 1 else 0.002)

    measured = timing.time_call(fn, warmup=1, repeats=4)
    assert len(calls) == 5
    assert len(measured.times) == 4
    assert measured.median < 0.1  # the slow first call is not among them
    assert measured.min <= measured.median <= max(measured.times)


def test_time_call_without_warm_up_times_the_first_call():
    calls = []

    def fn():
        calls.append(1)
        time.sleep(0.2 if len(calls) == 1 else 0.001)

    measured = timing.time_call(fn, warmup=0, repeats=3)
    assert measured.times[0] >= 0.2 and measured.min < 0.1


def test_time_call_rejects_no_repeats():
    with pytest.raises(ValueError):
        timing.time_call(lambda: None, repeats=0)


def test_time_call_declares_the_run_hardware_dependent(monkeypatch, tmp_path):
    monkeypatch.setenv(settings.RUN_DIR_ENV, str(tmp_path))
    timing.time_call(lambda: None, warmup=0, repeats=1)
    assert report.read(tmp_path, report.Event.HARDWARE) == [
        {"kind": "hardware", "measured": "time_call"}]
