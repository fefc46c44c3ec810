"""The original tutorials' figures, written once: lessons show them beside their own results.

Every figure a tutorial *reported* lives in :data:`TUTORIAL`, under ``"<lesson slug>.<name>"``.
A lesson refers to them by name (``report.compare(..., reference="dense_baseline")`` or
:func:`tutorial`), so no reference number is typed into a lesson, and a result of a run is
never mistaken for one of these.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass


@dataclass(frozen=True)
class Reference:
    """A figure an original tutorial reported."""

    value: float
    note: str  # how the tutorial reported it, e.g. "about 53%, after an unstated number of epochs"


TUTORIAL: dict[str, Reference] = {
    # Part 2: the dense baseline on CIFAR-10 (optimiser, batch size and epochs not stated).
    "dense_baseline.train_accuracy": Reference(0.53, "about 53%"),
    "dense_baseline.test_accuracy": Reference(
        0.4749, "0.4749 as printed by model.evaluate (the text rounds it to 47%)"),
    # Part 3: convolution on a greyscale photograph of the tutorial's own, valid mode.
    "convolution.photo_height": Reference(302, "a 302x403 photograph"),
    "convolution.photo_width": Reference(403, "a 302x403 photograph"),
    "convolution.valid_3x3_height": Reference(300, "300x401 with a 3x3 kernel"),
    "convolution.valid_3x3_width": Reference(401, "300x401 with a 3x3 kernel"),
    "convolution.valid_7x7_height": Reference(296, "296x397 with a 7x7 kernel"),
    "convolution.valid_7x7_width": Reference(397, "296x397 with a 7x7 kernel"),
    # Part 6: the CNN on CIFAR-10, SGD lr 0.001 momentum 0.5, 80 epochs, all 50,000 images.
    "cifar10_cnn.parameters": Reference(631_658, "as printed by model.summary()"),
    "cifar10_cnn.test_accuracy": Reference(0.6954, "0.6954 after 80 epochs"),
    "cifar10_cnn.test_loss": Reference(1.647, "1.647 after 80 epochs"),
    "cifar10_cnn.train_accuracy": Reference(0.95, "about 95% after 80 epochs"),
    "cifar10_cnn.epochs": Reference(80, "80 epochs"),
    "cifar10_cnn.curves_part_epoch": Reference(15, "the training and validation curves part "
                                                   "around epoch 15"),
    # Part 7: Fashion-MNIST.
    "fashion_mnist.dense_test_accuracy": Reference(
        0.8782, "0.8782 as printed after 5 epochs (the text: about 88%)"),
    "fashion_mnist.cnn_a_parameters": Reference(257_162, "as printed by model.summary()"),
    "fashion_mnist.cnn_a_test_accuracy": Reference(0.9225, "0.9225 after 10 epochs"),
    "fashion_mnist.cnn_a_train_accuracy": Reference(0.9721, "0.9721 after 10 epochs"),
    "fashion_mnist.cnn_a_test_loss": Reference(0.3055, "0.3055 after 10 epochs"),
    "fashion_mnist.cnn_a_val_accuracy_epoch1": Reference(0.8946, "0.8946 (test set) after epoch 1"),
    "fashion_mnist.cnn_a_val_accuracy_epoch2": Reference(0.9021, "0.9021 (test set) after epoch 2"),
    "fashion_mnist.cnn_b_test_accuracy": Reference(0.91, "about 91% after 10 epochs"),
    "fashion_mnist.cnn_b_train_accuracy": Reference(0.97, "about 97% after 10 epochs"),
    # Part 8: MNIST, 20,000 training images, 6 epochs, batch 128.
    "mnist_inside.parameters": Reference(54_410, "as printed by model.summary()"),
    "mnist_inside.test_accuracy": Reference(0.9685, "0.9685 after 6 epochs"),
    "mnist_inside.test_loss": Reference(0.1103, "0.1103 after 6 epochs"),
    "mnist_inside.val_accuracy_epoch1": Reference(0.9171, "0.9171 (test set) after epoch 1"),
    "mnist_inside.val_accuracy_epoch2": Reference(0.9425, "0.9425 (test set) after epoch 2"),
    "mnist_inside.val_accuracy_epoch3": Reference(0.9548, "0.9548 (test set) after epoch 3"),
    "mnist_inside.val_accuracy_epoch4": Reference(0.9620, "0.9620 (test set) after epoch 4"),
    "mnist_inside.val_accuracy_epoch5": Reference(0.9660, "0.9660 (test set) after epoch 5"),
    "mnist_inside.val_accuracy_epoch6": Reference(0.9685, "0.9685 (test set) after epoch 6"),
}


def tutorial(name: str) -> float:
    """The value the original tutorial reported for ``name`` (``"lesson_slug.quantity"``)."""
    try:
        return TUTORIAL[name].value
    except KeyError:
        close = difflib.get_close_matches(name, TUTORIAL, n=3)
        hint = f" Did you mean {', '.join(close)}?" if close else ""
        raise KeyError(f"no tutorial figure {name!r}.{hint} They are listed in "
                       "convlab/references.py.") from None

