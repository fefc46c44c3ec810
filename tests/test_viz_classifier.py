"""convlab.viz.classifier: a classifier's figures show the right counts and images."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from convlab.viz import classifier  # noqa: E402

NAMES = ["a", "b", "c"]


def test_confusion_matrix_labels_and_counts():
    fig = classifier.confusion_matrix([0, 0, 1, 2, 2], [0, 1, 1, 2, 2], NAMES, title="cm")
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
    fig = classifier.per_class_accuracy([0, 0, 1, 2], [0, 1, 1, 0], NAMES, chance=1 / 3)
    heights = [p.get_height() for p in fig.axes[0].patches]
    assert heights == [0.5, 1.0, 0.0]
    assert len(fig.axes[0].lines) == 1  # the chance line


def test_probability_bars_marks_prediction_and_truth():
    fig = classifier.probability_bars([0.1, 0.7, 0.2], NAMES, true=2)
    ax = fig.axes[0]
    assert len(ax.patches) == 3
    assert ax.get_xticklabels()[2].get_text() == "c\n(true)"
    assert fig.get_label()
    with pytest.raises(ValueError, match="one value per class"):
        classifier.probability_bars([0.5, 0.5], NAMES)
    with pytest.raises(ValueError, match="true class 5"):
        classifier.probability_bars([0.1, 0.7, 0.2], NAMES, true=5)


def test_misclassified_gallery_shows_only_the_wrong_ones():
    images = np.zeros((4, 6, 6))
    probs = np.array([[0.9, 0.05, 0.05], [0.2, 0.7, 0.1], [0.6, 0.3, 0.1], [0.1, 0.1, 0.8]])
    fig = classifier.misclassified_gallery(images, [0, 0, 1, 2], [0, 1, 0, 2], probs, NAMES,
                                           ncols=3)
    titles = [ax.get_title() for ax in fig.axes if ax.images]
    assert titles == ["a → b\n70% vs 20%", "b → a\n60% vs 30%"]
    none = classifier.misclassified_gallery(images, [0, 1, 0, 2], [0, 1, 0, 2], probs, NAMES)
    assert "no misclassified" in none.axes[0].texts[0].get_text()
    with pytest.raises(ValueError, match="give one each"):
        classifier.misclassified_gallery(images[:3], [0, 0, 1, 2], [0, 1, 0, 2], probs, NAMES)
    with pytest.raises(ValueError, match=r"probs must be \(n, 3\)"):
        classifier.misclassified_gallery(images, [0, 0, 1, 2], [0, 1, 0, 2], probs[:, :2], NAMES)


def test_confidence_histogram_labels_each_mean():
    fig = classifier.confidence_histogram([0.9, 1.0, 0.5, 0.6], [0.5, 0.6])
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert labels == ["all (4): mean 75%", "wrong (2): mean 55%"]
    assert len(fig.axes[0].lines) == 2  # the two means
    classifier.confidence_histogram([0.9], [])  # no wrong predictions: only "all"
    with pytest.raises(ValueError, match="0..1"):
        classifier.confidence_histogram([1.5], [])
    with pytest.raises(ValueError, match="no predictions"):
        classifier.confidence_histogram([], [])
