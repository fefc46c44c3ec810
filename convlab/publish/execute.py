"""Run one lesson top to bottom in a fresh Jupyter kernel, within its time budget.

The profile's overrides are injected after the lesson's ``parameters`` cell. The kernel starts
in the project folder with the profile's name and a run folder in its environment (see
:mod:`convlab.report`), so the lesson reports what data it used and what it measured.
Markdown cells' ``{{ placeholders }}`` are evaluated where they stand (see
:mod:`convlab.publish.placeholders`), and at the end the kernel says which convlab modules the
lesson imported (the cache re-runs the lesson when the code it reached changes, and only
then), which files in the project the lesson's own code read (an audit hook notes them: a
change to one re-runs it), and the machine as its TensorFlow saw it.

A run is recorded only if it ran the code the build reads: the kernel must import convlab
from this build's package, and no module it loaded may change while it runs (the package is
read before the first cell, :func:`convlab.publish.codegraph.snapshot`).
"""

from __future__ import annotations

import json
import re
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

from convlab import keep, report, settings
from convlab.data import fingerprint
from convlab.publish import codegraph, placeholders
from convlab.publish import settings as build_settings
from convlab.publish.profile import Profile
from convlab.publish.project import Lesson, inject_parameters
from convlab.report import Event

ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
STARTUP_TIMEOUT_S = 120
MARKER = "__convlab_run__"
# Before the first cell: start noting the files the lesson's own code opens (an audit hook
# that skips files convlab's code opens: convlab reports those itself), then print the
# modules loaded so far. After the last cell: print {"convlab": {module: file}, "top": [top-
# level names of every imported module], "read": [files only read], "written": [files
# written]}. Last: the machine as TensorFlow sees it.
WATCH_CODE = """
def _convlab_watch():
    import os, sys
    import convlab
    package = os.path.dirname(convlab.__file__) + os.sep
    opened = {}

    def hook(event, args):
        if event != "open" or not isinstance(args[0], (str, bytes)):
            return
        try:
            path, mode, flags = args
            frame, depth = sys._getframe(1), 0
            while frame is not None and depth < 40:
                if frame.f_code.co_filename.startswith(package):
                    return
                frame, depth = frame.f_back, depth + 1
            writes = (any(c in mode for c in "wax+") if isinstance(mode, str) else
                      bool(flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND)))
            full = os.path.abspath(os.fsdecode(path))
            opened[full] = opened.get(full, False) or writes
        except Exception:
            pass

    sys.addaudithook(hook)
    return opened


_convlab_opened = _convlab_watch()
del _convlab_watch
"""
LISTING_CODE = (
    "import sys as _s, json as _j\n"
    f"print({MARKER!r}, _j.dumps({{'convlab': {{m: getattr(v, '__file__', None) for m, "
    "v in list(_s.modules.items()) if m == 'convlab' or m.startswith('convlab.')}, 'top': "
    "sorted({m.partition('.')[0] for m in list(_s.modules)}), 'read': sorted(p for p, w in "
    "globals().get('_convlab_opened', {}).items() if not w), 'written': sorted(p for p, w in "
    "globals().get('_convlab_opened', {}).items() if w)}))"
)
MACHINE_CODE = (
    "import sys as _s, json as _j\n"
    "_tf_used = 'tensorflow' in _s.modules\n"
    "from convlab import machine as _m\n"
    f"print({MARKER!r}, _j.dumps({{'hardware': _m.summary() if _tf_used else _m.cpu_summary(), "
    "'used_gpu': _tf_used and bool(_m.describe().gpus)}))"
)

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
    expectations: list[dict[str, Any]]
    claims: list[dict[str, Any]]  # the prose's checked claims (convlab.claims), in order
    correct: list[dict[str, Any]]  # which test images each model got right (record_correct)
    modules: dict[str, str]  # convlab module -> its source file, as imported by the lesson
    files: list[dict[str, Any]]  # files read: {"location", "fingerprint"} ("" if absent)
    packages: list[str]  # top-level modules the lesson imported (the kernel's own left out)
    hardware_dependent: bool  # the lesson timed code: its results depend on the machine
    code: str  # Lesson.code_digest of the source that ran, read once when it started
    code_cells: tuple[str, ...]  # that source's code cells (the profile's cell left out)
    sources: codegraph.Sources  # the convlab package's files when it started
    hardware: str  # the machine as the kernel's TensorFlow saw it (machine.summary)
    used_gpu: bool  # TensorFlow ran in the kernel and could use a GPU
    models: dict[str, bytes] = field(default_factory=dict)  # networks kept: file name -> bytes


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
    profile's budget for it) and :class:`LessonError` when a cell or a placeholder raises.
    """
    sources = codegraph.snapshot()  # the package as the kernel will import it
    try:
        notebook = lesson.read()
        # What ran, read once: a lesson edited during its run must not be recorded as the
        # new text with the old outputs.
        code = lesson.code_digest(notebook)
        code_cells = tuple(c.source for c in notebook.cells if c.cell_type == "code")
        profile.check(lesson.slug, lesson.parameters(notebook))
        inject_parameters(notebook, profile.overrides(lesson.slug), profile.name)
    except (ValueError, SyntaxError, OSError) as err:  # a broken parameters cell, a bad tag...
        raise LessonError(lesson.name, f"lesson {lesson.name} cannot run: {err}") from None
    budget = profile.budget(lesson.slug) if budget_s is None else budget_s
    steps = [(i, c) for i, c in enumerate(notebook.cells)
             if c.cell_type == "code" or placeholders.find(c.source)]
    total = sum(c.cell_type == "code" for _, c in steps)
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
        env = settings.lesson_run_environment(profile.name, run_dir)
        env.pop("MPLBACKEND", None)  # the kernel's inline backend draws the figures
        kernel_log = Path(run_dir) / "kernel.log"
        start = time.perf_counter()
        done = 0
        if on_cell:
            on_cell(0, total, 0.0)
        with open(kernel_log, "wb") as log, client.setup_kernel(env=env, stderr=log, stdout=log):

            def run(cell: nbformat.NotebookNode, index: int, label: str, **kwargs: Any) -> None:
                remaining = budget - (time.perf_counter() - start)
                if remaining <= 0:
                    raise LessonTimeout(lesson.name, _timeout_message(lesson, budget, profile))
                client.timeout = max(1, int(remaining))
                try:
                    client.execute_cell(cell, index, **kwargs)
                except CellTimeoutError:
                    raise LessonTimeout(
                        lesson.name,
                        _timeout_message(lesson, budget, profile) + f"; it was in {label}",
                    ) from None
                except (CellExecutionError, DeadKernelError) as err:
                    detail = ANSI_ESCAPE.sub("", str(err)).strip()
                    if isinstance(err, DeadKernelError):
                        tail = kernel_log.read_text(errors="replace").splitlines()[-20:]
                        detail += "\nlast lines of the kernel's log:\n" + "\n".join(tail)
                    raise LessonError(
                        lesson.name, f"lesson {lesson.name} failed in {label}:\n{detail}"
                    ) from None

            def scratch(code: str, label: str) -> str:
                """Run ``code`` outside the notebook's cells; its printed output."""
                cell = nbformat.v4.new_code_cell(code)
                notebook.cells.append(cell)
                try:
                    run(cell, len(notebook.cells) - 1, label, store_history=False)
                finally:
                    notebook.cells.pop()
                return "".join(o.get("text", "") for o in cell.outputs if o.output_type ==
                               "stream")

            def listing(code: str, label: str) -> dict[str, Any]:
                printed = scratch(code, label)
                return next(json.loads(line[len(MARKER):])
                            for line in printed.splitlines() if line.startswith(MARKER))

            scratch(WATCH_CODE, "the kernel's file watch")
            before = listing(LISTING_CODE, "the kernel's module listing")
            for index, cell in steps:
                if cell.cell_type == "code":
                    done += 1
                    run(cell, index, _cell_label(lesson, done, total, cell))
                    if on_cell:
                        on_cell(done, total, time.perf_counter() - start)
                    continue
                found = placeholders.find(cell.source)
                label = (f"the placeholders {', '.join(p.text for p in found)} of the Markdown "
                         f"cell after code cell {done} in {lesson.path.name}")
                printed = scratch(placeholders.evaluation_code(found), label)
                values = placeholders.parse_values(printed, len(found))
                cell.metadata.setdefault("convlab", {})["values"] = values
            after = listing(LISTING_CODE, "the lesson's module listing")
            seconds = time.perf_counter() - start
            seen = listing(MACHINE_CODE, "the kernel's description of the machine")
        folder = Path(run_dir)
        modules = {m: f for m, f in after["convlab"].items() if f}
        _check_package(lesson, modules)
        edited = codegraph.edited_since(sources, modules)
        if edited:
            raise LessonError(lesson.name, (
                f"lesson {lesson.name}: {', '.join(edited)} changed while it ran, so its outputs "
                "may come from either version and nothing was recorded; run it again"))
        files = report.read(folder, Event.FILE)
        files += _files_opened(after["read"], after["written"], cwd, files)
        return Execution(
            notebook=notebook,
            seconds=seconds,
            data=report.read(folder, Event.DATA),
            results=report.read(folder, Event.RESULT),
            expectations=report.read(folder, Event.EXPECTATION),
            claims=report.read(folder, Event.CLAIM),
            correct=report.read(folder, Event.CORRECT),
            modules=modules,
            files=files,
            packages=sorted(set(after["top"]) - set(before["top"])),
            hardware_dependent=bool(report.read(folder, Event.HARDWARE)),
            code=code,
            code_cells=code_cells,
            sources=sources,
            hardware=str(seen["hardware"]),
            used_gpu=bool(seen["used_gpu"]),
            models=keep.kept_files(folder),
        )


