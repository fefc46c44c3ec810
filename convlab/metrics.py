"""How a classifier did, counted in NumPy from its labels: the confusion counts and the
accuracy of each class.

Labels are class indices 0..n_classes-1, one per image: a 1-D array, or the (n, 1) column
Keras datasets give (CIFAR-10's ``y_train``). The figures of :mod:`convlab.viz.classifier` draw
these numbers.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def class_indices(values: Sequence[int] | np.ndarray, name: str, n_classes: int) -> np.ndarray:
    """``values`` as a 1-D integer array of class indices 0..n_classes-1 (an (n, 1) column is
    flattened); ``name`` is what an error calls them."""
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
    true = class_indices(y_true, "y_true", n_classes)
    pred = class_indices(y_pred, "y_pred", n_classes)
    if len(true) != len(pred):
        raise ValueError(f"{len(true)} true labels but {len(pred)} predictions")
    counts = np.zeros((n_classes, n_classes), dtype=int)
    np.add.at(counts, (true, pred), 1)
    return counts


def accuracy_per_class(y_true: Sequence[int] | np.ndarray, y_pred: Sequence[int] | np.ndarray,
                       n_classes: int) -> np.ndarray:
    """(n_classes,) fractions 0..1: the share of each class's images predicted as that class;
    NaN for a class with no images."""
    counts = confusion_counts(y_true, y_pred, n_classes)
    totals = counts.sum(axis=1)
    return np.divide(np.diag(counts), totals, out=np.full(n_classes, np.nan), where=totals > 0)
