"""Training helpers: ``model.fit`` with a short log instead of a progress bar per epoch."""

from __future__ import annotations

import math
import time

import keras
import numpy as np


class EpochLog(keras.callbacks.Callback):
    """Print about ``lines`` evenly spaced epoch summaries (always the first and the last).

    Each line shows the epoch, every metric Keras logged, and the seconds since training began.
    """

    def __init__(self, epochs: int, lines: int = 8) -> None:
        super().__init__()
        self.epochs = epochs
        self.every = max(1, math.ceil(epochs / max(1, lines)))
        self.start = 0.0

    def on_train_begin(self, logs: dict | None = None) -> None:
        self.start = time.perf_counter()

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        done = epoch + 1
        if done == 1 or done == self.epochs or done % self.every == 0:
            metrics = "  ".join(f"{k} {v:.4f}" for k, v in (logs or {}).items())
            elapsed = time.perf_counter() - self.start
            width = len(str(self.epochs))
            print(f"epoch {done:>{width}}/{self.epochs}  {metrics}  ({elapsed:.0f} s)")


def fit(
    model: keras.Model,
    x: np.ndarray,
    y: np.ndarray,
    *,
    epochs: int,
    batch_size: int,
    validation_data: tuple[np.ndarray, np.ndarray] | None = None,
    validation_split: float = 0.0,
    lines: int = 8,
) -> keras.callbacks.History:
    """``model.fit`` that prints a few summary lines, not a progress bar per batch.

    ``x`` is a batch of inputs (n, ...) and ``y`` its targets (n, ...). Returns Keras's
    ``History``; ``history.history["val_accuracy"]`` etc. hold one value per epoch.
    """
    return model.fit(
        x,
        y,
        epochs=epochs,
        batch_size=batch_size,
        validation_data=validation_data,
        validation_split=validation_split,
        verbose=0,
        callbacks=[EpochLog(epochs, lines)],
    )
