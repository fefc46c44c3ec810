"""convlab.metrics: counts checked against hand-made examples."""

from __future__ import annotations

import numpy as np
import pytest

from convlab import metrics


def test_confusion_counts_rows_are_true_classes():
    counts = metrics.confusion_counts([0, 0, 1, 2, 2], [0, 1, 1, 2, 0], 3)
    assert counts.tolist() == [[1, 1, 0], [0, 1, 0], [1, 0, 1]]
    assert metrics.confusion_counts(np.array([[0], [1]]), [0, 1], 3).trace() == 2  # (n, 1) labels
    with pytest.raises(ValueError, match="2 true labels but 3"):
        metrics.confusion_counts([0, 1], [0, 1, 2], 3)
    with pytest.raises(ValueError, match="outside the 3 classes"):
        metrics.confusion_counts([0, 3], [0, 1], 3)


def test_accuracy_per_class_is_the_diagonal_share_of_each_row():
    accuracy = metrics.accuracy_per_class([0, 0, 1, 1, 1], [0, 1, 1, 1, 0], 3)
    assert accuracy[:2].tolist() == [0.5, 2 / 3]
    assert np.isnan(accuracy[2]), "a class with no images has no accuracy"
    counts = metrics.confusion_counts([0, 0, 1, 1, 1], [0, 1, 1, 1, 0], 3)
    reference = np.diag(counts)[:2] / counts.sum(axis=1)[:2]  # the same thing, by hand
    assert np.allclose(accuracy[:2], reference)