def _check_package(lesson: Lesson, modules: dict[str, str]) -> None:
    """Fail unless the kernel imported convlab from the package this build reads: otherwise
    the manifest would record code that did not run."""
    ours = codegraph.PACKAGE.resolve()
    init = modules.get("convlab")
    if init is None or Path(init).resolve().parent == ours:
        return
    raise LessonError(lesson.name, (
        f"lesson {lesson.name}: its kernel imported convlab from {Path(init).parent}, not "
        f"from {ours}, which this build reads, so the run cannot say which code it ran. Run "
        "the build with the Python environment that has this checkout installed "
        "(`pip install -e .` in it; `./dev.sh docs` does this in .venv)"))


def _files_opened(read: list[str], written: list[str], project: Path,
                  known: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``{"location", "fingerprint"}`` of each file in the project that the lesson's own code
    read (not wrote): a change to one re-runs it. Files convlab reads (data, benchmark results),
    the package, the Python environment, git's files and the execution cache are left out."""
    root = project.resolve()
    skip = [codegraph.PACKAGE.resolve(), Path(sys.prefix).resolve(), root / ".git",
            build_settings.cache_dir(root).resolve()]
    seen = {str(Path(f["location"]).resolve()) for f in known}
    found = []
    for name in read:
        path = Path(name).resolve()
        if (name in written or str(path) in seen or not path.is_file()
                or not path.is_relative_to(root) or any(path.is_relative_to(s) for s in skip)):
            continue
        seen.add(str(path))
        found.append({"location": str(path), "fingerprint": fingerprint(path)})
    return found


def _timeout_message(lesson: Lesson, budget: float, profile: Profile) -> str:
    return (
        f"lesson {lesson.name} ran past its time budget of {budget:.0f} s under the "
        f"{profile.name!r} profile and was stopped; make it faster, or raise budget_s under "
        f"[lessons.{lesson.slug}] in {profile.path}"
    )
