"""Another lesson's stored full run, read from a lesson that builds on it.

A lesson that sets its results beside an earlier lesson's (lesson 10 beside lesson 09's
regularised networks) reads that lesson's run from the store of full runs
(``runs/full/<slug>/manifest.json``) instead of training the same networks again.
:func:`stored_lesson_run` reads the manifest through :func:`convlab.stored_runs.stored_run`,
so the build knows the page depends on it: the page is re-run when the earlier lesson's stored
run changes, appears or disappears, and never shows figures of a run that has been replaced.

A run is returned as a plain dictionary (this module defines no class: the build's code
analysis counts every class of the package as a possible reference of code that reads
attributes by computed names, so a new class would re-run lessons that never use it)::

    {"lesson": "09_regularisation", "executed_at": "2026-12-01 17:40 UTC",
     "hardware": "AMD EPYC (2 cores, no GPU)", "seconds": 2700.0,
     "results": {"combined_test_accuracy": 0.71, ...},          # every report.record
     "data": {"cifar10": {"fingerprint": "sha256:...", "n_train": 10000, ...}}}
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from convlab.stored_runs import stored_run

STORE = Path("runs") / "full"    # the store of full runs, from the project's root folder


def stored_lesson_run(slug: str, store: str | Path = STORE) -> dict[str, Any] | None:
    """The stored full run of the lesson ``slug`` (e.g. ``"regularisation"``), or ``None``.

    ``None`` where the store has no run of that lesson, as in a notebook downloaded on its own
    (``store`` is relative to the working folder, the project's root in a build).
    """
    location = Path(store) / slug / "manifest.json"
    manifest = stored_run(location)
    if manifest is None:
        return None
    try:
        return {"lesson": manifest["lesson"], "executed_at": manifest["executed_at"],
                "hardware": manifest["hardware"], "seconds": float(manifest["seconds"]),
                "results": {r["name"]: float(r["value"]) for r in manifest["results"]},
                "data": {d["dataset"]: d for d in manifest.get("data", [])}}
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"{location} is not a stored run's manifest ({exc!r} missing or "
                         f"malformed); run `convlab run {slug} --profile full` to make it "
                         "again") from exc


def same_data(run: dict[str, Any], dataset: str, fingerprint: str) -> bool:
    """Whether ``run`` (from :func:`stored_lesson_run`) loaded ``dataset`` from the file with
    this ``fingerprint`` (``Provenance.fingerprint``)."""
    return run["data"].get(dataset, {}).get("fingerprint") == fingerprint
