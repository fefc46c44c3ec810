"""A lesson's results: recorded by name for the build, and shown beside the tutorials' figures.

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
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any, Literal

from convlab import records
from convlab.references import tutorial

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
    records.append("result", event)
    return event


def compare(results: Mapping[str, float], *, reference: str | None = None,
            quantity: Mapping[str, str] | None = None,
            better: Mapping[str, Better] | None = None) -> None:
    """Record ``results`` and show them in a table beside the original tutorial's figures.

    ``reference`` is the lesson's key in :data:`convlab.references.TUTORIAL`: the figure for
    result ``test_accuracy`` is ``"<reference>.test_accuracy"``, and a result the tutorial
    did not report raises :class:`KeyError` naming the close matches, as :func:`record` does
    (record such a result with :func:`record`). ``quantity`` and ``better`` override, by
    result name, what :func:`record` would decide. The measured column is headed with the
    profile, so a quick run's number is never mistaken for a tutorial-sized one."""
    quantity, better = quantity or {}, better or {}
    rows = []
    for name, value in results.items():
        key = f"{reference}.{name}" if reference else None
        event = _record(name, value, key, None, quantity.get(name), better.get(name, AUTO))
        show, ref = event["fmt"].format, event["reference"]
        rows.append([label(name), show(value), "" if ref is None else show(ref)])
    profile = records.active_profile()
    markdown(markdown_table(["", f"this run ({profile} profile)", "original tutorial"], rows))
