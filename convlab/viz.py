"""Figures the lessons share: image grids, bar charts of counts, training curves.

Every function draws with matplotlib and returns the ``Figure``; a lesson calls
``plt.show()`` to display it (inline in notebooks and on the site).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from convlab import style

style.use()

MATRIX_BLUE = "#08519c"   # a confusion matrix's full cell; lighter cells are more transparent


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


def show_matrix(ax, values: np.ndarray, *, title: str = "", fmt: str = "{:g}",
                highlight: tuple[int, int, int, int] | None = None,
                cmap: str = "Blues") -> None:
    """Draw a small 2-D array on ``ax`` as a grid of cells with each value written in it.

    ``highlight`` = (row, col, height, width) outlines a window of cells (the kernel's
    current position). Cells holding NaN are left blank (an output not computed yet).
    """
    values = np.asarray(values, dtype=float)
    if values.ndim != 2:
        raise ValueError(f"show_matrix draws a 2-D array, got shape {values.shape}")
    finite = values[np.isfinite(values)]
    low, high = (finite.min(), finite.max()) if finite.size else (0.0, 1.0)
    ax.imshow(np.where(np.isfinite(values), values, np.nan), cmap=cmap, vmin=low,
              vmax=high if high > low else low + 1, interpolation="nearest")
    mid = (low + high) / 2
    for (i, j), v in np.ndenumerate(values):
        if np.isfinite(v):
            ax.text(j, i, fmt.format(v), ha="center", va="center", fontsize=9,
                    color="white" if v > mid and high > low else "black")
    rows, cols = values.shape
    ax.vlines(np.arange(cols + 1) - 0.5, -0.5, rows - 0.5, color="grey", lw=0.8)
    ax.hlines(np.arange(rows + 1) - 0.5, -0.5, cols - 0.5, color="grey", lw=0.8)
    ax.set_xlim(-0.5, cols - 0.5)
    ax.set_ylim(rows - 0.5, -0.5)
    ax.grid(False)
    ax.set_xticks([])
    ax.set_yticks([])
    if highlight is not None:
        row, col, h, w = highlight
        ax.add_patch(plt.Rectangle((col - 0.5, row - 0.5), w, h, fill=False,
                                   edgecolor="tab:orange", lw=3))
    if title:
        ax.set_title(title)


def filter_rows(image: np.ndarray, results: Mapping[str, tuple[np.ndarray, np.ndarray]],
                *, title: str = "", size: float = 2.3, offset: float = 0.0,
                crop: tuple[slice, slice] | None = None) -> Figure:
    """The original image on the left, beside one row per filter: its kernel and its output.

    ``results`` maps a filter's name to (kernel, output). Outputs are shown through
    ``convolution.display_range(output, offset)``, so the page shows the pixels as a
    0..255 image would (values outside are clipped), not rescaled to their own range.
    ``crop`` (rows, columns) shows only that part of each image (titles keep the full
    shapes); pixels are embedded as they are, not resampled, to keep pages small.
    Axes: the original first, then kernel and output for each filter in turn.
    """
    from convlab.convolution import display_range  # numpy only

    n = len(results)
    if n == 0:
        raise ValueError("filter_rows needs at least one (kernel, output) pair")
    crop = crop or (slice(None), slice(None))
    shown = image[crop]
    aspect = shown.shape[1] / shown.shape[0]
    mosaic = [["original", f"kernel{i}", f"output{i}"] for i in range(n)]
    fig, axes = plt.subplot_mosaic(mosaic, figsize=(size * (1 + 2 * aspect), size * n + 0.4),
                                   width_ratios=[aspect, 1, aspect], layout="constrained")
    axes["original"].imshow(shown, cmap="gray", vmin=0, vmax=255, interpolation="none")
    axes["original"].set_title(f"original {image.shape[0]}x{image.shape[1]}")
    axes["original"].axis("off")
    for i, (name, (kernel, output)) in enumerate(results.items()):
        kernel = np.asarray(kernel, dtype=float)
        show_matrix(axes[f"kernel{i}"], kernel,
                    title=f"{name} {kernel.shape[0]}x{kernel.shape[1]}",
                    fmt="{:.2g}" if kernel.size <= 9 else "")  # a 7x7 blur: too many to write
        ax = axes[f"output{i}"]
        ax.imshow(display_range(output, offset)[crop], cmap="gray", vmin=0, vmax=255,
                  interpolation="none")
        ax.set_title(f"{name}: {output.shape[0]}x{output.shape[1]}")
        ax.axis("off")
    if title:
        fig.suptitle(title)
    return fig


# The two page themes an animation is drawn for: (text and lines, background).
THEMES = {"light": ("#1f1f1f", "#ffffff"), "dark": ("#e2e4e9", "#1e2129")}


def sliding_window_gif(image: np.ndarray, kernel: np.ndarray, *, stride: int = 1,
                       ms_per_frame: int = 1400, dpi: int = 72, theme: str = "light") -> bytes:
    """An animated GIF of ``kernel`` sliding over ``image`` (both 2-D), filling the output.

    Each frame outlines the window on the input, writes the sum of products under the
    figure, and shows the output with the cells computed so far. ``theme`` ("light" or
    "dark") picks the text and background colours of :data:`THEMES`: a GIF's frames are
    opaque, so each page theme gets its own. Returns the GIF's bytes (a few tens of KB for
    small arrays).
    """
    from convlab.convolution import conv2d

    if theme not in THEMES:
        raise ValueError(f"theme must be one of {', '.join(THEMES)}, got {theme!r}")
    ink, paper = THEMES[theme]
    image = np.asarray(image, dtype=float)
    kernel = np.asarray(kernel, dtype=float)
    out = conv2d(image, kernel, stride=stride)
    positions = list(np.ndindex(*out.shape))
    colours = {"text.color": ink, "axes.titlecolor": ink, "axes.edgecolor": ink}
    with plt.rc_context(colours):
        return _animate(image, kernel, out, positions, stride, ms_per_frame, dpi, paper)


def _animate(image: np.ndarray, kernel: np.ndarray, out: np.ndarray,
             positions: list[tuple[int, ...]], stride: int, ms_per_frame: int, dpi: int,
             paper: str) -> bytes:
    import tempfile
    from pathlib import Path

    from matplotlib.animation import FuncAnimation, PillowWriter

    kh, kw = kernel.shape
    fig, (ax_in, ax_k, ax_out) = plt.subplots(
        1, 3, figsize=(7.4, 3.9), width_ratios=[image.shape[1], kw, out.shape[1]],
        layout="constrained")  # the ratios give every panel cells of the same size

    def draw(frame: int) -> None:
        i, j = positions[frame]
        for ax in (ax_in, ax_k, ax_out):
            ax.clear()
        r, c = i * stride, j * stride
        show_matrix(ax_in, image, title="input", highlight=(r, c, kh, kw))
        show_matrix(ax_k, kernel, title="kernel", cmap="Oranges")
        shown = np.full(out.shape, np.nan)
        for done in positions[: frame + 1]:
            shown[done] = out[done]
        show_matrix(ax_out, shown, title="output", highlight=(i, j, 1, 1), cmap="Greens")
        window = image[r:r + kh, c:c + kw]
        terms = [f"{a:g}×{b:g}" if b >= 0 else f"{a:g}×({b:g})"
                 for a, b in zip(window.ravel(), kernel.ravel(), strict=True) if a and b]
        fig.supxlabel(" + ".join(terms or ["0"]) + f" = {out[i, j]:g}", fontsize=11)
        fig.suptitle(f"window at row {r}, column {c}: output[{i}, {j}]")

    anim = FuncAnimation(fig, draw, frames=len(positions))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "sliding.gif"
        # Opaque frames: a transparent background would let each frame show through the
        # next in a GIF.
        anim.save(path, writer=PillowWriter(fps=1000 / ms_per_frame), dpi=dpi,
                  savefig_kwargs={"facecolor": paper, "transparent": False})
        data = path.read_bytes()
    plt.close(fig)
    return data


def sliding_window_animation(image: np.ndarray, kernel: np.ndarray, *, alt: str,
                             stride: int = 1) -> str:
    """HTML for :func:`sliding_window_gif` in the page's theme: a light and a dark GIF, the
    site shows the one that matches its palette (Jupyter shows the light one)."""
    import base64

    parts = []
    for theme in THEMES:
        data = base64.b64encode(sliding_window_gif(image, kernel, stride=stride, theme=theme))
        hidden = ' style="display: none"' if theme != "light" else ""  # outside the site
        parts.append(f'<img class="convlab-only-{theme}" alt="{alt}"{hidden} '
                     f'src="data:image/gif;base64,{data.decode()}">')
    return "\n".join(parts)


def accuracy_curves(x: Sequence[float], curves: Mapping[str, Sequence[float]], *,
                    title: str, xlabel: str, ylabel: str = "test accuracy") -> Figure:
    """Accuracy (0..1) against ``x`` for several models, one line each, on one plot."""
    fig, ax = plt.subplots(figsize=(7.4, 3.4), layout="constrained")
    for name, values in curves.items():
        if len(values) != len(x):
            raise ValueError(f"curve {name!r} has {len(values)} values for {len(x)} points")
        ax.plot(x, values, "o-", label=name)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_ylim(0, 1.02)
    ax.yaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:.0%}"))
    ax.set_title(title)
    ax.legend()
    return fig


# ------------------------------------------------------------------ inspecting a classifier


def _labels(values: Sequence[int] | np.ndarray, name: str, n_classes: int) -> np.ndarray:
    """``values`` as a 1-D integer array of class indices 0..n_classes-1 (a column is flattened)."""
    values = np.asarray(values)
    if values.ndim == 2 and values.shape[1] == 1:
        values = values[:, 0]
    if values.ndim != 1:
        raise ValueError(f"{name} must be one class index per image, got shape {values.shape}")
    if values.size and (values.min() < 0 or values.max() >= n_classes):
        raise ValueError(f"{name} holds {values.min()}..{values.max()}, outside the "
                         f"{n_classes} classes 0..{n_classes - 1}")
    return values.astype(int)


def confusion_counts(y_true: Sequence[int] | np.ndarray, y_pred: Sequence[int] | np.ndarray,
                     n_classes: int) -> np.ndarray:
    """(n_classes, n_classes) integer counts: row = true class, column = predicted class."""
    true = _labels(y_true, "y_true", n_classes)
    pred = _labels(y_pred, "y_pred", n_classes)
    if len(true) != len(pred):
        raise ValueError(f"{len(true)} true labels but {len(pred)} predictions")
    counts = np.zeros((n_classes, n_classes), dtype=int)
    np.add.at(counts, (true, pred), 1)
    return counts


def confusion_matrix(y_true: Sequence[int] | np.ndarray, y_pred: Sequence[int] | np.ndarray,
                     class_names: Sequence[str], *,
                     title: str = "confusion matrix: true class (rows) against prediction "
                                  "(columns)") -> Figure:
    """The confusion matrix as a grid of counts: row = true class, column = predicted class.

    Each cell holds how many images of the row's class were labelled as the column's class;
    the colour is the share of the row, so rows of different sizes compare. Correct answers
    lie on the diagonal.
    """
    counts = confusion_counts(y_true, y_pred, len(class_names))
    share = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1)
    n = len(class_names)
    side = min(7.4, 1.6 + 0.55 * n)
    fig, ax = plt.subplots(figsize=(side, side - 0.6), layout="constrained")
    # Each cell is blue with the row share as its opacity, over a transparent background: on
    # the page an empty cell is the page's own colour, white or dark, not a white square.
    for (i, j), count in np.ndenumerate(counts):
        if count:
            ax.add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, facecolor=MATRIX_BLUE,
                                   alpha=float(share[i, j]), linewidth=0))
            ax.text(j, i, f"{count:,}", ha="center", va="center", fontsize=8 if n > 6 else 9,
                    color="white" if share[i, j] > 0.5 else style.INK)
    ax.set_xlim(-0.5, n - 0.5)
    ax.set_ylim(n - 0.5, -0.5)
    ax.set_aspect("equal")
    ax.set_xticks(np.arange(n), class_names, rotation=40, ha="right")
    ax.set_yticks(np.arange(n), class_names)
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    ax.grid(False)
    ax.set_title(title)
    style.describe(fig, title)
    return fig


def per_class_accuracy(y_true: Sequence[int] | np.ndarray, y_pred: Sequence[int] | np.ndarray,
                       class_names: Sequence[str], *, chance: float | None = None,
                       title: str = "test accuracy per class") -> Figure:
    """One bar per class: the share of that class's images labelled correctly.

    ``chance`` draws a dashed line (e.g. 0.1, guessing among ten classes). A class with no
    images gets no bar.
    """
    counts = confusion_counts(y_true, y_pred, len(class_names))
    totals = counts.sum(axis=1)
    accuracy = np.divide(np.diag(counts), totals, out=np.full(len(totals), np.nan),
                         where=totals > 0)
    fig, ax = plt.subplots(figsize=(7.4, 3.2), layout="constrained")
    ax.bar(np.arange(len(class_names)), np.nan_to_num(accuracy), color="tab:blue")
    ax.set_xticks(np.arange(len(class_names)), class_names, rotation=30, ha="right")
    if chance is not None:
        ax.axhline(chance, color="grey", ls="--", label="guessing")
        ax.legend(loc="lower right")
    ax.set_ylim(0, 1)
    ax.yaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:.0%}"))
    ax.set_ylabel("accuracy")
    ax.set_title(title)
    style.describe(fig, title)
    return fig


def probability_bars(probs: Sequence[float] | np.ndarray, class_names: Sequence[str],
                     true: int | None = None, *,
                     title: str = "the network's probability for each class") -> Figure:
    """A bar per class: the probabilities the network gives one image (they sum to 1).

    The predicted class (the tallest bar) is drawn in orange; ``true`` (the right class, if
    given) is marked below its bar, in green when the prediction is right.
    """
    probs = np.asarray(probs, dtype=float)
    if probs.ndim != 1 or len(probs) != len(class_names):
        raise ValueError(f"probs must be one value per class ({len(class_names)}), "
                         f"got shape {probs.shape}")
    if true is not None and not 0 <= true < len(class_names):
        raise ValueError(f"true class {true} is not one of 0..{len(class_names) - 1}")
    predicted = int(probs.argmax())
    colours = ["tab:blue"] * len(probs)
    colours[predicted] = "tab:orange"
    fig, ax = plt.subplots(figsize=(7.4, 2.8), layout="constrained")
    bars = ax.bar(np.arange(len(probs)), probs, color=colours)
    ax.bar_label(bars, [f"{p:.0%}" if p >= 0.005 else "" for p in probs], fontsize=8)
    labels = list(class_names)
    if true is not None:
        labels[true] = f"{labels[true]}\n(true)"
    ax.set_xticks(np.arange(len(probs)), labels)
    if true is not None:
        ax.get_xticklabels()[true].set_color("tab:green" if true == predicted else "tab:red")
    ax.set_ylim(0, 1.1)
    ax.yaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:.0%}"))
    ax.set_ylabel("probability")
    ax.set_title(title)
    style.describe(fig, title)
    return fig


def misclassified_gallery(images: np.ndarray, true: Sequence[int] | np.ndarray,
                          pred: Sequence[int] | np.ndarray, probs: np.ndarray,
                          class_names: Sequence[str], *, limit: int = 18, ncols: int = 6,
                          title: str = "test images the network got wrong") -> Figure:
    """The first ``limit`` images whose prediction is wrong, each titled "true → predicted"
    with the probability given to the predicted and to the true class.

    ``images`` (n, h, w) or (n, h, w, c) with ``true``, ``pred`` (n,) class indices and
    ``probs`` (n, classes) are all the images; the function picks the wrong ones.
    """
    images = np.asarray(images)
    probs = np.asarray(probs, dtype=float)
    n_classes = len(class_names)
    true = _labels(true, "true", n_classes)
    pred = _labels(pred, "pred", n_classes)
    if not len(images) == len(true) == len(pred) == len(probs):
        raise ValueError(f"{len(images)} images, {len(true)} true labels, {len(pred)} "
                         f"predictions and {len(probs)} rows of probabilities: give one each")
    if probs.ndim != 2 or probs.shape[1] != n_classes:
        raise ValueError(f"probs must be (n, {n_classes}), got shape {probs.shape}")
    wrong = np.flatnonzero(true != pred)[:limit]
    titles = [f"{class_names[true[i]]} → {class_names[pred[i]]}\n"
              f"{probs[i, pred[i]]:.0%} vs {probs[i, true[i]]:.0%}" for i in wrong]
    if len(wrong) == 0:
        fig, ax = plt.subplots(figsize=(7.4, 1.2))
        ax.axis("off")
        ax.text(0.5, 0.5, "no misclassified images", ha="center", va="center")
    else:
        fig = image_grid(images[wrong], titles, ncols=ncols, size=7.4 / ncols)
        for ax in fig.axes:
            ax.title.set_fontsize(8)
    fig.suptitle(title)
    fig.tight_layout()
    style.describe(fig, f"{title} ({len(wrong)} shown): true class → predicted, "
                        "probability of the predicted vs the true class")
    return fig


def confidence_histogram(top_prob_all: Sequence[float] | np.ndarray,
                         top_prob_wrong: Sequence[float] | np.ndarray, *, bins: int = 20,
                         title: str = "how sure the network is: all predictions versus "
                                      "wrong ones") -> Figure:
    """Histograms of the top probability (the network's confidence) of all predictions and
    of the wrong ones, each as a share of its own images, with its mean as a dashed line."""
    groups = {"all": np.asarray(top_prob_all, dtype=float),
              "wrong": np.asarray(top_prob_wrong, dtype=float)}
    for name, values in groups.items():
        if values.ndim != 1:
            raise ValueError(f"top probabilities ({name}) must be 1-D, got {values.shape}")
        if values.size and (values.min() < 0 or values.max() > 1):
            raise ValueError(f"top probabilities ({name}) must lie in 0..1")
    if groups["all"].size == 0:
        raise ValueError("no predictions to draw")
    edges = np.linspace(0, 1, bins + 1)
    fig, ax = plt.subplots(figsize=(7.4, 3.2), layout="constrained")
    for (name, values), colour in zip(groups.items(), ("tab:blue", "tab:red"), strict=True):
        if values.size == 0:
            continue
        weights = np.full(values.size, 1 / values.size)
        ax.hist(values, bins=edges, weights=weights, alpha=0.55, color=colour,
                label=f"{name} ({values.size:,}): mean {values.mean():.0%}")
        ax.axvline(values.mean(), color=colour, ls="--")
    ax.set_xlabel("probability of the predicted class")
    ax.set_ylabel("share of the images")
    ax.xaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:.0%}"))
    ax.yaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:.0%}"))
    ax.legend(loc="upper left")
    ax.set_title(title)
    style.describe(fig, title)
    return fig


def filter_grid(kernels: np.ndarray, *, ncols: int = 8,
                title: str = "the learned filters") -> Figure:
    """One panel per filter of a Conv2D kernel shaped (kh, kw, c_in, c_out), as Keras keeps it.

    With one input channel each filter is drawn in a diverging colour map, white at 0, red
    positive and blue negative, on one scale for all filters so they compare; with three
    (RGB) each filter is shown as a colour patch scaled to its own range; with more, the mean
    over the input channels.
    """
    kernels = np.asarray(kernels, dtype=float)
    if kernels.ndim != 4:
        raise ValueError(f"kernels must be (kh, kw, c_in, c_out), got shape {kernels.shape}")
    kh, kw, c_in, c_out = kernels.shape
    nrows = math.ceil(c_out / ncols)
    cell = 7.4 / ncols
    fig, axes = plt.subplots(nrows, ncols, figsize=(7.4, cell * nrows + 0.5), squeeze=False,
                             layout="constrained")
    limit = np.abs(kernels).max() or 1.0
    for i, ax in enumerate(axes.ravel()):
        ax.axis("off")
        if i >= c_out:
            continue
        kernel = kernels[:, :, :, i]
        if c_in == 3:
            low, high = kernel.min(), kernel.max()
            ax.imshow((kernel - low) / (high - low or 1.0), interpolation="nearest")
        else:
            ax.imshow(kernel.mean(axis=2), cmap="RdBu_r", vmin=-limit, vmax=limit,
                      interpolation="nearest")
        ax.set_title(str(i), fontsize=8)
    fig.suptitle(title)
    style.describe(fig, f"{title}: {c_out} filters of {kh}x{kw}")
    return fig


def activation_grid(maps: np.ndarray, *, ncols: int = 8,
                    title: str = "activation maps") -> Figure:
    """One panel per channel of a layer's output for one image, shaped (h, w, channels).

    Each map is drawn in greys on the scale of all maps (black 0, white the largest value
    of any map), so a bright map is a filter that responded strongly.
    """
    maps = np.asarray(maps, dtype=float)
    if maps.ndim != 3:
        raise ValueError(f"maps must be one image's (h, w, channels), got shape {maps.shape}")
    h, w, channels = maps.shape
    nrows = math.ceil(channels / ncols)
    cell = 7.4 / ncols
    fig, axes = plt.subplots(nrows, ncols, figsize=(7.4, cell * nrows + 0.5), squeeze=False,
                             layout="constrained")
    low, high = min(maps.min(), 0.0), maps.max()
    for i, ax in enumerate(axes.ravel()):
        ax.axis("off")
        if i >= channels:
            continue
        ax.imshow(maps[:, :, i], cmap="gray", vmin=low, vmax=high if high > low else low + 1,
                  interpolation="nearest")
        ax.set_title(str(i), fontsize=8)
    fig.suptitle(title)
    style.describe(fig, f"{title}: {channels} maps of {h}x{w}")
    return fig


# --------------------------------------------------------------------------- lessons 9-11


def regularisation_bars(names: Sequence[str], test_accuracy: Sequence[float],
                        gap: Sequence[float], *, baseline: float | None = None,
                        title: str = "regularisation, one technique at a time") -> Figure:
    """Two bar charts side by side: test accuracy and train-validation gap per variant.

    ``gap`` is training accuracy minus validation accuracy (fractions); ``baseline`` (the
    unregularised model's test accuracy) is drawn as a dashed line on the left."""
    if not len(names) == len(test_accuracy) == len(gap):
        raise ValueError("names, test_accuracy and gap must have the same length")
    fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3.4), sharey=True, layout="constrained")
    y = np.arange(len(names))
    left.barh(y, np.asarray(test_accuracy) * 100, color="tab:blue")
    if baseline is not None:
        left.axvline(baseline * 100, color="grey", ls="--", lw=1, label="no regularisation")
        left.legend(loc="lower right", fontsize=8)
    left.set_xlabel("test accuracy (%)")
    left.set_yticks(y, names)
    left.invert_yaxis()
    right.barh(y, np.asarray(gap) * 100, color="tab:orange")
    right.axvline(0, color="black", lw=0.8)
    right.set_xlabel("train − validation accuracy (points)")
    for ax, values in ((left, np.asarray(test_accuracy) * 100), (right, np.asarray(gap) * 100)):
        for i, v in enumerate(values):
            ax.annotate(f"{v:.0f}", (v, i), xytext=(3, 0), textcoords="offset points",
                        va="center", fontsize=8)
    fig.suptitle(title)
    style.describe(fig, f"{title}: test accuracy and train-validation gap of "
                        f"{len(names)} variants")
    return fig


