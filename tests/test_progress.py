"""Console progress: one line per lesson, and a heartbeat in logs for long lessons."""

from __future__ import annotations

import io
from pathlib import Path

from rich.console import Console

from convlab.build.progress import ConsoleReporter
from convlab.build.project import Lesson


def test_log_lines_without_a_terminal():
    buffer = io.StringIO()
    reporter = ConsoleReporter(Console(file=buffer, width=100), log_every_s=30)
    lesson = Lesson(Path("lessons/02_dense_baseline.py"))
    reporter.start(lesson, "its code changed")
    for done, elapsed in [(0, 0.0), (1, 10.0), (2, 31.0), (3, 45.0), (4, 95.0)]:
        reporter.cell(done, 9, elapsed)
    reporter.finish(lesson, 96.0, None)
    reporter.cached(Lesson(Path("lessons/01_cifar10_data.py")))
    lines = buffer.getvalue().splitlines()
    assert lines[0].split() == ["running", "02_dense_baseline", "(its", "code", "changed)"]
    assert [line.strip() for line in lines[1:3]] == [
        "02_dense_baseline: 2/9 cells, 0:31", "02_dense_baseline: 4/9 cells, 1:35"]
    assert lines[3].split() == ["done", "02_dense_baseline", "in", "96.0", "s"]
    assert lines[4].split() == ["cached", "01_cifar10_data"]
