"""Numbers in prose that come from the run: ``{{ expression }}`` in a lesson's Markdown cells.

A lesson writes its prose as prose, in Markdown cells, and marks each number that a run
produces with a placeholder::

    After {{ epochs }} epochs the network labels **{{ test_accuracy:.1% }}** of the
    {{ len(x_test):, }} test images correctly.

An optional format spec follows the last colon, as in an f-string. During a build the
expression is evaluated in the lesson's kernel at the point where the Markdown cell sits
(after the code cells above it ran); the page and the downloaded notebook show the values,
and the lesson source keeps the placeholders, so it reads as prose in Jupyter and Colab too.

``{{ claim NAME }}`` marks a checked claim (:mod:`convlab.claims`): it becomes the claim's
mark, made in the kernel by :func:`convlab.claims.mark` from how the claim came out there.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

PATTERN = re.compile(r"\{\{\s*(.+?)\s*\}\}")
# A format spec as in format(): [[fill]align][sign][#][0][width][grouping][.precision][type]
FORMAT_SPEC = re.compile(r"(?:.?[<>=^])?[+\- ]?#?0?\d*[,_]?(?:\.\d+)?[bcdeEfFgGnosxX%]?")
MARKER = "__convlab_placeholders__"
CLAIM = re.compile(r"claim\s+([A-Za-z_]\w*)")  # {{ claim name }}: a checked claim's mark


class PlaceholderError(ValueError):
    """A placeholder could not be evaluated, or the values do not fit the prose."""


@dataclass(frozen=True)
class Placeholder:
    """One ``{{ expression:spec }}`` occurrence."""

    text: str  # as written, braces included
    expression: str
    spec: str  # "" when none


def _split(inner: str) -> tuple[str, str]:
    """``"acc:.1%"`` -> ``("acc", ".1%")``; a colon inside brackets or a lambda is kept;
    ``"claim name"`` -> the call that makes claim ``name``'s mark."""
    cited = CLAIM.fullmatch(inner.strip())
    if cited:
        return f"__import__('convlab.claims').claims.mark({cited.group(1)!r})", ""
    head, colon, spec = inner.rpartition(":")
    if colon and head.strip() and FORMAT_SPEC.fullmatch(spec.strip()) and "lambda" not in head:
        depth = sum(head.count(o) - head.count(c) for o, c in ("()", "[]", "{}"))
        if depth == 0:
            return head.strip(), spec.strip()
    return inner.strip(), ""


def find(markdown: str) -> list[Placeholder]:
    """The placeholders of a Markdown text, in order."""
    found = []
    for match in PATTERN.finditer(markdown):
        expression, spec = _split(match.group(1))
        found.append(Placeholder(match.group(0), expression, spec))
    return found


# A value the run could not measure (NaN: a short run without the stored run it compares
# with, say) reads as this, whatever its format: "nan%" would look like a broken page.
MISSING = "—"
FORMAT_CODE = (f"__convlab_format = lambda v, s: {MISSING!r} if type(v).__name__.startswith("
               "'float') and v != v else format(v, s)\n")


def evaluation_code(placeholders: list[Placeholder]) -> str:
    """Python that prints the formatted values as one JSON line, run in the lesson's kernel;
    a NaN prints as :data:`MISSING`."""
    items = ", ".join(f"__convlab_format({p.expression}, {p.spec!r})" for p in placeholders)
    return FORMAT_CODE + f"print({MARKER!r}, __import__('json').dumps([{items}]))"


def parse_values(stdout: str, count: int) -> list[str]:
    """The values printed by :func:`evaluation_code`."""
    for line in stdout.splitlines():
        if line.startswith(MARKER):
            values = json.loads(line[len(MARKER):])
            if len(values) == count:
                return values
    raise PlaceholderError(f"expected {count} placeholder values, the kernel printed {stdout!r}")


def fill(markdown: str, values: list[str]) -> str:
    """``markdown`` with its placeholders replaced by ``values``, in order."""
    found = find(markdown)
    if len(found) != len(values):
        raise PlaceholderError(
            f"the prose has {len(found)} placeholders but the run recorded {len(values)}: "
            "re-run the lesson"
        )
    remaining = iter(values)
    return PATTERN.sub(lambda _: next(remaining), markdown)