def model_comparison(names: Sequence[str], parameters: Sequence[float],
                     seconds_per_epoch: Sequence[float], test_accuracy: Sequence[float], *,
                     title: str = "networks on CIFAR-10") -> Figure:
    """Test accuracy against time per epoch, one labelled point per model, its area
    proportional to the parameter count."""
    if not len(names) == len(parameters) == len(seconds_per_epoch) == len(test_accuracy):
        raise ValueError("names, parameters, seconds_per_epoch and test_accuracy must have "
                         "the same length")
    fig, ax = plt.subplots(figsize=(7, 3.8), layout="constrained")
    params = np.asarray(parameters, dtype=float)
    sizes = 40 + 600 * params / max(params.max(), 1)
    ax.scatter(seconds_per_epoch, np.asarray(test_accuracy) * 100, s=sizes, alpha=0.6,
               color=[f"C{i}" for i in range(len(names))])
    for name, p, t, a in zip(names, params, seconds_per_epoch, test_accuracy, strict=True):
        ax.annotate(f"{name}\n{p / 1e6:.2f} M parameters", (t, a * 100), xytext=(8, 0),
                    textcoords="offset points", va="center", fontsize=8)
    ax.set_xscale("log")
    ax.set_xlabel("seconds per epoch (log scale)")
    ax.set_ylabel("test accuracy (%)")
    ax.margins(x=0.35, y=0.2)
    ax.set_title(title)
    style.describe(fig, f"{title}: test accuracy against seconds per epoch for "
                        f"{', '.join(names)}")
    return fig




