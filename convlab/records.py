"""The run record: what a lesson run reports back to the build.

``convlab build`` runs each lesson in a Jupyter kernel with two variables set (read in
:mod:`convlab.settings`):

* ``CONVLAB_RUN_DIR``: a fresh folder; :func:`append` adds one JSON line per event to
  ``records.jsonl`` there (``data`` loaded, ``file`` of a stored result read, ``result``
  measured, ``expectation`` checked, ``hardware``: the lesson timed code, so its results are
  this machine's), and
  the build reads them back for the page, the cache and ``convlab results``;
* ``CONVLAB_PROFILE``: the name of the profile the build runs (``quick``, ``full``, ...), so that
  a lesson's expectations for that profile are the ones checked.

Outside a build (a lesson run as a script, in Jupyter or in Colab) nothing is written and the
profile is ``full``: a lesson run on its own runs its own, full-sized values.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from convlab import settings

# The variables are read in convlab.settings; their names stay importable from here.
RUN_DIR_ENV = settings.RUN_DIR_ENV
PROFILE_ENV = settings.PROFILE_ENV
OWN_VALUES_PROFILE = settings.FULL_PROFILE
RECORDS_FILE = "records.jsonl"


def run_dir() -> Path | None:
    """The folder of the build's current lesson run, or ``None`` outside a build."""
    return settings.run_dir()


def active_profile() -> str:
    """The profile this run belongs to: the build's, or ``full`` outside a build."""
    return settings.profile() or OWN_VALUES_PROFILE


def append(kind: str, payload: dict[str, Any]) -> None:
    """Record one event (``"data"``, ``"file"``, ``"result"``, ``"expectation"``,
    ``"hardware"``), if a build listens."""
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
