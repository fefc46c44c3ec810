"""A lesson's results: recorded by name for the build, and shown beside the tutorials' figures.

    report.compare({"train_accuracy": train_accuracy, "test_accuracy": test_accuracy},
                   reference="dense_baseline")

records both results (the build puts them on the results page and in ``results.json``, and
:mod:`convlab.expectations` checks them) and shows a table of each beside the original
tutorial's figure. :func:`record` records a result without a table. Tables render as Markdown
in notebooks and on the site, and print as Markdown in a script.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from convlab import records
from convlab.references import TUTORIAL, tutorial

# Every result recorded in this process, by name: what expectations are checked against.
RESULTS: dict[str, float] = {}


def _in_notebook() -> bool:
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and hasattr(shell, "kernel")


def markdown(text: str) -> None:
    """Show ``text`` as Markdown (rendered in notebooks and on the site, printed in scripts)."""
    if _in_notebook():
        from IPython.display import Markdown, display

        display(Markdown(text))
    else:
        print(text)


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A GitHub-flavoured Markdown table."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def default_format(name: str, value: float) -> str:
    """How a result reads: accuracies as percentages, counts with separators, else 4 digits."""
    if "accuracy" in name or "fraction" in name:
        return "{:.1%}"
    if float(value).is_integer() and abs(value) >= 1:
        return "{:,.0f}"
    return "{:.4g}"


def label(name: str) -> str:
    """``"test_accuracy"`` -> ``"test accuracy"``."""
    return name.replace("_", " ")


def record(name: str, value: float, *, reference: str | None = None,
           fmt: str | None = None) -> float:
    """Record result ``name`` (a float; accuracies as fractions 0..1) and return it.

    ``reference`` names the tutorial's figure to compare with (a key of
    :data:`convlab.references.TUTORIAL`)."""
    if not name.isidentifier():
        raise ValueError(f"a result name is a Python identifier like 'test_accuracy', got {name!r}")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"result {name!r} is {value}: the run diverged or measured nothing")
    ref = tutorial(reference) if reference else None
    RESULTS[name] = value
    records.append("result", {"name": name, "value": value, "reference": ref,
                              "reference_name": reference,
                              "fmt": fmt or default_format(name, value)})
    return value


def compare(results: Mapping[str, float], *, reference: str | None = None) -> None:
    """Record ``results`` and show them in a table beside the original tutorial's figures.

    ``reference`` is the lesson's key in :data:`convlab.references.TUTORIAL`: the figure for
    result ``test_accuracy`` is ``"<reference>.test_accuracy"`` when the tutorial reported one.
    The measured column is headed with the profile, so a quick run's number is never mistaken
    for a tutorial-sized one."""
    rows = []
    for name, value in results.items():
        key = f"{reference}.{name}" if reference else None
        key = key if key in TUTORIAL else None
        fmt = default_format(name, value)
        record(name, value, reference=key, fmt=fmt)
        ref = TUTORIAL[key].value if key else None
        rows.append([label(name), fmt.format(value), "" if ref is None else fmt.format(ref)])
    profile = records.active_profile()
    markdown(markdown_table(["", f"this run ({profile} profile)", "original tutorial"], rows))
