"""What a trained classifier gets right and wrong: the confusion matrix, accuracy per class,
the probabilities it gives one image, the images it gets wrong, and how sure it is.

Labels are class indices, as :mod:`convlab.metrics` counts them. Every function draws with
matplotlib in :mod:`convlab.style`'s palette, gives the figure its alt text
(:func:`convlab.style.describe`) and returns the ``Figure``; a lesson calls ``plt.show()``.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from convlab import style
from convlab.metrics import accuracy_per_class, class_indices, confusion_counts
from convlab.viz.images import image_grid


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
    side = min(style.COLUMN_INCHES, 1.6 + 0.55 * n)
    fig, ax = plt.subplots(figsize=(side, side - 0.6), layout="constrained")
    # Each cell is blue with the row share as its opacity, over a transparent background: on
    # the page an empty cell is the page's own colour, white or dark, not a white square.
    for (i, j), count in np.ndenumerate(counts):
        if count:
            ax.add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, facecolor=style.DARK_BLUE,
                                   alpha=float(share[i, j]), linewidth=0))
            ax.text(j, i, f"{count:,}", ha="center", va="center", fontsize=8 if n > 6 else 9,
                    color=style.TEXT_ON_DARK if share[i, j] > 0.5 else style.INK)
    ax.set_xlim(-0.5, n - 0.5)
    ax.set_ylim(n - 0.5, -0.5)
    ax.set_aspect("equal")
    ax.set_xticks(np.arange(n), class_names, rotation=40, ha="right")
    ax.set_yticks(np.arange(n), class_names)
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    ax.grid(False)
    ax.set_title(title)
    return style.describe(fig, title)


def per_class_accuracy(y_true: Sequence[int] | np.ndarray, y_pred: Sequence[int] | np.ndarray,
                       class_names: Sequence[str], *, chance: float | None = None,
                       title: str = "test accuracy per class") -> Figure:
    """One bar per class: the share of that class's images labelled correctly.

    ``chance`` draws a dashed line (e.g. 0.1, guessing among ten classes). A class with no
    images gets no bar.
    """
    accuracy = accuracy_per_class(y_true, y_pred, len(class_names))
    fig, ax = plt.subplots(figsize=(7.4, 3.2), layout="constrained")
    ax.bar(np.arange(len(class_names)), np.nan_to_num(accuracy), color=style.BLUE)
    ax.set_xticks(np.arange(len(class_names)), class_names, rotation=30, ha="right")
    if chance is not None:
        ax.axhline(chance, color=style.GREY, ls="--", label="guessing")
        ax.legend(loc="lower right")
    ax.set_ylim(0, 1)
    ax.yaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:.0%}"))
    ax.set_ylabel("accuracy")
    ax.set_title(title)
    return style.describe(fig, title)


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
    colours = [style.BLUE] * len(probs)
    colours[predicted] = style.ORANGE
    fig, ax = plt.subplots(figsize=(7.4, 2.8), layout="constrained")
    bars = ax.bar(np.arange(len(probs)), probs, color=colours)
    ax.bar_label(bars, [f"{p:.0%}" if p >= 0.005 else "" for p in probs], fontsize=8)
    labels = list(class_names)
    if true is not None:
        labels[true] = f"{labels[true]}\n(true)"
    ax.set_xticks(np.arange(len(probs)), labels)
    if true is not None:
        ax.get_xticklabels()[true].set_color(style.GREEN if true == predicted else style.RED)
    ax.set_ylim(0, 1.1)
    ax.yaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:.0%}"))
    ax.set_ylabel("probability")
    ax.set_title(title)
    return style.describe(fig, title)


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
    true = class_indices(true, "true", n_classes)
    pred = class_indices(pred, "pred", n_classes)
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
        fig = image_grid(images[wrong], titles, ncols=ncols, size=style.COLUMN_INCHES / ncols)
        for ax in fig.axes:
            ax.title.set_fontsize(8)
    fig.suptitle(title)
    fig.tight_layout()
    return style.describe(fig, f"{title} ({len(wrong)} shown): true class → predicted, "
                               "probability of the predicted vs the true class")


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
    for (name, values), colour in zip(groups.items(), (style.BLUE, style.RED), strict=True):
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
    return style.describe(fig, title)
