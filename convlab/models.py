"""The course's networks, for the scripts in ``benchmarks/`` and the speed lesson's thread sweep.

The lessons type their networks out: that is what they teach. Scripts that train or time the
same networks build them here instead, and ``tests/test_models.py`` checks each copy against
the lesson's own definition layer by layer (class and ``get_config()``), so a copy cannot
drift from its lesson.

* :func:`tutorial_cnn`: the CIFAR-10 CNN of lessons/07_cifar10_cnn.py (and of lesson 12).
* :func:`tutorial_cnn_float32_softmax`: the same network with its softmax as a separate
  float32 layer, as lessons/14_gpu_speed.py's ``make_cnn`` writes it for mixed precision.
* :func:`fashion_cnn_a`: the Fashion-MNIST CNN A of lessons/08_fashion_mnist.py (logits).
* :data:`BY_NAME`: the builders by name, for a command line (``python -m convlab.throughput``).
"""

from __future__ import annotations

from collections.abc import Callable

import keras


def _tutorial_cnn_body() -> list[keras.layers.Layer]:
    """The tutorial CNN up to its last hidden layer: (n, 32, 32, 3) -> (n, 64)."""
    return [
        keras.Input(shape=(32, 32, 3)),
        keras.layers.Conv2D(64, (3, 3), padding="same", activation="relu"),
        keras.layers.Conv2D(64, (3, 3), padding="same", activation="relu"),
        keras.layers.MaxPooling2D((2, 2)),
        keras.layers.Conv2D(32, (3, 3), padding="same", activation="relu"),
        keras.layers.Conv2D(32, (3, 3), padding="same", activation="relu"),
        keras.layers.MaxPooling2D((2, 2)),
        keras.layers.Conv2D(16, (3, 3), padding="same", activation="relu"),
        keras.layers.Conv2D(16, (3, 3), padding="same", activation="relu"),
        keras.layers.Flatten(),
        keras.layers.Dense(512, activation="relu"),
        keras.layers.Dense(64, activation="relu"),
    ]


def tutorial_cnn() -> keras.Sequential:
    """The course's CIFAR-10 CNN, as lessons/07_cifar10_cnn.py types it (631,658 parameters).

    (n, 32, 32, 3) images -> (n, 10) class probabilities (softmax in the last Dense layer)."""
    return keras.Sequential([*_tutorial_cnn_body(), keras.layers.Dense(10, activation="softmax")])


def tutorial_cnn_float32_softmax() -> keras.Sequential:
    """The tutorial CNN with its softmax a separate float32 layer (lessons/14_gpu_speed.py).

    (n, 32, 32, 3) images -> (n, 10) class probabilities, 631,658 parameters, the same
    arithmetic as :func:`tutorial_cnn` in float32; under a mixed policy the softmax stays in
    float32, as Keras's mixed-precision guide recommends."""
    return keras.Sequential([*_tutorial_cnn_body(), keras.layers.Dense(10),
                             keras.layers.Activation("softmax", dtype="float32")])


def fashion_cnn_a() -> keras.Sequential:
    """The Fashion-MNIST CNN A, as lessons/08_fashion_mnist.py types it (257,162 parameters).

    (n, 28, 28, 1) images in [0, 1] -> (n, 10) logits: train it with
    ``SparseCategoricalCrossentropy(from_logits=True)``, as the lesson does."""
    return keras.Sequential([
        keras.Input(shape=(28, 28, 1)),
        keras.layers.Conv2D(32, (3, 3), padding="same", activation="relu"),
        keras.layers.MaxPooling2D((2, 2)),
        keras.layers.Conv2D(64, (3, 3), padding="same", activation="relu"),
        keras.layers.MaxPooling2D((2, 2)),
        keras.layers.Conv2D(64, (3, 3), padding="same", activation="relu"),
        keras.layers.Flatten(),
        keras.layers.Dense(64, activation="relu"),
        keras.layers.Dense(10),
    ])


# The builders a command line can name (python -m convlab.throughput --model NAME).
BY_NAME: dict[str, Callable[[], keras.Sequential]] = {
    "tutorial_cnn": tutorial_cnn,
    "tutorial_cnn_float32_softmax": tutorial_cnn_float32_softmax,
    "fashion_cnn_a": fashion_cnn_a,
}
