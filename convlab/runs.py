"""Runs made earlier and kept: another lesson's full run in the store, and benchmark results.

Two kinds of earlier run, read the same way (the build learns the file's location and
fingerprint, so the page re-runs when the file changes, appears or disappears, and never
shows figures of a run that has been replaced):

* **another lesson's stored full run**, from the store of full runs
  (``runs/full/<slug>/manifest.json``): :func:`stored_lesson_run`. A lesson that sets its
  results beside an earlier lesson's (lesson 12 beside lesson 11's regularised networks) reads
  them instead of training the same networks again;
* **a benchmark result**: a run too long for every build (the tutorial CNN's 80 epochs; one
  run per random seed), made once by a script in ``benchmarks/`` and written with
  :func:`save_benchmark_result` under ``benchmarks/results/`` with the command that made it,
  the hardware and the data's fingerprint; read with :func:`benchmark_result`.

A stored lesson run is returned as a plain dictionary::

    {"lesson": "11_regularisation", "executed_at": "2026-12-01 17:40 UTC",
     "hardware": "AMD EPYC (2 cores, no GPU)", "seconds": 2700.0, "used_gpu": False,
     "results": {"combined_test_accuracy": 0.71, ...},          # every report.record
     "correct": {"dense": array([True, False, ...])},            # every report.record_correct
     "data": {"cifar10": {"fingerprint": "sha256:...", "n_train": 10000, ...}}}
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

from convlab import report, settings
from convlab.data import Provenance, fingerprint
from convlab.report import Event
from convlab.settings import STORE_DIR


def stored_lesson_run(slug: str, store: str | Path = STORE_DIR) -> dict[str, Any] | None:
    """The stored full run of the lesson ``slug`` (e.g. ``"regularisation"``), or ``None``.

    ``None`` where the store has no run of that lesson, as in a notebook downloaded on its own
    (``store`` is relative to the working folder, the project's root in a build).
    """
    location = Path(store) / slug / "manifest.json"
    manifest = _read_json(location)
    if manifest is None:
        return None
    try:
        return {"lesson": manifest["lesson"], "executed_at": manifest["executed_at"],
                "hardware": manifest["hardware"], "seconds": float(manifest["seconds"]),
                "used_gpu": bool(manifest.get("used_gpu", False)),
                "results": {r["name"]: float(r["value"]) for r in manifest["results"]},
                "correct": {c["name"]: report.read_correct(c)
                            for c in manifest.get("correct", [])},
                "data": {d["dataset"]: d for d in manifest.get("data", [])}}
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"{location} is not a stored run's manifest ({exc!r} missing or "
                         f"malformed); run `convlab run {slug} --profile full` to make it "
                         "again") from exc


def stored_model(slug: str, name: str, store: str | Path = STORE_DIR) -> Any | None:
    """The network ``name`` that the lesson ``slug``'s stored full run kept
    (:func:`convlab.keep.keep_model`), as a Keras model (float32, not compiled), or ``None``.

    ``None`` where the store has no run of that lesson or the run kept no such network, as in
    a notebook downloaded on its own: the lesson then trains what it needs. Tells the build it
    read the manifest and the network's file, so the page re-runs when either changes. Raises
    ``ValueError`` when the file is missing or is not the one the manifest names.
    """
    import hashlib

    from convlab import keep

    folder = Path(store) / slug
    manifest = _read_json(folder / "manifest.json")
    if manifest is None:
        return None
    kept = next((m for m in manifest.get("models", []) if m.get("name") == name), None)
    if kept is None:
        return None
    location = (folder / kept["file"]).resolve()
    present = location.is_file()
    report.append(Event.FILE, {"location": str(location),
                               "fingerprint": fingerprint(location) if present else ""})
    again = f"run `convlab run {slug} --profile full` to make it again"
    if not present:
        raise ValueError(f"{location} is missing, though {folder / 'manifest.json'} lists it; "
                         + again)
    if hashlib.sha256(location.read_bytes()).hexdigest() != kept.get("sha256"):
        raise ValueError(f"{location} is not the network its manifest names (sha256 differs); "
                         + again)
    return keep.load(location)


def same_data(run: dict[str, Any], dataset: str, fingerprint: str) -> bool:
    """Whether ``run`` (from :func:`stored_lesson_run`) loaded ``dataset`` from the file with
    this ``fingerprint`` (``Provenance.fingerprint``)."""
    return run["data"].get(dataset, {}).get("fingerprint") == fingerprint


def benchmark_result(path: str | Path) -> dict[str, Any] | None:
    """The result a benchmark script stored as JSON, or ``None`` when the file is absent.

    Tells the build the page depends on the file (its location and fingerprint), so the page
    is re-run when the file changes, appears or disappears.
    """
    return _read_json(Path(path))


def _read_json(path: Path) -> dict[str, Any] | None:
    """A stored JSON object, the build told of the file; ``None`` when it is absent."""
    location = Path(path).resolve()
    present = location.is_file()
    report.append(Event.FILE, {"location": str(location),
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


def save_benchmark_result(path: str | Path, *, what: str, provenance: Provenance,
                          **fields: Any) -> None:
    """Write a benchmark script's result as JSON for :func:`benchmark_result`, atomically.

    Adds what every benchmark result carries: ``what`` it is, the ``command`` that was run
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