def speed_bars(rows: Sequence, *, title: str = "training speed") -> Figure:
    """Images per second per batch size, one bar per device, labelled with the hardware.

    ``rows`` are convlab.benchmark.SpeedRow (device, hardware, batch_size, images_per_second);
    only the devices present in ``rows`` are drawn, so a CPU-only run shows CPU bars only."""
    if not rows:
        raise ValueError("no measurements to draw")
    batches = sorted({r.batch_size for r in rows})
    devices = list(dict.fromkeys(r.device for r in rows))
    hardware = {r.device: r.hardware for r in rows}
    rate = {(r.device, r.batch_size): r.images_per_second for r in rows}
    fig, ax = plt.subplots(figsize=(7, 3.4), layout="constrained")
    width = 0.8 / len(devices)
    x = np.arange(len(batches))
    for k, device in enumerate(devices):
        values = [rate.get((device, b), 0.0) for b in batches]
        bars = ax.bar(x + (k - (len(devices) - 1) / 2) * width, values, width,
                      label=f"{device}: {hardware[device]}",
                      color="tab:green" if device == "GPU" else "tab:blue")
        ax.bar_label(bars, labels=[f"{v:,.0f}" for v in values], fontsize=8, padding=2)
    ax.set_xticks(x, [f"batch {b}" for b in batches])
    ax.set_ylabel("training images per second")
    if len(devices) > 1:
        ax.set_yscale("log")
    ax.margins(y=0.15)
    ax.legend(fontsize=8, loc="upper left")
    ax.set_title(title)
    style.describe(fig, f"{title}: images per second on {' and '.join(hardware.values())} "
                        f"at batch sizes {', '.join(map(str, batches))}")
    return fig


