"""Figures: the right number of panels, and clear errors for bad input."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from convlab import viz  # noqa: E402


def test_image_grid_layout_and_titles():
    images = np.zeros((6, 8, 8, 3), dtype=np.uint8)
    fig = viz.image_grid(images, [f"t{i}" for i in range(6)], ncols=4)
    assert len(fig.axes) == 8  # two rows of four; the last two empty
    assert [ax.get_title() for ax in fig.axes[:6]] == [f"t{i}" for i in range(6)]
    assert len(fig.axes[6].images) == 0
    grey = viz.image_grid(np.zeros((2, 5, 5, 1)), ncols=2)
    assert grey.axes[0].images[0].get_cmap().name == "gray"


def test_image_grid_rejects_bad_input():
    with pytest.raises(ValueError, match="shape"):
        viz.image_grid(np.zeros((4, 4)))
    with pytest.raises(ValueError, match="2 images but 1 titles"):
        viz.image_grid(np.zeros((2, 4, 4)), ["one"])


def test_plot_history_panels_and_reference():
    history = {"loss": [2.0, 1.5], "val_loss": [2.1, 1.7], "accuracy": [0.2, 0.3]}
    fig = viz.plot_history(history, references={"accuracy": 0.47})
    loss_ax, acc_ax = fig.axes
    assert len(loss_ax.lines) == 2  # training + validation
    assert len(acc_ax.lines) == 2  # training + the dashed reference
    with pytest.raises(KeyError, match="has no 'auc'"):
        viz.plot_history(history, ["auc"])


def test_bar_counts_checks_lengths():
    fig = viz.bar_counts({"train": [1, 2, 3], "test": [3, 2, 1]}, ["a", "b", "c"])
    assert len(fig.axes[0].patches) == 6
    with pytest.raises(ValueError, match="2 counts for 3 labels"):
        viz.bar_counts({"train": [1, 2]}, ["a", "b", "c"])
