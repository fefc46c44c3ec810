"""Numbers as lines and bars: training curves, accuracy against a setting, counts per class,
and the comparisons of the regularisation, architecture and speed lessons.

Every function draws with matplotlib in :mod:`convlab.style`'s palette, gives the figure its
alt text (:func:`convlab.style.describe`) and returns the ``Figure``; a lesson calls
``plt.show()`` to display it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from convlab import style


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
            ax.axhline(references[metric], color=style.GREY, ls="--",
                       label="original tutorial (test)")
        ax.set_xlabel("epoch")
        ax.set_ylabel(metric)
        ax.xaxis.get_major_locator().set_params(integer=True)
        ax.grid(alpha=0.3)
        ax.legend()
    fig.tight_layout()
    series = "training and validation" if any(f"val_{m}" in logs for m in metrics) else "training"
    shown = [m for m in metrics if references and m in references]
    dashed = f"; dashed: the original tutorial's test {' and '.join(shown)}" if shown else ""
    return style.describe(fig, f"{' and '.join(metrics)} per epoch, {series}{dashed}")


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
    return style.describe(fig, f"{title}: {ylabel} against {xlabel} for {', '.join(curves)}")


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
    return style.describe(fig, f"{title or 'images per label'}: a bar per label for "
                               f"{' and '.join(counts)}")


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
    left.barh(y, np.asarray(test_accuracy) * 100, color=style.BLUE)
    if baseline is not None:
        left.axvline(baseline * 100, color=style.GREY, ls="--", lw=1, label="no regularisation")
        left.legend(loc="lower right", fontsize=8)
    left.set_xlabel("test accuracy (%)")
    left.set_yticks(y, names)
    left.invert_yaxis()
    right.barh(y, np.asarray(gap) * 100, color=style.ORANGE)
    right.axvline(0, color=style.INK, lw=0.8)
    right.set_xlabel("train − validation accuracy (points)")
    for ax, values in ((left, np.asarray(test_accuracy) * 100), (right, np.asarray(gap) * 100)):
        for i, v in enumerate(values):
            ax.annotate(f"{v:.0f}", (v, i), xytext=(3, 0), textcoords="offset points",
                        va="center", fontsize=8)
    fig.suptitle(title)
    return style.describe(fig, f"{title}: test accuracy and train-validation gap of "
                               f"{len(names)} variants")


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
               color=[f"C{i}" for i in range(len(names))])  # the palette's colours in turn
    for name, p, t, a in zip(names, params, seconds_per_epoch, test_accuracy, strict=True):
        ax.annotate(f"{name}\n{p / 1e6:.2f} M parameters", (t, a * 100), xytext=(8, 0),
                    textcoords="offset points", va="center", fontsize=8)
    ax.set_xscale("log")
    ax.set_xlabel("seconds per epoch (log scale)")
    ax.set_ylabel("test accuracy (%)")
    ax.margins(x=0.35, y=0.2)
    ax.set_title(title)
    return style.describe(fig, f"{title}: test accuracy against seconds per epoch for "
                               f"{', '.join(names)}")


def speed_bars(rows: Sequence, *, title: str = "training speed") -> Figure:
    """Images per second per batch size, one bar per device, labelled with the hardware.

    ``rows`` are convlab.throughput.SpeedRow (device, hardware, batch_size, images_per_second);
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
                      color=style.GREEN if device == "GPU" else style.BLUE)
        ax.bar_label(bars, labels=[f"{v:,.0f}" for v in values], fontsize=8, padding=2)
    ax.set_xticks(x, [f"batch {b}" for b in batches])
    ax.set_ylabel("training images per second")
    if len(devices) > 1:
        ax.set_yscale("log")
    ax.margins(y=0.15)
    ax.legend(fontsize=8, loc="upper left")
    ax.set_title(title)
    return style.describe(fig, f"{title}: images per second on "
                               f"{' and '.join(hardware.values())} at batch sizes "
                               f"{', '.join(map(str, batches))}")
