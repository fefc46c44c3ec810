"""How much one run of the Fashion-MNIST CNN A varies: its full recipe, once per random seed.

Lesson 08 trains CNN A once, from seed 1234, and sets the result beside the tutorial's 92.25%.
Is a difference of a point or two between the two a real difference, or what another seed
would give anyway? This script answers it once, on this machine, and stores the answer::

    CONVLAB_OFFLINE=1 nice -n 10 .venv/bin/python benchmarks/fashion_cnn_a_seeds.py \\
        --json benchmarks/results/fashion_cnn_a_seeds.json

Each seed trains the lesson's network with the lesson's recipe (Adam, sparse categorical
cross-entropy from logits, batch 32, 10 epochs, all 60,000 training images scaled to [0, 1],
the test set as validation data) and records the test accuracy after every epoch. The seed
is set just before the network is built, as the lesson does: the lesson's own full run is the
one with its seed, 1234 (the same figure, up to the last digits of parallel arithmetic). The
lesson reads the file with ``convlab.runs.benchmark_result`` and shows it when its own data
has the same fingerprint.
About five minutes a seed on two CPU cores.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import keras
import numpy as np

from convlab import data
from convlab.models import fashion_cnn_a  # the lesson's CNN A, 257,162 parameters
from convlab.runs import save_benchmark_result

EPOCHS = 10


def train_once(fashion: data.Dataset, seed: int) -> dict[str, object]:
    """One full run of the lesson's recipe with ``seed``: test accuracy per epoch, in [0, 1]."""
    keras.utils.set_random_seed(seed)
    x_train = fashion.x_train[:, :, :, np.newaxis] / 255
    x_test = fashion.x_test[:, :, :, np.newaxis] / 255
    model = fashion_cnn_a()
    model.compile(optimizer="adam",
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])
    began = time.perf_counter()
    history = model.fit(x_train, fashion.y_train, epochs=EPOCHS, batch_size=32,
                        validation_data=(x_test, fashion.y_test), verbose=0)
    per_epoch = [round(float(v), 4) for v in history.history["val_accuracy"]]
    return {"seed": seed, "test_accuracy": per_epoch[-1], "test_accuracy_per_epoch": per_epoch,
            "train_accuracy": round(float(history.history["accuracy"][-1]), 4),
            "seconds": round(time.perf_counter() - began, 1)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1234, 1, 2, 3, 4],
                        help="random seeds, one full run each (default: 1234 1 2 3 4)")
    parser.add_argument("--json", type=Path, help="write the result to this JSON file")
    args = parser.parse_args(argv)

    fashion = data.load("fashion_mnist")
    print(fashion.provenance.describe(), flush=True)
    runs = []
    for seed in args.seeds:
        run = train_once(fashion, seed)
        runs.append(run)
        print(f"seed {seed:>5}: test accuracy after {EPOCHS} epochs {run['test_accuracy']:.2%} "
              f"(best epoch {max(run['test_accuracy_per_epoch']):.2%}), "
              f"train {run['train_accuracy']:.2%}, {run['seconds']:.0f} s", flush=True)
    finals = np.array([run["test_accuracy"] for run in runs])
    spread = finals.std(ddof=1) if len(runs) > 1 else 0.0
    print(f"{len(runs)} seeds: {finals.min():.2%} to {finals.max():.2%}, "
          f"mean {finals.mean():.2%}, standard deviation {spread:.2%}")

    if args.json:
        save_benchmark_result(args.json,
                  what="the Fashion-MNIST CNN A and recipe of lessons/08_fashion_mnist.py, "
                       f"{EPOCHS} epochs on all training images, once per seed",
                  provenance=fashion.provenance, epochs=EPOCHS, runs=runs)
        print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
