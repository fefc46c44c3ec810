"""The tutorial CIFAR-10 CNN after its full 80 epochs, on the CIFAR-10 copy found here.

The regularisation lesson (lessons/11_regularisation.py) compares its combined model, trained
for 10 epochs, with what the tutorial's own network and recipe reach after 80 epochs on the
same images. That run takes about half an hour on two CPU cores, too long for every build, so
it is made once with this script and stored::

    CONVLAB_OFFLINE=1 nice -n 10 .venv/bin/python benchmarks/tutorial_cnn_80_epochs.py \
        --json benchmarks/results/tutorial_cnn_80_epochs.json

The JSON file records the command, the hardware, the date, the software versions and the
data's fingerprint; the lesson uses the figure only when its own data has the same fingerprint.
The recipe is the tutorial's, as lessons/07_cifar10_cnn.py types it: SGD lr 0.001 momentum
0.5, batch 32, x/255 - 0.5, validation_split 0.15, seed 1234.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import keras
import numpy as np

from convlab import data, training
from convlab.models import tutorial_cnn  # the course's CIFAR-10 CNN, 631,658 parameters
from convlab.runs import save_benchmark_result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--epochs", type=int, default=80)
    parser.add_argument("--train-size", type=int, default=None,
                        help="training images (default: every one of the copy found)")
    parser.add_argument("--json", type=Path, help="write the result to this JSON file")
    args = parser.parse_args(argv)

    keras.utils.set_random_seed(1234)
    cifar = data.load("cifar10")
    x_train = cifar.x_train[:args.train_size] / 255 - 0.5
    y_train = keras.utils.to_categorical(cifar.y_train[:args.train_size], 10)
    x_test = cifar.x_test / 255 - 0.5
    y_test = keras.utils.to_categorical(cifar.y_test, 10)
    print(cifar.provenance.describe(), flush=True)

    model = tutorial_cnn()
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.001, momentum=0.5),
                  loss="categorical_crossentropy", metrics=["accuracy"])
    log = training.EpochLog(every=5, progress=False)
    began = time.perf_counter()
    history = model.fit(x_train, y_train, epochs=args.epochs, batch_size=32,
                        validation_split=0.15, verbose=0, callbacks=[log])
    test_loss, test_accuracy = model.evaluate(x_test, y_test, verbose=0)
    seconds = time.perf_counter() - began
    print(f"test accuracy after {args.epochs} epochs: {test_accuracy:.4f} ({log.summary()})")

    result = dict(
        train_images=int(len(x_train) * 0.85 + 0.5),
        validation_images=len(x_train) - int(len(x_train) * 0.85 + 0.5),
        epochs=args.epochs,
        seed=1234,
        test_accuracy=round(float(test_accuracy), 4),
        test_loss=round(float(test_loss), 4),
        final_train_accuracy=round(float(history.history["accuracy"][-1]), 4),
        final_validation_accuracy=round(float(history.history["val_accuracy"][-1]), 4),
        best_validation_accuracy=round(float(max(history.history["val_accuracy"])), 4),
        best_validation_epoch=int(np.argmax(history.history["val_accuracy"])) + 1,
        validation_accuracy_by_epoch=[round(float(v), 4)
                                      for v in history.history["val_accuracy"]],
        seconds=round(seconds),
    )
    if args.json:
        save_benchmark_result(args.json,
                  what="the tutorial CIFAR-10 CNN and recipe (lessons/07_cifar10_cnn.py), "
                       f"trained {args.epochs} epochs on the CIFAR-10 copy found by convlab.data",
                  provenance=cifar.provenance, **result)
        print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
