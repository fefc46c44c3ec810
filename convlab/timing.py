"""Timing a call: median and best wall time, warm-up calls excluded.

``time_call(fn)`` calls ``fn`` a few times untimed (tracing, compilation and caches fill up
there), then times ``repeats`` calls with ``time.perf_counter`` and returns a :class:`Timing`::

    timing = time_call(lambda: model.predict(x, verbose=0), warmup=1, repeats=5)
    timing.median   # seconds: the number to report
    timing.min      # seconds: the best the machine did

A timed result is this machine's, so in a build ``time_call`` reports a hardware event
(:data:`convlab.report.Event.HARDWARE`): the page says so, and the cache runs the lesson again
on another machine.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from convlab import report


@dataclass(frozen=True)
class Timing:
    """Wall times of repeated calls, in seconds, warm-up calls not included."""

    times: tuple[float, ...]  # one per timed call, in call order, seconds

    @property
    def median(self) -> float:
        """Median of ``times`` (seconds): the number to report."""
        return statistics.median(self.times)

    @property
    def min(self) -> float:
        """Fastest call (seconds): the best the machine did, least disturbed by other work."""
        return min(self.times)


def time_call(fn: Callable[[], Any], *, warmup: int = 1, repeats: int = 5) -> Timing:
    """Call ``fn()`` ``warmup`` times untimed, then ``repeats`` times timed (perf_counter).

    The warm-up calls absorb one-off costs (tracing, compilation, caches). ``fn`` must finish
    its work before it returns: for TensorFlow on a GPU, fetch a result (``.numpy()``).
    """
    if repeats < 1:
        raise ValueError(f"repeats must be at least 1, got {repeats}")
    if warmup < 0:
        raise ValueError(f"warmup must be 0 or more, got {warmup}")
    report.append(report.Event.HARDWARE, {"measured": "time_call"})  # this machine's results
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return Timing(tuple(times))