def show_svg(svg: str | bytes, title: str) -> None:
    """Display a drawing made elsewhere (graphviz's SVG, e.g. ``keras.utils.model_to_dot(model,
    show_shapes=True).create_svg()``) in the page's colours, at its own size, titled ``title``.

    Black strokes and text take the page's text colour and white fills its background, so the
    drawing reads in light and dark mode like the course's matplotlib figures."""
    from IPython.display import SVG, display

    text = svg.decode() if isinstance(svg, bytes) else svg
    view = re.search(r'viewBox="[-\d.]+ [-\d.]+ ([\d.]+) ([\d.]+)"', text)
    if view:  # graphviz scales width/height by its dpi; the drawing's own size reads best
        width, height = (float(v) for v in view.groups())
        scale = min(1.0, (style.COLUMN_INCHES - 2 * style.PAD_INCHES) * 72 / width)
        width, height = width * scale, height * scale   # no wider than the page's column
        text = re.sub(r'<svg width="[^"]*" height="[^"]*"',
                      f'<svg width="{width:.0f}pt" height="{height:.0f}pt"', text, count=1)
    text = re.sub(r'(fill|stroke)="(black|#000000)"', rf'\1="{style.INK}"', text)
    text = re.sub(r'fill="(white|#ffffff)"', f'fill="{style.PAPER}"', text)
    text = re.sub(r"<text(?![^>]*\bfill=)", f'<text fill="{style.INK}"', text)
    display(SVG(style.themed_svg(text, title)))
