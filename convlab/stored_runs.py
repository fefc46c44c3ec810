"""Stored benchmark results: runs too long for every build, made once and kept as JSON.

Some comparisons take too long to run in every build (the tutorial CNN's 80 epochs, for
lesson 09; one full run per random seed, for lesson 07). A script in ``benchmarks/`` runs them
once and writes the result with :func:`store_run`, under ``benchmarks/results/``, with the
command that made it, the hardware and the data's fingerprint. A lesson reads it with
:func:`stored_run`, which tells the build about the file: the lesson's cached page is re-run
when the file changes, appears or disappears.
"""

from __future__ import annotations

import datetime
import json
import os
import platform
import shlex
import sys
import tempfile
from pathlib import Path
from typing import Any

from convlab import records, settings
from convlab.data import Provenance, fingerprint


def stored_run(path: str | Path) -> dict[str, Any] | None:
    """The result a benchmark script stored as JSON, or ``None`` when the file is absent.

    Tells the build the page depends on the file (its location and fingerprint), so the page
    is re-run when the file changes, appears or disappears.
    """
    location = Path(path).resolve()
    present = location.is_file()
    records.append("file", {"location": str(location),
                            "fingerprint": fingerprint(location) if present else ""})
    if not present:
        return None
    try:
        run = json.loads(location.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"{path} is not a readable JSON file ({exc}); make it again with the "
                         "benchmark script named in its docstring, or delete it") from exc
    if not isinstance(run, dict):
        raise ValueError(f"{path} holds a JSON {type(run).__name__}, not the object a "
                         "benchmark script writes; make it again or delete it")
    return run


def command_line(cwd: Path | None = None) -> str:
    """The command this process runs, as a shell line that runs it again from ``cwd``.

    The settings that change a run (:data:`convlab.settings.RUN_SETTINGS`) that are set, the
    Python interpreter (relative to ``cwd``, default the working directory, when it lies
    inside it, as ``.venv/bin/python`` does) and ``sys.argv``.
    """
    here = (cwd or Path.cwd()).absolute()
    python = Path(sys.executable).absolute()
    if python.is_relative_to(here):
        python = python.relative_to(here)
    assignments = [f"{name}={shlex.quote(value)}" for name, value in
                   settings.run_settings().items()]
    return " ".join([*assignments, shlex.join([str(python), *sys.argv])])


def _write_atomically(target: Path, text: str) -> None:
    """Write ``text`` to ``target`` through a temporary file of its own in the same folder:
    readers see the old file or the new one, never a part, and two writers never share one."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, scratch = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.",
                                       suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(scratch, target)
    except BaseException:
        Path(scratch).unlink(missing_ok=True)
        raise


def store_run(path: str | Path, *, what: str, provenance: Provenance, **fields: Any) -> None:
    """Write a benchmark script's result as JSON for :func:`stored_run`, atomically.

    Adds what every stored result carries: ``what`` it is, the ``command`` that was run
    (:func:`command_line`), the date, hardware, software versions and the data's provenance
    and fingerprint; ``fields`` are the script's own figures.
    """
    import keras
    import numpy as np

    from convlab import machine

    here = machine.describe()
    result = {
        "what": what,
        "command": command_line(),
        "date": datetime.date.today().isoformat(),
        "hardware": f"{here.name}, {here.cores} cores ({here.kind})",
        "software": {"python": platform.python_version(), "tensorflow": here.tensorflow,
                     "keras": keras.__version__, "numpy": np.__version__},
        "data": provenance.as_dict() | {"location": Path(provenance.location).name},
        "data_fingerprint": provenance.fingerprint,
        **fields,
    }
    _write_atomically(Path(path), json.dumps(result, indent=1) + "\n")
