"""Figures the lessons share: image grids, bar charts of counts, training curves.

Every function draws with matplotlib and returns the ``Figure``; a lesson calls
``plt.show()`` to display it (inline in notebooks and on the site).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from convlab import style

style.use()


def image_grid(
    images: np.ndarray,
    titles: Sequence[str] | None = None,
    *,
    ncols: int = 4,
    cmap: str | None = None,
    size: float = 1.8,
) -> Figure:
    """Show ``images`` (n, h, w) or (n, h, w, c) in a grid, ``ncols`` wide, one title each.

    uint8 images are shown as they are (0..255); float images are scaled to their own range.
    """
    images = np.asarray(images)
    if images.ndim not in (3, 4):
        raise ValueError(f"images must be (n, h, w) or (n, h, w, c), got shape {images.shape}")
    if titles is not None and len(titles) != len(images):
        raise ValueError(f"{len(images)} images but {len(titles)} titles")
    n = len(images)
    nrows = max(1, math.ceil(n / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(size * ncols, size * nrows + 0.2 * nrows))
    for i, ax in enumerate(np.atleast_1d(axes).ravel()):
        ax.axis("off")
        if i >= n:
            continue
        image = images[i]
        if image.ndim == 3 and image.shape[-1] == 1:
            image = image[..., 0]
        gray = cmap or ("gray" if image.ndim == 2 else None)
        ax.imshow(image, cmap=gray, interpolation="nearest")
        if titles is not None:
            ax.set_title(titles[i], fontsize=9)
    fig.tight_layout()
    return fig


def bar_counts(
    counts: Mapping[str, Sequence[int]], labels: Sequence[str], *, title: str = ""
) -> Figure:
    """Grouped bar chart: one group per label, one bar per series in ``counts``.

    ``counts`` maps a series name (e.g. "train") to one count per label.
    """
    fig, ax = plt.subplots(figsize=(9, 3.2))
    width = 0.8 / max(1, len(counts))
    x = np.arange(len(labels))
    for i, (series, values) in enumerate(counts.items()):
        if len(values) != len(labels):
            raise ValueError(f"series {series!r} has {len(values)} counts for {len(labels)} labels")
        ax.bar(x + (i - (len(counts) - 1) / 2) * width, values, width, label=series)
    ax.set_xticks(x, labels, rotation=30, ha="right")
    ax.set_ylabel("images")
    ax.set_ylim(top=1.25 * max(max(values) for values in counts.values()))  # room for legend
    if title:
        ax.set_title(title)
    ax.legend(loc="upper right", ncols=len(counts))
    fig.tight_layout()
    return fig


def plot_history(
    history: Mapping[str, Sequence[float]] | object,
    metrics: Sequence[str] = ("loss", "accuracy"),
    *,
    references: Mapping[str, float] | None = None,
) -> Figure:
    """Training curves: one panel per metric, training and validation per epoch.

    ``history`` is a Keras ``History`` or its ``.history`` dict. ``references`` draws a
    dashed horizontal line per metric (e.g. a tutorial's reported accuracy).
    """
    logs = getattr(history, "history", history)
    fig, axes = plt.subplots(1, len(metrics), figsize=(5 * len(metrics), 3.4), squeeze=False)
    for ax, metric in zip(axes[0], metrics, strict=True):
        if metric not in logs:
            raise KeyError(f"history has no {metric!r}; it has {sorted(logs)}")
        epochs = np.arange(1, len(logs[metric]) + 1)
        ax.plot(epochs, logs[metric], "o-", label="training")
        if f"val_{metric}" in logs:
            ax.plot(epochs, logs[f"val_{metric}"], "s-", label="validation")
        if references and metric in references:
            ax.axhline(references[metric], color="grey", ls="--", label="original tutorial (test)")
        ax.set_xlabel("epoch")
        ax.set_ylabel(metric)
        ax.xaxis.get_major_locator().set_params(integer=True)
        ax.grid(alpha=0.3)
        ax.legend()
    fig.tight_layout()
    return fig
