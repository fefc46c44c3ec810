"""What a lesson run reports to the build: its results, the data and files it read, its checks.

A lesson records its results by name::

    report.compare({"train_accuracy": train_accuracy, "test_accuracy": test_accuracy},
                   reference="dense_baseline")

records both results (the build puts them on the results page and in ``results.json``, and
:mod:`convlab.expectations` checks them) and shows a table of each beside the original
tutorial's figure. :func:`record` records a result without a table. Tables render as Markdown
in notebooks and on the site, and print as Markdown in a script.

Each result is recorded with its *quantity* (a key of :data:`FORMATS`: ``fraction``,
``count``, ``number``, ``seconds``), which says how it prints and how builds compare it, and
with which direction is *better* (``"higher"``, ``"lower"`` or ``None``: any move is
suspect). Both are decided here, once, by :func:`quantity_of` and :func:`better_of`; a lesson
whose result the rule misreads passes ``quantity=`` or ``better=`` to :func:`record` or
:func:`compare`.

**How it reaches the build.** ``convlab build`` runs each lesson in a Jupyter kernel with two
variables set (read in :mod:`convlab.settings`): ``CONVLAB_RUN_DIR``, a fresh folder where
:func:`append` adds one JSON line per :class:`Event` to ``records.jsonl`` (a result, an
expectation checked, the data a lesson loaded, a stored file it read, or that it measured time,
so its results are this machine's), which the build reads back with :func:`read`; and
``CONVLAB_PROFILE``, the profile the build runs, so that a lesson's expectations for that
profile are the ones checked (:func:`active_profile`). Outside a build (a lesson run as a
script, in Jupyter or in Colab) nothing is written and the profile is ``full``: a lesson run on
its own runs its own, full-sized values.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from enum import StrEnum
from pathlib import Path
from typing import Any, Literal

from convlab import settings
from convlab.references import tutorial

RECORDS_FILE = "records.jsonl"


class Event(StrEnum):
    """The kinds of event a run reports."""

    RESULT = "result"  # a measured result (:func:`record`)
    EXPECTATION = "expectation"  # an expectation checked (:mod:`convlab.expectations`)
    CLAIM = "claim"  # a claim of the prose checked (:mod:`convlab.claims`)
    CORRECT = "correct"  # which test images a model got right (:func:`record_correct`)
    DATA = "data"  # a dataset loaded (:func:`convlab.data.load`)
    FILE = "file"  # a stored run or benchmark result read (:mod:`convlab.runs`)
    HARDWARE = "hardware"  # time was measured: the results are this machine's


def run_dir() -> Path | None:
    """The folder of the build's current lesson run, or ``None`` outside a build."""
    return settings.run_dir()


def active_profile() -> str:
    """The profile this run belongs to: the build's, or ``full`` outside a build."""
    return settings.profile() or settings.FULL_PROFILE


def append(kind: Event, payload: dict[str, Any]) -> None:
    """Report one event to the build, if a build listens (else nothing happens)."""
    folder = run_dir()
    if folder is None:
        return
    line = json.dumps({"kind": str(Event(kind)), **payload}, sort_keys=True)
    with open(folder / RECORDS_FILE, "a", encoding="utf-8") as f:
        f.write(line + "\n")


def read(folder: Path, kind: Event | None = None) -> list[dict[str, Any]]:
    """The events reported in ``folder``, oldest first; only those of ``kind`` if given.

    Repeated events (a dataset loaded twice) are kept once."""
    path = folder / RECORDS_FILE
    if not path.exists():
        return []
    events: list[dict[str, Any]] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        event = json.loads(line)
        if (kind is None or event["kind"] == str(kind)) and event not in events:
            events.append(event)
    return events


# Every result recorded in this process, by name: what expectations are checked against.
RESULTS: dict[str, float] = {}

# How a result of each quantity prints.
FORMATS: dict[str, str] = {
    "fraction": "{:.1%}",  # an accuracy or a share, 0..1: printed as a percentage
    "count": "{:,.0f}",  # a whole number: parameters, epochs, mismatches
    "number": "{:.4g}",  # any other value
    "seconds": "{:,.2f} s",  # a duration
}
Better = Literal["higher", "lower"] | None
AUTO: Literal["auto"] = "auto"  # ``better=AUTO``: decided by :func:`better_of`
_DIRECTIONS = ("higher", "lower", None)


def in_notebook() -> bool:
    """Whether this code runs in a Jupyter kernel (rich display) rather than a script."""
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and hasattr(shell, "kernel")


def markdown(text: str) -> None:
    """Show ``text`` as Markdown (rendered in notebooks and on the site, printed in scripts)."""
    if in_notebook():
        from IPython.display import Markdown, display

        display(Markdown(text))
    else:
        print(text)


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A GitHub-flavoured Markdown table."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def quantity_of(name: str, value: float) -> str:
    """A result's quantity by the course's naming rule: a name holding ``accuracy`` or
    ``fraction`` is a ``fraction``, a whole number (at least 1) a ``count``, anything else a
    ``number``."""
    if "accuracy" in name or "fraction" in name:
        return "fraction"
    if float(value).is_integer() and abs(value) >= 1:
        return "count"
    return "number"


