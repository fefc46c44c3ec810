"""How a classifier did, counted in NumPy from its labels: the confusion counts and the
accuracy of each class; and how far an accuracy measured on a test set can be trusted: its
binomial standard error, the margin a difference between two accuracies must clear, and
the paired (McNemar) test of two classifiers scored on the same images.

Labels are class indices 0..n_classes-1, one per image: a 1-D array, or the (n, 1) column
Keras datasets give (CIFAR-10's ``y_train``). The figures of :mod:`convlab.viz.classifier` draw
these numbers.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

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


def standard_error(accuracy: float | np.ndarray, n: int) -> float | np.ndarray:
    """The binomial standard error ``sqrt(p * (1 - p) / n)`` of an accuracy ``p`` measured on
    ``n`` test images: how far another draw of ``n`` images would typically move it.

    ``accuracy`` is a fraction 0..1 (a float, or an array of them: the result has its shape);
    the result is a fraction too (0.005 is half a percentage point). Each image is right or
    wrong, so the count right is binomial; the error is largest at ``p = 0.5``."""
    p = np.asarray(accuracy, dtype=float)
    if n < 1:
        raise ValueError(f"a standard error needs at least one test image, got n={n}")
    if np.any((p < 0) | (p > 1)) or np.any(np.isnan(p)):
        raise ValueError(f"an accuracy is a fraction between 0 and 1, got {accuracy}")
    se = np.sqrt(p * (1 - p) / n)
    return float(se) if se.ndim == 0 else se


def noise_margin(accuracy_a: float | np.ndarray, accuracy_b: float | np.ndarray,
                 n: int) -> float | np.ndarray:
    """Twice the standard error of the difference of two accuracies measured on ``n`` test
    images each, ``2 * sqrt(se_a**2 + se_b**2)``: the least a difference must clear to count
    rather than be called a tie.

    Accuracies and result are fractions 0..1 (floats, or arrays that broadcast together). The
    rule treats the two scores as independent; it is a rule of thumb, not a test."""
    se_a = standard_error(accuracy_a, n)
    se_b = standard_error(accuracy_b, n)
    margin = 2 * np.sqrt(np.square(se_a) + np.square(se_b))
    return float(margin) if np.ndim(margin) == 0 else margin


def mcnemar_p_value(only_a: int, only_b: int) -> float:
    """Two-sided exact McNemar p-value from the discordant pairs of two classifiers scored
    on the same images: ``only_a`` images that A gets right and B wrong, ``only_b`` the other
    way round (images both get right, or both wrong, say nothing about which is better).

    Under "A and B are equally good" each discordant image is a fair coin, so ``only_a`` is
    Binomial(only_a + only_b, 1/2); the p-value is the chance of a split at least this uneven,
    ``min(1, 2 * P[X <= min(only_a, only_b)])``, and 1.0 when there is no discordant image.
    """
    if only_a < 0 or only_b < 0 or int(only_a) != only_a or int(only_b) != only_b:
        raise ValueError(f"discordant counts are whole numbers of images, got {only_a} and "
                         f"{only_b}")
    n, k = int(only_a + only_b), int(min(only_a, only_b))
    if n == 0:
        return 1.0
    tail = sum(math.comb(n, i) for i in range(k + 1)) / 2**n
    return min(1.0, 2.0 * tail)


# A difference whose p-value is at least this is a tie: the images cannot tell the two apart.
SIGNIFICANCE = 0.05


@dataclass(frozen=True)
class PairedComparison:
    """Two classifiers A and B scored on the same ``n`` test images (accuracies are
    fractions 0..1; ``only_a`` images A gets right and B wrong, ``only_b`` the other way)."""

    n: int
    accuracy_a: float
    accuracy_b: float
    only_a: int
    only_b: int
    p_value: float  # two-sided exact McNemar (:func:`mcnemar_p_value`)

    @property
    def winner(self) -> Literal["a", "b"] | None:
        """``"a"`` or ``"b"`` when one is better beyond the noise (p < :data:`SIGNIFICANCE`),
        ``None`` for a tie."""
        if self.p_value >= SIGNIFICANCE or self.only_a == self.only_b:
            return None
        return "a" if self.only_a > self.only_b else "b"

    @property
    def tie(self) -> bool:
        """Whether the images cannot tell the two apart (no :attr:`winner`)."""
        return self.winner is None

    def evidence(self, a: str, b: str, images: str = "test images") -> str:
        """The comparison in words, A and B named: "CNN 49.6% against dense 27.3% on the same
        10,000 test images: CNN alone right on 2,600, dense alone on 370, exact McNemar test
        p < 0.001". ``images`` names what they were scored on."""
        p = "p < 0.001" if self.p_value < 0.001 else f"p = {self.p_value:.2g}"
        return (f"{a} {self.accuracy_a:.1%} against {b} {self.accuracy_b:.1%} on the same "
                f"{self.n:,} {images}: {a} alone right on {self.only_a:,}, {b} alone on "
                f"{self.only_b:,}, exact McNemar test {p}")


def paired_comparison(correct_a: Sequence[bool] | np.ndarray,
                      correct_b: Sequence[bool] | np.ndarray) -> PairedComparison:
    """Two classifiers compared on the same test images, one boolean per image (True where it
    predicted the right class), by the exact McNemar test (:func:`mcnemar_p_value`). A
    difference whose p-value is :data:`SIGNIFICANCE` or more is a tie: the images cannot tell
    the two apart."""
    a = np.asarray(correct_a, dtype=bool).ravel()
    b = np.asarray(correct_b, dtype=bool).ravel()
    if a.shape != b.shape or a.size == 0:
        raise ValueError(f"one right-or-wrong per test image for each classifier, on the same "
                         f"images: got {a.size} and {b.size}")
    only_a, only_b = int(np.sum(a & ~b)), int(np.sum(~a & b))
    return PairedComparison(int(a.size), float(a.mean()), float(b.mean()), only_a, only_b,
                            mcnemar_p_value(only_a, only_b))
