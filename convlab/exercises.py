"""Check cells for the lessons' exercises: say whether a reader's answer is right.

A lesson's exercise has two cells: one where the reader sets ``my_answer = None`` to a value,
and a hidden one that computes the right answer from the run and calls :func:`check`. The
check never raises (a wrong answer must not stop the notebook, and the build runs every
exercise with its ``None``) and never prints the right answer before the reader has found it.

In a notebook (and so on the site, where the check cell's code is hidden) the check also shows
the answer folded, computed from the run, with ``explain`` (why it is so) under it: a reader
opens it after trying, without running anything. A script prints only the verdict.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["check", "folded_answer", "message", "verdict"]


def verdict(answer: Any, right: Any, *, rtol: float = 0.0, atol: float = 0.0) -> str | None:
    """``"right"``, ``"wrong"``, or ``None`` when the reader has not answered yet.

    ``answer`` and ``right`` may be numbers, shapes (tuples of ints), NumPy arrays or
    strings. Numbers and arrays match when they have the same shape and agree within
    ``atol + rtol * |right|`` elementwise (``numpy.isclose``); strings match ignoring case
    and surrounding spaces. A ``right`` of ``None`` means the run has no answer to give (for
    example, no test digit of that class was misclassified): every answer is then wrong.
    """
    if answer is None:
        return None
    if right is None:
        return "wrong"
    if isinstance(right, str) or isinstance(answer, str):
        return "right" if str(answer).strip().lower() == str(right).strip().lower() else "wrong"
    try:
        answer_array = np.asarray(answer, dtype=float)
        right_array = np.asarray(right, dtype=float)
    except (TypeError, ValueError):
        return "wrong"
    if answer_array.shape != right_array.shape:
        return "wrong"
    close = np.isclose(answer_array, right_array, rtol=rtol, atol=atol)
    return "right" if bool(np.all(close)) else "wrong"


def check(name: str, answer: Any, right: Any, *, rtol: float = 0.0, atol: float = 0.0,
          hint: str = "", explain: str = "") -> None:
    """Print what ``name``'s reader should hear about ``answer`` (:func:`message`); in a
    notebook, then show the right answer folded (:func:`folded_answer`), with ``explain``."""
    print(message(name, answer, right, rtol=rtol, atol=atol, hint=hint))
    from convlab import report

    if report.in_notebook():
        report.markdown(folded_answer(name, right, explain))


def folded_answer(name: str, right: Any, explain: str = "") -> str:
    """HTML of the right answer inside a closed ``<details>``: "Show the answer to exercise 1"
    (Markdown may follow in ``explain``)."""
    shown = "this run has no answer to give" if right is None else _shown(right)
    body = f"**{shown}**" + (f". {explain.strip()}" if explain.strip() else "")
    return (f"<details class=\"convlab-answer\"><summary>Show the answer to {name}</summary>"
            f"\n\n{body}\n\n</details>")


def message(name: str, answer: Any, right: Any, *, rtol: float = 0.0, atol: float = 0.0,
            hint: str = "") -> str:
    """What ``name``'s reader should hear about ``answer``: a prompt, right, or not yet.

    ``right`` is the answer the hidden cell computed from the run; see :func:`verdict` for
    what counts as a match. ``hint`` (optional) is added to a wrong answer's message. The
    right answer is shown only once the reader has found it.
    """
    outcome = verdict(answer, right, rtol=rtol, atol=atol)
    if outcome is None:
        return f"{name}: set your answer above, then run this cell again."
    if outcome == "right":
        return f"{name}: right ({_shown(answer)})."
    return f"{name}: not yet (you said {_shown(answer)}); {hint or 'try again.'}"


def _shown(value: Any) -> str:
    """A short rendering of an answer: ``2,432``, ``0.0219``, ``(30, 30, 32)``."""
    if isinstance(value, bool) or isinstance(value, str):
        return str(value)
    if isinstance(value, (int, np.integer)):
        return f"{int(value):,}"
    if isinstance(value, (float, np.floating)):
        return f"{float(value):,.4g}"
    return str(value)
