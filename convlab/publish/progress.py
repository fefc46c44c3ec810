"""Progress on the console: which lesson, how far through its cells, time elapsed.

On a terminal a live bar shows the running lesson. In a log (CI, a redirected build) there is
one line per lesson, plus a heartbeat line every ``log_every_s`` seconds while one runs.
"""

from __future__ import annotations

import threading
import time

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from convlab.publish.project import Lesson

LOG_WIDTH = 200  # columns for tables when the output is a log, not a terminal


def console(stderr: bool = False) -> Console:
    """A rich console that never wraps a line when writing to a log (CI, a redirected build)."""
    probe = Console(stderr=stderr)
    width = None if probe.is_terminal else LOG_WIDTH
    return Console(stderr=stderr, highlight=False, soft_wrap=not probe.is_terminal, width=width)


class ConsoleReporter:
    """Prints build progress with rich."""

    def __init__(self, output: Console | None = None, log_every_s: float = 30.0) -> None:
        self.console = output or console(stderr=True)
        self.log_every_s = log_every_s
        self.progress: Progress | None = None
        self.task = None
        self.lesson = ""
        self.done, self.total, self.started = 0, 0, 0.0
        self.stop = threading.Event()
        self.heartbeat: threading.Thread | None = None

    def reused(self, lesson: Lesson, where: str) -> None:
        """Say that ``lesson``'s page comes from an earlier run (``where``)."""
        self.console.print(f"[green]reused[/]   {lesson.name} ({where})")

    def start(self, lesson: Lesson, reason: str) -> None:
        """Say why ``lesson`` runs; start a bar (terminal) or a heartbeat (log)."""
        self.console.print(f"[yellow]running[/]  {lesson.name} ({reason})")
        self.lesson, self.done, self.total = lesson.name, 0, 0
        self.started = time.monotonic()
        if self.console.is_terminal:
            self.progress = Progress(
                TextColumn(f"  {lesson.name}"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("cells"),
                TimeElapsedColumn(),
                console=self.console,
                transient=True,
            )
            self.task = self.progress.add_task(lesson.name, total=None)
            self.progress.start()
        else:
            self.stop.clear()
            self.heartbeat = threading.Thread(target=self._beat, daemon=True)
            self.heartbeat.start()

    def _beat(self) -> None:
        while not self.stop.wait(self.log_every_s):
            minutes, seconds = divmod(int(time.monotonic() - self.started), 60)
            self.console.print(f"         {self.lesson}: {self.done}/{self.total} cells done, "
                               f"{minutes}:{seconds:02d} elapsed")

    def cell(self, done: int, total: int, elapsed_s: float) -> None:
        """Advance the bar to ``done`` of ``total`` cells."""
        self.done, self.total = done, total
        if self.progress is not None and self.task is not None:
            self.progress.update(self.task, completed=done, total=total)

    def finish(self, lesson: Lesson, seconds: float, error: str | None) -> None:
        """Stop the bar or heartbeat and say how ``lesson`` ended."""
        if self.progress is not None:
            self.progress.stop()
            self.progress = None
        if self.heartbeat is not None:
            self.stop.set()
            self.heartbeat.join()
            self.heartbeat = None
        if error:
            self.console.print(f"[red]FAILED[/]   {lesson.name}")
        else:
            self.console.print(f"[green]done[/]     {lesson.name} in {seconds:.1f} s")
