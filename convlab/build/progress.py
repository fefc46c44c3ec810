"""Progress on the console: which lesson, how far through its cells, time elapsed.

On a terminal a live bar shows the running lesson; in a log (CI) one line per lesson.
"""

from __future__ import annotations

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from convlab.build.project import Lesson


class ConsoleReporter:
    """Prints build progress with rich."""

    def __init__(self, console: Console | None = None, log_every_s: float = 30.0) -> None:
        self.console = console or Console(stderr=True, highlight=False)
        self.progress: Progress | None = None
        self.task = None
        self.log_every_s = log_every_s
        self.lesson = ""
        self.last_log = 0.0

    def cached(self, lesson: Lesson) -> None:
        self.console.print(f"[green]cached[/]   {lesson.name}")

    def start(self, lesson: Lesson, reason: str) -> None:
        self.console.print(f"[yellow]running[/]  {lesson.name} ({reason})")
        self.lesson, self.last_log = lesson.name, 0.0
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

    def cell(self, done: int, total: int, elapsed_s: float) -> None:
        if self.progress is not None and self.task is not None:
            self.progress.update(self.task, completed=done, total=total)
        elif elapsed_s - self.last_log >= self.log_every_s:
            self.last_log = elapsed_s
            minutes, seconds = divmod(int(elapsed_s), 60)
            where = f"{done}/{total} cells, {minutes}:{seconds:02d}"
            self.console.print(f"         {self.lesson}: {where}")

    def finish(self, lesson: Lesson, seconds: float, error: str | None) -> None:
        if self.progress is not None:
            self.progress.stop()
            self.progress = None
        if error:
            self.console.print(f"[red]FAILED[/]   {lesson.name}")
        else:
            self.console.print(f"[green]done[/]     {lesson.name} in {seconds:.1f} s")
