"""The course's figure style: sized for the page's column, legible, and readable in both themes.

Importing :mod:`convlab.viz` applies it (:func:`use`), so every lesson figure gets it without a
line of plumbing in the lesson. :func:`save` writes a figure for the site outside a notebook
(the results page's chart).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import matplotlib as mpl
from matplotlib.figure import Figure

# The content column is about 46 rem (740 px) wide; figures are made at that width in inches
# at 100 dpi and shown at 2x resolution, so text stays sharp and about 13 px tall.
RC: dict[str, Any] = {
    "figure.figsize": (7.4, 3.2),
    "figure.dpi": 100,
    "savefig.dpi": 200,
    "font.size": 10,
    "axes.titlesize": 11,
    "axes.labelsize": 10,
    "legend.fontsize": 9,
    "xtick.labelsize": 9,
    "ytick.labelsize": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "figure.constrained_layout.use": True,
}


def use() -> None:
    """Apply the course style to every figure drawn from now on in this process."""
    mpl.rcParams.update(RC)


@contextmanager
def page_style() -> Iterator[None]:
    """The course style for the figures drawn inside the ``with`` block only."""
    with mpl.rc_context(RC):
        yield


def save(fig: Figure, path: Path) -> None:
    """Write ``fig`` for the site (SVG or PNG by the file's suffix) and close it."""
    import matplotlib.pyplot as plt

    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, transparent=True, bbox_inches="tight")
    plt.close(fig)
