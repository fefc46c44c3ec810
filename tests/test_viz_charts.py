"""convlab.viz.charts: one line or bar per series, and clear errors for bad input."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from convlab import style  # noqa: E402
from convlab.throughput import SpeedRow  # noqa: E402
from convlab.viz import charts  # noqa: E402


def test_plot_history_panels_and_reference():
    history = {"loss": [2.0, 1.5], "val_loss": [2.1, 1.7], "accuracy": [0.2, 0.3]}
    fig = charts.plot_history(history, references={"accuracy": 0.47})
    loss_ax, acc_ax = fig.axes
    assert len(loss_ax.lines) == 2  # training + validation
    assert len(acc_ax.lines) == 2  # training + the dashed reference
    with pytest.raises(KeyError, match="has no 'auc'"):
        charts.plot_history(history, ["auc"])


def test_bar_counts_checks_lengths():
    fig = charts.bar_counts({"train": [1, 2, 3], "test": [3, 2, 1]}, ["a", "b", "c"])
    assert len(fig.axes[0].patches) == 6
    with pytest.raises(ValueError, match="2 counts for 3 labels"):
        charts.bar_counts({"train": [1, 2]}, ["a", "b", "c"])


def test_accuracy_curves_one_line_per_model():
    fig = charts.accuracy_curves([0, 1, 2], {"a": [1, 0.5, 0.2], "b": [1, 0.9, 0.8]},
                              title="t", xlabel="shift")
    assert len(fig.axes[0].lines) == 2 and fig.axes[0].get_title() == "t"
    with pytest.raises(ValueError, match="2 values for 3"):
        charts.accuracy_curves([0, 1, 2], {"a": [1, 0.5]}, title="t", xlabel="x")


def test_regularisation_bars_draw_accuracy_and_gap():
    fig = charts.regularisation_bars(["none", "dropout"], [0.5, 0.55], [0.3, 0.1], baseline=0.5)
    assert len(fig.axes) == 2
    assert "2 variants" in style.description(fig)
    with pytest.raises(ValueError, match="same length"):
        charts.regularisation_bars(["none"], [0.5, 0.6], [0.1])
    plt.close("all")


def test_model_comparison_labels_every_model():
    fig = charts.model_comparison(["a", "b"], [1e5, 6e6], [2.0, 30.0], [0.6, 0.8])
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert any(t.startswith("a\n0.10 M") for t in texts) and any("6.00 M" in t for t in texts)
    with pytest.raises(ValueError, match="same length"):
        charts.model_comparison(["a"], [1], [1, 2], [0.5])
    plt.close("all")


def test_speed_bars_show_only_the_devices_measured():
    rows = [SpeedRow("CPU", "Some CPU", b, "float32", 100.0 * b, 1.0, b) for b in (32, 128)]
    fig = charts.speed_bars(rows)
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert labels == ["CPU: Some CPU"]
    assert "GPU" not in style.description(fig)
    rows.append(SpeedRow("GPU", "Some GPU", 32, "float32", 9000.0, 1.0, 32))
    labels = [t.get_text() for t in charts.speed_bars(rows).axes[0].get_legend().get_texts()]
    assert labels == ["CPU: Some CPU", "GPU: Some GPU"]
    with pytest.raises(ValueError, match="no measurements"):
        charts.speed_bars([])
    plt.close("all")
