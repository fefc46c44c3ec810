"""Run one lesson top to bottom in a fresh Jupyter kernel, within its time budget.

The kernel starts in the project folder with the profile and a run folder in its environment
(see :mod:`convlab.records`), so the lesson reads its settings and reports what data it used.
"""

from __future__ import annotations

import os
import re
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

from convlab import records
from convlab.build.project import Lesson
from convlab.config import PROFILE_ENV, Profile

ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
STARTUP_TIMEOUT_S = 120

# on_cell(done, total, elapsed_s): called before the first code cell and after each one.
CellProgress = Callable[[int, int, float], None]


class LessonError(RuntimeError):
    """A lesson failed: the message names the lesson and the cell, with the traceback."""

    def __init__(self, lesson: str, message: str) -> None:
        super().__init__(message)
        self.lesson = lesson


class LessonTimeout(LessonError):
    """A lesson ran past its profile's time budget and was stopped."""


@dataclass
class Execution:
    """An executed lesson: its notebook with outputs, and what it recorded."""

    notebook: nbformat.NotebookNode
    seconds: float
    data: list[dict[str, Any]]
    results: list[dict[str, Any]]


def _cell_label(lesson: Lesson, number: int, total: int, cell: nbformat.NotebookNode) -> str:
    first = next((line for line in cell.source.splitlines() if line.strip()), "")
    return f"code cell {number} of {total} in {lesson.path.name} (starting {first.strip()!r})"


def execute(
    lesson: Lesson,
    profile: Profile,
    *,
    cwd: Path,
    on_cell: CellProgress | None = None,
    budget_s: float | None = None,
) -> Execution:
    """Execute ``lesson`` under ``profile`` in a new kernel started in ``cwd``.

    Raises :class:`LessonTimeout` once the lesson has run ``budget_s`` seconds (default: the
    profile's budget for it) and :class:`LessonError` when a cell raises.
    """
    notebook = lesson.read()
    budget = profile.lesson(lesson.name).budget_s if budget_s is None else budget_s
    code = [(i, c) for i, c in enumerate(notebook.cells) if c.cell_type == "code"]
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                       "language": "python"}
    client = NotebookClient(
        notebook,
        kernel_name="python3",
        startup_timeout=STARTUP_TIMEOUT_S,
        resources={"metadata": {"path": str(cwd)}},
        # Output written straight to the process's file descriptors (TensorFlow's C++ start-up
        # log) goes to kernel.log instead of the page; Python's prints and warnings still show.
        extra_arguments=["--IPKernelApp.capture_fd_output=False"],
    )
    with tempfile.TemporaryDirectory(prefix="convlab-run-") as run_dir:
        env = {**os.environ, PROFILE_ENV: str(profile.path), records.RUN_DIR_ENV: run_dir}
        env.pop("MPLBACKEND", None)  # the kernel's inline backend draws the figures
        kernel_log = Path(run_dir) / "kernel.log"
        start = time.perf_counter()
        if on_cell:
            on_cell(0, len(code), 0.0)
        with open(kernel_log, "wb") as log, client.setup_kernel(env=env, stderr=log, stdout=log):
            for number, (index, cell) in enumerate(code, start=1):
                remaining = budget - (time.perf_counter() - start)
                if remaining <= 0:
                    raise LessonTimeout(lesson.name, _timeout_message(lesson, budget, profile))
                client.timeout = max(1, int(remaining))
                try:
                    client.execute_cell(cell, index)
                except CellTimeoutError:
                    raise LessonTimeout(
                        lesson.name,
                        _timeout_message(lesson, budget, profile)
                        + f"; it was in {_cell_label(lesson, number, len(code), cell)}",
                    ) from None
                except (CellExecutionError, DeadKernelError) as err:
                    detail = ANSI_ESCAPE.sub("", str(err)).strip()
                    if isinstance(err, DeadKernelError):
                        tail = kernel_log.read_text(errors="replace").splitlines()[-20:]
                        detail += "\nlast lines of the kernel's log:\n" + "\n".join(tail)
                    raise LessonError(
                        lesson.name,
                        f"lesson {lesson.name} failed in "
                        f"{_cell_label(lesson, number, len(code), cell)}:\n{detail}",
                    ) from None
                if on_cell:
                    on_cell(number, len(code), time.perf_counter() - start)
        seconds = time.perf_counter() - start
        return Execution(
            notebook=notebook,
            seconds=seconds,
            data=records.read(Path(run_dir), "data"),
            results=records.read(Path(run_dir), "result"),
        )


def _timeout_message(lesson: Lesson, budget: float, profile: Profile) -> str:
    return (
        f"lesson {lesson.name} ran past its time budget of {budget:.0f} s under the "
        f"{profile.name!r} profile and was stopped; make it faster, or raise budget_s under "
        f"[lessons.{lesson.name}] in {profile.path}"
    )
