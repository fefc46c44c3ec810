"""The short training log: a handful of lines, always the first and last epoch."""

from __future__ import annotations

import keras
import numpy as np

from convlab import training


def test_fit_prints_a_few_lines_and_returns_history(capsys):
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2, activation="softmax")])
    model.compile("sgd", "sparse_categorical_crossentropy", metrics=["accuracy"])
    x = np.random.rand(32, 4).astype("float32")
    y = (x[:, 0] > 0.5).astype("int64")
    history = training.fit(model, x, y, epochs=20, batch_size=8, validation_split=0.25, lines=4)
    lines = capsys.readouterr().out.strip().splitlines()
    assert [line.split()[1] for line in lines] == ["1/20", "5/20", "10/20", "15/20", "20/20"]
    assert "val_accuracy" in lines[0]
    assert len(history.history["loss"]) == 20
