"""Another lesson's stored full run, read from a lesson that builds on it.

A lesson that sets its results beside an earlier lesson's (lesson 10 beside lesson 09's
regularised networks) reads that lesson's run from the store of full runs
(``runs/full/<slug>/manifest.json``) instead of training the same networks again.
:func:`stored_lesson_run` reads the manifest through :func:`convlab.stored_runs.stored_run`,
so the build knows the page depends on it: the page is re-run when the earlier lesson's stored
run changes, appears or disappears, and never shows figures of a run that has been replaced.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from convlab.stored_runs import stored_run

STORE = Path("runs") / "full"    # the store of full runs, from the project's root folder


@dataclass(frozen=True)
class LessonRun:
    """What a lesson's stored full run recorded, and where and when it was made."""

    lesson: str                  # the lesson's file name without .py, e.g. "09_regularisation"
    executed_at: str             # e.g. "2026-12-01 17:40 UTC"
    hardware: str                # e.g. "AMD EPYC (2 cores, no GPU)"
    seconds: float               # the whole run's wall time
    results: dict[str, float]    # every report.record of the run, by name
    data: dict[str, dict[str, Any]]   # per dataset: fingerprint, n_train, n_test, subset, ...

    def __getitem__(self, name: str) -> float:
        try:
            return self.results[name]
        except KeyError:
            raise KeyError(f"lesson {self.lesson}'s stored run recorded no result {name!r}; "
                           f"it recorded {', '.join(sorted(self.results)) or 'none'}") from None

    def same_data(self, dataset: str, fingerprint: str) -> bool:
        """Whether the run loaded ``dataset`` from the file with this ``fingerprint``."""
        return self.data.get(dataset, {}).get("fingerprint") == fingerprint


def stored_lesson_run(slug: str, store: str | Path = STORE) -> LessonRun | None:
    """The stored full run of the lesson ``slug`` (e.g. ``"regularisation"``), or ``None``.

    ``None`` where the store has no run of that lesson, as in a notebook downloaded on its own
    (``store`` is relative to the working folder, the project's root in a build).
    """
    manifest = stored_run(Path(store) / slug / "manifest.json")
    if manifest is None:
        return None
    try:
        return LessonRun(
            lesson=manifest["lesson"], executed_at=manifest["executed_at"],
            hardware=manifest["hardware"], seconds=float(manifest["seconds"]),
            results={r["name"]: float(r["value"]) for r in manifest["results"]},
            data={d["dataset"]: d for d in manifest.get("data", [])})
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"{Path(store) / slug / 'manifest.json'} is not a stored run's "
                         f"manifest ({exc!r} missing or malformed); run "
                         f"`convlab run {slug} --profile full` to make it again") from exc