def better_of(name: str) -> Better:
    """Which way a result improves by the naming rule: an accuracy ``higher``, a loss or an
    error ``lower``; ``None`` for anything else (a count or a check value: any move is
    suspect)."""
    if "accuracy" in name:
        return "higher"
    if "loss" in name or "error" in name:
        return "lower"
    return None


def default_format(name: str, value: float) -> str:
    """How a result reads by default: the format of its quantity (:func:`quantity_of`)."""
    return FORMATS[quantity_of(name, value)]


def label(name: str) -> str:
    """``"test_accuracy"`` -> ``"test accuracy"``."""
    return name.replace("_", " ")


def record(name: str, value: float, *, reference: str | None = None, fmt: str | None = None,
           quantity: str | None = None, better: Better | Literal["auto"] = AUTO) -> float:
    """Record result ``name`` (a float; accuracies as fractions 0..1) and return it.

    ``reference`` names the tutorial's figure to compare with (a key of
    :data:`convlab.references.TUTORIAL`). ``quantity`` (a key of :data:`FORMATS`) and
    ``better`` (``"higher"``, ``"lower"`` or ``None``) override :func:`quantity_of` and
    :func:`better_of`; ``fmt`` overrides the quantity's print format."""
    return _record(name, value, reference, fmt, quantity, better)["value"]


def _record(name: str, value: float, reference: str | None, fmt: str | None,
            quantity: str | None, better: Better | Literal["auto"]) -> dict[str, Any]:
    """Check and record one result; the event recorded."""
    if not name.isidentifier():
        raise ValueError(f"a result name is a Python identifier like 'test_accuracy', got {name!r}")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"result {name!r} is {value}: the run diverged or measured nothing")
    quantity = quantity or quantity_of(name, value)
    if quantity not in FORMATS:
        raise ValueError(f"result {name!r}: quantity {quantity!r} is none of "
                         f"{', '.join(FORMATS)}")
    better = better_of(name) if better == AUTO else better
    if better not in _DIRECTIONS:
        raise ValueError(f"result {name!r}: better is 'higher', 'lower' or None, got {better!r}")
    event = {"name": name, "value": value,
             "reference": tutorial(reference) if reference else None,
             "reference_name": reference, "fmt": fmt or FORMATS[quantity],
             "quantity": quantity, "better": better}
    RESULTS[name] = value
    append(Event.RESULT, event)
    return event


def record_correct(name: str, correct: Sequence[bool] | Any) -> None:
    """Record which test images model ``name`` labels correctly: one boolean per image, in the
    test set's order, so that a later lesson can compare another model with it on the same
    images (:func:`convlab.metrics.paired_comparison`; read back with
    :func:`convlab.runs.stored_lesson_run`). Stored packed, 8 images a byte, in base64."""
    import base64

    import numpy as np

    if not name.isidentifier():
        raise ValueError(f"a model's name is a Python identifier like 'dense', got {name!r}")
    bits = np.asarray(correct, dtype=bool).ravel()
    append(Event.CORRECT, {"name": name, "n": int(bits.size),
                           "bits": base64.b64encode(np.packbits(bits).tobytes()).decode()})


def read_correct(event: Mapping[str, Any]) -> Any:
    """The boolean array (one per test image) a :data:`Event.CORRECT` event recorded."""
    import base64

    import numpy as np

    packed = np.frombuffer(base64.b64decode(event["bits"]), dtype=np.uint8)
    return np.unpackbits(packed, count=int(event["n"])).astype(bool)


def compare(results: Mapping[str, float], *, reference: str | None = None,
            quantity: Mapping[str, str] | None = None,
            better: Mapping[str, Better] | None = None) -> None:
    """Record ``results`` and show them in a table beside the original tutorial's figures.

    ``reference`` is the lesson's key in :data:`convlab.references.TUTORIAL`: the figure for
    result ``test_accuracy`` is ``"<reference>.test_accuracy"``, and a result the tutorial
    did not report raises :class:`KeyError` naming the close matches, as :func:`record` does
    (record such a result with :func:`record`). ``quantity`` and ``better`` override, by
    result name, what :func:`record` would decide. The measured column is headed with the
    profile, so a quick run's number is never mistaken for a full run's."""
    quantity, better = quantity or {}, better or {}
    rows = []
    for name, value in results.items():
        key = f"{reference}.{name}" if reference else None
        event = _record(name, value, key, None, quantity.get(name), better.get(name, AUTO))
        show, ref = event["fmt"].format, event["reference"]
        rows.append([label(name), show(value), "" if ref is None else show(ref)])
    profile = active_profile()
    markdown(markdown_table(["", f"this run ({profile} profile)", "original tutorial"], rows))
