"""The home page's chart: the course at a glance, readable on a phone.

Drawn when the site is built from the results the build collected (``results.json``, written
into the docs folder by :mod:`convlab.publish.results`): every accuracy a lesson measured that
its original tutorial also reported, the tutorial's figure beside it. Each pair of bars has its
label above it, so the chart stays narrow (a phone's column) with text at the page's size. It
is inline SVG in the course's figure style (:mod:`convlab.style`): its text and axes take the
page's text colour, so it reads in the light and the dark theme.
"""

from __future__ import annotations

from typing import Any

from convlab.publish import results

TITLE = "Accuracy each lesson measured, beside the figure its original tutorial reported"


def accuracy_pairs(data: dict[str, Any]) -> list[tuple[str, float, float]]:
    """(label, measured, tutorial's) for every fraction with a reference, in lesson order; the
    label names the lesson by its number and title, then the result."""
    pairs = []
    for lesson in data.get("lessons", []):
        number = lesson["lesson"].split("_", 1)[0]
        for result in lesson.get("results", []):
            if result.get("reference") is None or results.quantity(result) != "fraction":
                continue
            name = result["name"].replace("_", " ")
            pairs.append((f"{number} {lesson['title']}: {name}", float(result["value"]),
                          float(result["reference"])))
    return pairs


def results_chart(data: dict[str, Any]) -> str | None:
    """The chart as inline SVG, or ``None`` when no result has a tutorial's figure."""
    pairs = accuracy_pairs(data)
    if not pairs:
        return None
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    from convlab import style

    with style.page_style():
        fig, ax = plt.subplots(figsize=(4.2, 0.9 + 0.62 * len(pairs)))
        y = np.arange(len(pairs)) * 1.6
        measured = ax.barh(y, [p[1] for p in pairs], 0.45, label="this course's run")
        ax.barh(y + 0.45, [p[2] for p in pairs], 0.45, label="original tutorial", alpha=0.55)
        for row, (label, value, reference) in zip(y, pairs, strict=True):
            ax.text(0, row - 0.4, _short(label), fontsize=8, va="bottom", ha="left")
            ax.text(value + 0.01, row, f"{value:.1%}", fontsize=7.5, va="center")
            ax.text(reference + 0.01, row + 0.45, f"{reference:.1%}", fontsize=7.5,
                    va="center", alpha=0.8)
        ax.set_yticks([])
        ax.invert_yaxis()
        ax.set_xlim(0, 1.12)
        ax.set_xticks([0, 0.25, 0.5, 0.75, 1.0])
        ax.xaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
        ax.spines[["left", "right", "top"]].set_visible(False)
        ax.legend(handles=[measured, *ax.containers[1:2]], loc="upper center",
                  bbox_to_anchor=(0.5, 1.0), ncols=2, fontsize=8, frameon=False,
                  borderaxespad=-1.6)
        style.describe(fig, TITLE)
        svg = style.page_svg(fig)
        plt.close(fig)
    return svg


def _short(label: str, limit: int = 58) -> str:
    """A label that fits a phone's column."""
    return label if len(label) <= limit else label[: limit - 1] + "…"


def load_chart(docs_dir: Any) -> str | None:
    """The chart for the build whose results are in ``docs_dir``, or ``None`` (no results
    yet: a plain ``mkdocs build`` before any ``convlab build``, or none with a reference)."""
    from pathlib import Path

    path = Path(docs_dir) / results.JSON_NAME
    if not path.is_file():
        return None
    try:
        return results_chart(results.load(path))
    except results.ResultsError:
        return None
