"""Compare your run: the last cell of a downloaded lesson sets the reader's run beside the page's.

The build writes the published run's claims and results into that cell as a plain value (see
:func:`convlab.publish.site.compare_cell`); run after the lesson's own cells, it shows two
tables: each checked claim (:mod:`convlab.claims`) with its status on the page and in this
run, and each result with the page's value, this run's and the original tutorial's figure.
"""

from __future__ import annotations

from typing import Any

from convlab import claims, report
from convlab.claims import Status


def _shown(value: float | None, fmt: str | None) -> str:
    if value is None:
        return "not recorded"
    try:
        return (fmt or "{:.4g}").format(value)
    except (TypeError, ValueError):
        return f"{value:.4g}"


def claim_rows(page: dict[str, Any]) -> list[list[str]]:
    """One row per claim of the page: statement, the page's status, this run's status."""
    rows = []
    for made in page.get("claims", []):
        mine = claims.CLAIMS.get(made["name"])
        if mine is None:
            yours = "not checked (its cell did not run)"
        elif mine.status == Status.HOLDS:
            yours = f"holds: {mine.evidence}"
        else:
            yours = f"not shown in your run: {mine.evidence}"
        rows.append([made["statement"], f"{made['status']}: {made['evidence']}", yours])
    return rows


def result_rows(page: dict[str, Any]) -> list[list[str]]:
    """One row per result of the page: name, the page's value, this run's, the tutorial's."""
    return [[report.label(r["name"]), _shown(r.get("value"), r.get("fmt")),
             _shown(report.RESULTS.get(r["name"]), r.get("fmt")),
             "" if r.get("reference") is None else _shown(r["reference"], r.get("fmt"))]
            for r in page.get("results", [])]


def compare_with_page(page: dict[str, Any]) -> None:
    """Show this run's claims and results beside those of the published page's run.

    ``page`` is ``{"lesson", "profile", "hardware", "claims": [{"name", "statement",
    "status", "evidence"}], "results": [{"name", "value", "fmt", "reference"}]}``, as the
    build wrote it; accuracies are fractions 0..1."""
    where = f"{page.get('profile', '?')} profile, {page.get('hardware', 'unknown hardware')}"
    parts = [f"**Your run beside the page's** (the page's run: {where})."]
    claim_table = claim_rows(page)
    if claim_table:
        parts += ["", report.markdown_table(["claim", "the page's run", "your run"],
                                            claim_table)]
    result_table = result_rows(page)
    if result_table:
        parts += ["", report.markdown_table(
            ["result", "the page's run", "your run", "original tutorial"], result_table)]
    report.markdown("\n".join(parts))
