"""Figures: the right number of panels, and clear errors for bad input."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from convlab import style, viz  # noqa: E402
from convlab.throughput import SpeedRow  # noqa: E402


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


def test_show_matrix_writes_values_and_outlines_a_window():
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    values = np.array([[1.0, 2.0], [np.nan, 4.0]])
    viz.show_matrix(ax, values, title="m", highlight=(0, 0, 1, 2))
    assert sorted(t.get_text() for t in ax.texts) == ["1", "2", "4"]  # NaN left blank
    assert len(ax.patches) == 1 and ax.get_title() == "m"
    with pytest.raises(ValueError, match="2-D"):
        viz.show_matrix(ax, np.zeros(3))
    plt.close(fig)


def test_filter_rows_one_row_per_filter():
    image = np.zeros((10, 20))
    kernel = np.ones((3, 3)) / 9
    fig = viz.filter_rows(image, {"blur": (kernel, np.zeros((8, 18))),
                                  "edge": (np.eye(3), np.full((8, 18), 300.0))}, title="t")
    assert len(fig.axes) == 5  # the original once, then kernel and output per filter
    assert fig.axes[0].get_title() == "original 10x20"
    assert fig.axes[4].get_title() == "edge: 8x18"
    assert fig.axes[4].images[0].get_array().max() == 255  # clipped like a 0..255 image
    with pytest.raises(ValueError, match="at least one"):
        viz.filter_rows(image, {})


def test_sliding_window_gif_is_a_small_gif():
    image = np.arange(16.0).reshape(4, 4)
    data = viz.sliding_window_gif(image, np.ones((3, 3)), dpi=30)
    assert data[:6] in (b"GIF87a", b"GIF89a")
    assert len(data) < 300_000


def test_accuracy_curves_one_line_per_model():
    fig = viz.accuracy_curves([0, 1, 2], {"a": [1, 0.5, 0.2], "b": [1, 0.9, 0.8]},
                              title="t", xlabel="shift")
    assert len(fig.axes[0].lines) == 2 and fig.axes[0].get_title() == "t"
    with pytest.raises(ValueError, match="2 values for 3"):
        viz.accuracy_curves([0, 1, 2], {"a": [1, 0.5]}, title="t", xlabel="x")


# --------------------------------------------------------------------------- classifier figures

NAMES = ["a", "b", "c"]


def test_confusion_counts_rows_are_true_classes():
    counts = viz.confusion_counts([0, 0, 1, 2, 2], [0, 1, 1, 2, 0], 3)
    assert counts.tolist() == [[1, 1, 0], [0, 1, 0], [1, 0, 1]]
    assert viz.confusion_counts(np.array([[0], [1]]), [0, 1], 3).trace() == 2  # (n, 1) labels
    with pytest.raises(ValueError, match="2 true labels but 3"):
        viz.confusion_counts([0, 1], [0, 1, 2], 3)
    with pytest.raises(ValueError, match="outside the 3 classes"):
        viz.confusion_counts([0, 3], [0, 1], 3)


def test_confusion_matrix_labels_and_counts():
    fig = viz.confusion_matrix([0, 0, 1, 2, 2], [0, 1, 1, 2, 2], NAMES, title="cm")
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == NAMES
    assert [t.get_text() for t in ax.get_yticklabels()] == NAMES
    assert sorted(t.get_text() for t in ax.texts) == ["1", "1", "1", "2"]  # zeros left blank
    assert ax.get_title() == "cm" and fig.get_label() == "cm"
    # a cell's opacity is its share of the row, so an empty cell shows the page's background
    opacity = {(round(p.get_x() + 0.5), round(p.get_y() + 0.5)): p.get_alpha()
               for p in ax.patches}
    assert opacity == {(0, 0): 0.5, (1, 0): 0.5, (1, 1): 1.0, (2, 2): 1.0}


def test_per_class_accuracy_bars():
    fig = viz.per_class_accuracy([0, 0, 1, 2], [0, 1, 1, 0], NAMES, chance=1 / 3)
    heights = [p.get_height() for p in fig.axes[0].patches]
    assert heights == [0.5, 1.0, 0.0]
    assert len(fig.axes[0].lines) == 1  # the chance line


def test_probability_bars_marks_prediction_and_truth():
    fig = viz.probability_bars([0.1, 0.7, 0.2], NAMES, true=2)
    ax = fig.axes[0]
    assert len(ax.patches) == 3
    assert ax.get_xticklabels()[2].get_text() == "c\n(true)"
    assert fig.get_label()
    with pytest.raises(ValueError, match="one value per class"):
        viz.probability_bars([0.5, 0.5], NAMES)
    with pytest.raises(ValueError, match="true class 5"):
        viz.probability_bars([0.1, 0.7, 0.2], NAMES, true=5)


def test_misclassified_gallery_shows_only_the_wrong_ones():
    images = np.zeros((4, 6, 6))
    probs = np.array([[0.9, 0.05, 0.05], [0.2, 0.7, 0.1], [0.6, 0.3, 0.1], [0.1, 0.1, 0.8]])
    fig = viz.misclassified_gallery(images, [0, 0, 1, 2], [0, 1, 0, 2], probs, NAMES, ncols=3)
    titles = [ax.get_title() for ax in fig.axes if ax.images]
    assert titles == ["a → b\n70% vs 20%", "b → a\n60% vs 30%"]
    none = viz.misclassified_gallery(images, [0, 1, 0, 2], [0, 1, 0, 2], probs, NAMES)
    assert "no misclassified" in none.axes[0].texts[0].get_text()
    with pytest.raises(ValueError, match="give one each"):
        viz.misclassified_gallery(images[:3], [0, 0, 1, 2], [0, 1, 0, 2], probs, NAMES)
    with pytest.raises(ValueError, match=r"probs must be \(n, 3\)"):
        viz.misclassified_gallery(images, [0, 0, 1, 2], [0, 1, 0, 2], probs[:, :2], NAMES)


def test_confidence_histogram_labels_each_mean():
    fig = viz.confidence_histogram([0.9, 1.0, 0.5, 0.6], [0.5, 0.6])
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert labels == ["all (4): mean 75%", "wrong (2): mean 55%"]
    assert len(fig.axes[0].lines) == 2  # the two means
    viz.confidence_histogram([0.9], [])  # no wrong predictions: only "all"
    with pytest.raises(ValueError, match="0..1"):
        viz.confidence_histogram([1.5], [])
    with pytest.raises(ValueError, match="no predictions"):
        viz.confidence_histogram([], [])


def test_filter_grid_one_panel_per_filter():
    fig = viz.filter_grid(np.random.default_rng(0).normal(size=(3, 3, 1, 10)), ncols=4)
    drawn = [ax for ax in fig.axes if ax.images]
    assert len(fig.axes) == 12 and len(drawn) == 10
    assert drawn[0].images[0].get_array().shape == (3, 3)
    rgb = viz.filter_grid(np.ones((3, 3, 3, 2)))
    assert rgb.axes[0].images[0].get_array().shape == (3, 3, 3)
    with pytest.raises(ValueError, match="kh, kw, c_in, c_out"):
        viz.filter_grid(np.zeros((3, 3, 4)))


def test_activation_grid_one_panel_per_channel():
    fig = viz.activation_grid(np.zeros((26, 26, 5)), ncols=4, title="maps")
    assert sum(1 for ax in fig.axes if ax.images) == 5
    assert fig.get_suptitle() == "maps" and "5 maps of 26x26" in fig.get_label()
    with pytest.raises(ValueError, match="one image's"):
        viz.activation_grid(np.zeros((1, 26, 26, 5)))


# --- the figures of the regularisation, architecture and GPU-speed lessons ---


def test_regularisation_bars_draw_accuracy_and_gap():
    fig = viz.regularisation_bars(["none", "dropout"], [0.5, 0.55], [0.3, 0.1], baseline=0.5)
    assert len(fig.axes) == 2
    assert "2 variants" in style.description(fig)
    with pytest.raises(ValueError, match="same length"):
        viz.regularisation_bars(["none"], [0.5, 0.6], [0.1])
    plt.close("all")


def test_model_comparison_labels_every_model():
    fig = viz.model_comparison(["a", "b"], [1e5, 6e6], [2.0, 30.0], [0.6, 0.8])
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert any(t.startswith("a\n0.10 M") for t in texts) and any("6.00 M" in t for t in texts)
    with pytest.raises(ValueError, match="same length"):
        viz.model_comparison(["a"], [1], [1, 2], [0.5])
    plt.close("all")


def test_speed_bars_show_only_the_devices_measured():
    rows = [SpeedRow("CPU", "Some CPU", b, "float32", 100.0 * b, 1.0, b) for b in (32, 128)]
    fig = viz.speed_bars(rows)
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert labels == ["CPU: Some CPU"]
    assert "GPU" not in style.description(fig)
    rows.append(SpeedRow("GPU", "Some GPU", 32, "float32", 9000.0, 1.0, 32))
    labels = [t.get_text() for t in viz.speed_bars(rows).axes[0].get_legend().get_texts()]
    assert labels == ["CPU: Some CPU", "GPU: Some GPU"]
    with pytest.raises(ValueError, match="no measurements"):
        viz.speed_bars([])
    plt.close("all")
