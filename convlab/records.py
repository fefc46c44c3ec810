"""What a lesson run reports back to the build: the data it loaded and the results it measured.

``convlab build`` runs each lesson in a Jupyter kernel with ``CONVLAB_RUN_DIR`` set to a
fresh folder. :func:`convlab.data.load` and :func:`convlab.report.compare` append one JSON
line per event to ``records.jsonl`` there; the build reads the file back to show the data's
provenance on the page, to notice when that data changes, and for ``convlab results``.
Outside a build (a lesson run as a script or in Jupyter) nothing is written.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

RUN_DIR_ENV = "CONVLAB_RUN_DIR"
RECORDS_FILE = "records.jsonl"


def run_dir() -> Path | None:
    """The folder of the build's current lesson run, or ``None`` outside a build."""
    value = os.environ.get(RUN_DIR_ENV)
    return Path(value) if value else None


def append(kind: str, payload: dict[str, Any]) -> None:
    """Record one event (``kind`` is ``"data"`` or ``"result"``) if a build is listening."""
    folder = run_dir()
    if folder is None:
        return
    line = json.dumps({"kind": kind, **payload}, sort_keys=True)
    with open(folder / RECORDS_FILE, "a", encoding="utf-8") as f:
        f.write(line + "\n")


def read(folder: Path, kind: str | None = None) -> list[dict[str, Any]]:
    """The events recorded in ``folder``, oldest first; only those of ``kind`` if given.

    Repeated events (a dataset loaded twice) are kept once."""
    path = folder / RECORDS_FILE
    if not path.exists():
        return []
    events: list[dict[str, Any]] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        event = json.loads(line)
        if (kind is None or event["kind"] == kind) and event not in events:
            events.append(event)
    return events
