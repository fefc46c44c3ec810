"""Console progress: one line per lesson, and a heartbeat in logs while a lesson runs."""

from __future__ import annotations

import io
import time
from pathlib import Path

from rich.console import Console

from convlab.publish.progress import ConsoleReporter
from convlab.publish.project import Lesson


def test_log_lines_without_a_terminal():
    buffer = io.StringIO()
    reporter = ConsoleReporter(Console(file=buffer, width=100), log_every_s=0.2)
    lesson = Lesson(Path("lessons/02_dense_baseline.py"))
    reporter.start(lesson, "its code changed")
    reporter.cell(0, 9, 0.0)
    reporter.cell(4, 9, 0.1)
    time.sleep(0.5)  # a long cell: the heartbeat speaks meanwhile
    reporter.finish(lesson, 96.0, None)
    reporter.reused(Lesson(Path("lessons/01_cifar10_data.py")), "quick run from the cache")
    lines = buffer.getvalue().splitlines()
    assert lines[0].split() == ["running", "02_dense_baseline", "(its", "code", "changed)"]
    beats = lines[1:-2]
    assert beats and all("02_dense_baseline: 4/9 cells done, 0:00 elapsed" in b for b in beats)
    assert lines[-2].split() == ["done", "02_dense_baseline", "in", "96.0", "s"]
    assert lines[-1].split() == ["reused", "01_cifar10_data", "(quick", "run", "from", "the",
                                 "cache)"]


def test_failure_line():
    buffer = io.StringIO()
    reporter = ConsoleReporter(Console(file=buffer, width=100))
    lesson = Lesson(Path("lessons/02_dense_baseline.py"))
    reporter.start(lesson, "not in the cache")
    reporter.finish(lesson, 0.0, "boom")
    assert buffer.getvalue().splitlines()[-1].split() == ["FAILED", "02_dense_baseline"]


def test_logs_are_not_wrapped_at_80_columns(capfd):
    from convlab.publish.progress import console

    long = "done     02_dense_baseline in 43.0 s " + "x" * 120
    console(stderr=True).print(long)
    assert long in capfd.readouterr().err.splitlines()
