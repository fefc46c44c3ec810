"""How fast do the course's CNNs train here, and which training loop should convlab use?

Run from the repository root::

    .venv/bin/python benchmarks/train_speed.py            # a few minutes on two CPU cores
    .venv/bin/python benchmarks/train_speed.py --quick    # about a minute
    .venv/bin/python benchmarks/train_speed.py --quick --precision

In one process it trains two course models on random uint8 images of the right shapes
(normalised as the lessons do), with one recipe (Adam 1e-3, sparse categorical cross-entropy,
batch 32) and several training loops, and prints images/s, the ratio to the tutorial loop
(plain ``model.fit`` on NumPy arrays) and the share of the machine's float32 matmul rate the
loop reaches. ``--precision`` adds mixed precision, and a short real Fashion-MNIST run in
float32 and in mixed precision whose test accuracies must agree within 1 point. Then it names
convlab's choice for this device. See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

from convlab import flops, machine, models, speed, training  # noqa: E402

BATCH = 32  # the tutorials' batch size: part of the recipe, the same in every variant
SEED = 0
NOISE = 0.05  # a variant must be this much faster on every model to count as faster
MAX_ACCURACY_DROP = 0.01  # mixed precision may lose at most 1 point of test accuracy
L = keras.layers


# --------------------------------------------------------------------------- the models


def cifar10_cnn() -> keras.Sequential:
    """The tutorial's CIFAR-10 CNN with its softmax in float32 (Keras's mixed-precision guide
    recommends it), as lessons/14_gpu_speed.py writes it: (n, 32, 32, 3) -> (n, 10)
    probabilities."""
    model = models.tutorial_cnn_float32_softmax()
    assert model.count_params() == 631_658, model.count_params()
    return model


def fashion_cnn_a() -> keras.Sequential:
    """The Fashion-MNIST CNN A of lessons/08_fashion_mnist.py, with a softmax (in float32) on
    its logits: (n, 28, 28, 1) -> (n, 10) class probabilities."""
    model = models.fashion_cnn_a()
    model.add(L.Activation("softmax", dtype="float32"))
    assert model.count_params() == 257_162, model.count_params()
    return model


MODELS: dict[str, tuple[Callable[[], keras.Sequential], tuple[int, ...]]] = {
    "CIFAR-10 CNN": (cifar10_cnn, (32, 32, 3)),
    "Fashion-MNIST CNN A": (fashion_cnn_a, (28, 28, 1)),
}


def mixed_policy() -> str | None:
    """The mixed policy of the device TensorFlow trains on by default (convlab.machine's
    rule: mixed_float16 on a GPU with tensor cores, mixed_bfloat16 on a CPU with bfloat16
    units), or None where it has no 16-bit arithmetic."""
    described = machine.describe()
    return machine.mixed_policy(described.kind, described)


def build(make: Callable[[], keras.Sequential], *, policy: str = "float32",
          jit: bool = False) -> keras.Sequential:
    """A freshly seeded, compiled model; the recipe is the same for every variant."""
    keras.utils.set_random_seed(SEED)
    previous = keras.config.dtype_policy().name
    keras.config.set_dtype_policy(policy)
    try:
        model = make()
    finally:
        keras.config.set_dtype_policy(previous)
    model.compile(
        optimizer=keras.optimizers.Adam(1e-3),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
        jit_compile=jit,
    )
    return model


# --------------------------------------------------------------------------- the variants


@dataclass
class Variant:
    name: str
    policy: str = "float32"
    jit: bool = False
    pipeline: bool = False  # feed a tf.data pipeline instead of NumPy arrays


def variants(precision: bool, quick: bool) -> list[Variant]:
    out = [
        Variant("tutorial loop"),
        Variant("tf.data + prefetch", pipeline=True),
        Variant("jit_compile (XLA)", jit=True),
    ]
    if not quick:
        out.append(Variant("tf.data + XLA", jit=True, pipeline=True))
    policy = mixed_policy() if precision else None
    if policy:
        out.append(Variant(policy, policy=policy))
    return out


def pipeline(x: np.ndarray, y: np.ndarray) -> tf.data.Dataset:
    """The tf.data input pipeline of the tutorials: all of (x, y) reshuffled at every pass,
    batches of BATCH, the next batches prepared while a step runs (prefetch)."""
    ds = tf.data.Dataset.from_tensor_slices((x, y))
    ds = ds.shuffle(len(x), seed=SEED, reshuffle_each_iteration=True)
    return ds.batch(BATCH, drop_remainder=True).prefetch(tf.data.AUTOTUNE)


@dataclass
class Result:
    model: str
    variant: str
    images_per_second: float | None = None
    fraction_of_peak: float | None = None
    epoch_images_per_second: list[float] = field(default_factory=list)
    error: str = ""
    ratio: float | None = None


def _fit(model: keras.Model, variant: Variant, data: tuple, steps: int) -> training.EpochLog:
    """One epoch of ``steps`` batches; returns its EpochLog (the epoch's time and samples)."""
    log = training.EpochLog(lines=0)
    if variant.pipeline:  # the pipeline shuffles; Keras would only warn about shuffle=True
        model.fit(data[2], epochs=1, steps_per_epoch=steps, verbose=0, shuffle=False,
                  callbacks=[log])
    else:
        model.fit(data[0], data[1], batch_size=BATCH, epochs=1, steps_per_epoch=steps,
                  verbose=0, callbacks=[log])
    return log


def measure(name: str, todo: list[Variant], steps: int, repeats: int, peak: float
            ) -> list[Result]:
    """Images/s of every variant on model ``name``, timed in interleaved rounds.

    Each variant first trains one untimed warm-up epoch of ``steps`` batches (tracing, XLA
    compilation). Then ``repeats`` rounds train one epoch of ``steps`` batches per variant,
    in a rotating order, so that other load on the machine hits all variants alike; each
    epoch is timed by convlab.training.EpochLog (the epoch only, not fit's set-up). The
    result is the median over the rounds. One epoch is exactly one pass over the
    ``steps * BATCH`` random images, as a lesson's epoch is one pass over its data.
    """
    make, shape = MODELS[name]
    n = steps * BATCH
    rng = np.random.default_rng(SEED)
    x = rng.integers(0, 256, (n, *shape), dtype=np.uint8).astype(np.float32) / 255 - 0.5
    y = rng.integers(0, 10, n).astype(np.int64)
    data = (x, y, pipeline(x, y))
    results = {v.name: Result(name, v.name) for v in todo}
    models: dict[str, keras.Model] = {}

    def failed(variant: Variant, exc: Exception) -> None:
        # a variant this machine cannot run is reported, not fatal
        results[variant.name].error = f"{type(exc).__name__}: {str(exc).splitlines()[0][:60]}"
        models.pop(variant.name, None)

    for variant in todo:
        try:
            models[variant.name] = build(make, policy=variant.policy, jit=variant.jit)
            _fit(models[variant.name], variant, data, steps)  # warm-up
        except Exception as exc:
            failed(variant, exc)
    for round_ in range(repeats):
        for variant in todo[round_ % len(todo):] + todo[:round_ % len(todo)]:
            if variant.name not in models:
                continue
            try:
                log = _fit(models[variant.name], variant, data, steps)
            except Exception as exc:
                failed(variant, exc)
                continue
            rate = log.images_per_second
            assert rate is not None and log.samples == [n], (log.samples, n)
            results[variant.name].epoch_images_per_second.append(rate)
    for variant in todo:
        r = results[variant.name]
        if variant.name in models and r.epoch_images_per_second:
            r.images_per_second = statistics.median(r.epoch_images_per_second)
            per_image = flops.training_flops(models[variant.name])
            r.fraction_of_peak = per_image * r.images_per_second / peak
    return [results[v.name] for v in todo]


# --------------------------------------------------------------------------- accuracy


@dataclass
class AccuracyCheck:
    dataset: str
    train_images: int
    epochs: int
    float32_accuracy: float
    mixed_policy: str
    mixed_accuracy: float
    float32_seconds: float
    mixed_seconds: float

    @property
    def drop(self) -> float:
        return self.float32_accuracy - self.mixed_accuracy

    @property
    def ok(self) -> bool:
        return self.drop <= MAX_ACCURACY_DROP


def real_data() -> tuple[str, tuple[np.ndarray, ...]] | None:
    """Fashion-MNIST (else MNIST) through convlab.data: x float32 in [0, 1], (n, 28, 28, 1);
    y int64 (n,). None when neither is found offline."""
    try:
        from convlab import data
    except ImportError:
        return None
    for name in ("fashion_mnist", "mnist"):
        try:
            ds = data.load(name, download=False)
        except Exception:
            continue
        x_train, x_test = (np.asarray(x, np.float32)[..., None] / 255 for x in (ds.x_train,
                                                                             ds.x_test))
        y_train, y_test = (np.asarray(y).reshape(-1).astype(np.int64) for y in (ds.y_train,
                                                                              ds.y_test))
        return name, (x_train, y_train, x_test, y_test)
    return None


def accuracy_check(train_images: int, epochs: int) -> AccuracyCheck | str:
    """Train Fashion-MNIST CNN A in float32 and in mixed precision on the same first
    ``train_images`` training images with the same seed; return both test accuracies."""
    mixed = mixed_policy()
    if mixed is None:
        return "this device has no 16-bit arithmetic: mixed precision not timed, nor checked"
    found = real_data()
    if found is None:
        return "no Fashion-MNIST or MNIST copy found (convlab.data.load): accuracy not checked"
    name, (x_train, y_train, x_test, y_test) = found
    x_train, y_train = x_train[:train_images], y_train[:train_images]
    accuracies, seconds = {}, {}
    for policy in ("float32", mixed):
        model = build(fashion_cnn_a, policy=policy)
        log = training.EpochLog(lines=0)
        model.fit(x_train, y_train, batch_size=BATCH, epochs=epochs, verbose=0, callbacks=[log])
        accuracies[policy] = float(model.evaluate(x_test, y_test, batch_size=256, verbose=0)[1])
        seconds[policy] = log.seconds
    return AccuracyCheck(name, len(x_train), epochs, accuracies["float32"], mixed,
                         accuracies[mixed], seconds["float32"], seconds[mixed])


# --------------------------------------------------------------------------- the choice


def choose(results: list[Result], check: AccuracyCheck | str | None) -> tuple[str, str]:
    """The variant convlab should use here, and why.

    Eligible: it ran on every model, is at least NOISE faster than the tutorial loop on every
    model, and (for mixed precision) kept test accuracy within 1 point of float32. Among
    those, the best geometric-mean ratio wins; with none, the tutorial loop stays.
    """
    by_variant: dict[str, list[Result]] = {}
    for r in results:
        by_variant.setdefault(r.variant, []).append(r)
    best, best_score, reasons = "tutorial loop", 1.0, []
    for name, rows in by_variant.items():
        if name == "tutorial loop":
            continue
        if any(r.ratio is None for r in rows):
            reasons.append(f"{name}: did not run everywhere")
            continue
        ratios = [r.ratio for r in rows if r.ratio is not None]
        if name.startswith("mixed"):
            if not isinstance(check, AccuracyCheck):
                reasons.append(f"{name}: accuracy not checked")
                continue
            if not check.ok:
                reasons.append(f"{name}: loses {100 * check.drop:.1f} accuracy points")
                continue
        if min(ratios) < 1 + NOISE:
            reasons.append(f"{name}: not faster on every model (x{min(ratios):.2f})")
            continue
        score = math.exp(statistics.fmean(math.log(r) for r in ratios))
        if score > best_score:
            best, best_score = name, score
    why = f"x{best_score:.2f} the tutorial loop" if best != "tutorial loop" else "nothing beats it"
    return best, "; ".join([why, *reasons])


# --------------------------------------------------------------------------- output


def print_table(results: list[Result], title: str) -> None:
    table = Table(title=title)
    for i, header in enumerate(("model", "variant", "images/s", "vs tutorial", "of matmul rate")):
        table.add_column(header, justify="right" if i >= 2 else "left")
    for r in results:
        if r.error:
            table.add_row(r.model, r.variant, "failed", "", r.error)
            continue
        table.add_row(
            r.model, r.variant, f"{r.images_per_second:,.0f}",
            f"x{r.ratio:.2f}" if r.ratio is not None else "",
            f"{r.fraction_of_peak:.0%}" if r.fraction_of_peak is not None else "",
        )
    Console(width=110).print(table)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer, shorter runs (~1 min)")
    parser.add_argument("--precision", action="store_true",
                        help="add mixed precision and its real-data accuracy check")
    parser.add_argument("--refresh-peak", action="store_true",
                        help="measure the matmul rate again instead of reading the cache")
    parser.add_argument("--json", type=Path, help="also write the results to this JSON file")
    args = parser.parse_args(argv)

    steps, repeats = (10, 3) if args.quick else (40, 5)
    train_images, acc_epochs = (8_000, 2) if args.quick else (60_000, 1)
    start = time.perf_counter()

    here = machine.describe()
    dev = {"kind": here.kind, "name": here.name, "cpu": here.cpu, "cores": here.cores,
           "tensorflow": here.tensorflow}  # as the results JSON records the device
    peak = speed.peak_matmul_rate(refresh=args.refresh_peak)
    print(f"device: {dev['kind']} {dev['name']}, {dev['cores']} cores, "
          f"TensorFlow {dev['tensorflow']}, Keras {keras.__version__}")
    print(f"float32 matmul rate: {flops.format_rate(peak)} (measured once per machine, cached "
          f"in {speed.cache_path()}; --refresh-peak measures again)")
    print(f"timing: per variant a warm-up epoch, then {repeats} interleaved rounds of one "
          f"epoch of {steps} batches of {BATCH}; images/s is the median over the rounds\n")

    results: list[Result] = []
    todo = variants(args.precision, args.quick)
    for name in MODELS:
        began = time.perf_counter()
        rows = measure(name, todo, steps, repeats, peak)
        base = rows[0].images_per_second  # todo[0] is the tutorial loop
        for r in rows:
            if base and r.images_per_second:
                r.ratio = r.images_per_second / base
        results += rows
        print(f"  {name}: {len(todo)} variants in {time.perf_counter() - began:.0f} s",
              flush=True)
    print()
    print_table(results, f"Training speed, batch {BATCH} (random data, {dev['kind']})")

    check: AccuracyCheck | str | None = None
    if args.precision:
        print(f"\nAccuracy check: {train_images:,} training images, {acc_epochs} epoch(s), "
              "same seed, test accuracy on the whole test set ...", flush=True)
        check = accuracy_check(train_images, acc_epochs)
        if isinstance(check, str):
            print(f"  {check}")
        else:
            print(f"  {check.dataset} test accuracy: float32 {check.float32_accuracy:.2%} "
                  f"({check.float32_seconds:.0f} s), {check.mixed_policy} "
                  f"{check.mixed_accuracy:.2%} ({check.mixed_seconds:.0f} s): "
                  f"{'within' if check.ok else 'NOT within'} 1 point")

    choice, why = choose(results, check)
    print(f"\nconvlab's choice for this device: {choice} ({why})")
    print(f"benchmark time: {time.perf_counter() - start:.0f} s")

    if args.json:
        payload = {
            "device": dev, "matmul_flops_per_second": peak, "batch_size": BATCH,
            "steps": steps, "repeats": repeats, "results": [asdict(r) for r in results],
            "accuracy_check": asdict(check) if isinstance(check, AccuracyCheck) else check,
            "choice": choice, "why": why,
        }
        args.json.write_text(json.dumps(payload, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
