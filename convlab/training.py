"""Training with plain Keras, and a short log of it: ``EpochLog``, a ``keras`` callback.

Lessons train with Keras itself and pass convlab's log as a callback::

    log = training.EpochLog()
    history = model.fit(x, y, epochs=10, batch_size=32, validation_split=0.15, verbose=0,
                        callbacks=[log])
    print(log.summary())   # "10 epochs in 41 s: 2,100 images/s, 28% of this CPU's ..."

The log prints one line per epoch (or about ``lines`` of them), never a line per batch, and
keeps the timings: ``log.seconds``, ``log.epoch_seconds``, ``log.images_per_second`` and, from
the model's FLOPs (convlab.flops) and the machine's matmul rate (convlab.speed),
``log.flops_per_second`` and
``log.fraction_of_peak``. Since those are this machine's, a log that timed an epoch records a
hardware event for the build (:data:`convlab.report.Event.HARDWARE`): the page says its timings
are the machine's, and the cache runs the lesson again on another machine.
"""

from __future__ import annotations

import math
import sys
import time
from typing import Any

import keras

from convlab import flops, machine, report, speed

_BAR_WIDTH = 24
_BAR_INTERVAL_S = 0.1  # redraw the terminal progress bar at most 10 times a second


def _format_value(value: Any) -> str:
    try:
        return f"{float(value):.4f}"
    except (TypeError, ValueError):
        return str(value)


def _ordered(logs: dict[str, Any]) -> list[tuple[str, Any]]:
    """Training metrics before validation ones, the loss first in each group."""
    items = list(logs.items())
    order = {name: i for i, (name, _) in enumerate(items)}

    def key(item: tuple[str, Any]) -> tuple[bool, bool, int]:
        name = item[0]
        is_val = name.startswith("val_")
        return is_val, name.removeprefix("val_") != "loss", order[name]

    return sorted(items, key=key)


def _format_fraction(fraction: float) -> str:
    """0.283 -> "28%", 0.0042 -> "0.42%", 0.000012 -> "0.0012%"."""
    return f"{fraction:.0%}" if fraction >= 0.01 else f"{100 * fraction:.2g}%"


def _format_seconds(seconds: float) -> str:
    """4.13 -> "4.1 s", 41.3 -> "41 s", 600 -> "10 min"."""
    if seconds < 10:
        return f"{seconds:.1f} s"
    if seconds < 600:
        return f"{seconds:.0f} s"
    return f"{seconds / 60:.0f} min"


class EpochLog(keras.callbacks.Callback):
    """A ``model.fit`` callback: one compact line per epoch and the timings of the run.

    Each printed line reads ``epoch  3/10  loss 1.2345  accuracy 0.5612  val_loss ...  4.1 s``:
    every metric Keras logged for the epoch and the epoch's wall time. ``lines=N`` prints about
    N evenly spaced epochs (every ceil(epochs / N)-th; the first and the last always);
    ``every=k`` prints every k-th epoch (and the first and last); ``lines=0`` prints nothing.
    When ``sys.stdout`` is a terminal an in-place progress bar shows the batches of the
    running epoch; anywhere else (notebooks, the site build, CI, pipes) the output is plain
    lines, never a carriage return or an escape sequence. ``progress=False`` turns the bar off.

    After ``fit`` (also between epochs):

    * ``seconds``: wall time of the whole fit, s (up to the last epoch while it runs).
    * ``epoch_seconds``: wall time of each epoch, validation included, s.
    * ``validation_seconds``: the validation part of each epoch, s (0.0 without validation).
    * ``samples``: training samples processed in each epoch.
    * ``images_per_second``: sum(samples) / training time, where training time is the epochs'
      time less their validation; the first epoch's tracing is included.
    * ``flops_per_second``, ``fraction_of_peak``: see their docstrings (None if not countable).

    The samples are counted by Keras's own loss tracker (the metric named "loss", a Mean whose
    count grows by the batch size at each step, the last, partial batch included), read when
    the epoch's training ends. Where a custom ``train_step`` leaves that count at 0 or counts
    batches, it falls back to batches * ``batch_size`` when ``batch_size`` is given here (an
    upper bound: the last batch may be partial), else to None (no images/s).
    """

    def __init__(
        self,
        *,
        lines: int | None = None,
        every: int | None = None,
        progress: bool | None = None,
        batch_size: int | None = None,
    ) -> None:
        super().__init__()
        if lines is not None and every is not None:
            raise ValueError("give lines= or every=, not both")
        if lines is not None and lines < 0:
            raise ValueError(f"lines must be 0 or more, got {lines}")
        if every is not None and every < 1:
            raise ValueError(f"every must be 1 or more, got {every}")
        self.lines = lines
        self.every = every
        self.progress = progress
        self.batch_size = batch_size
        # The batch-end hook only counts batches and draws the bar, so Keras may run it on a
        # worker thread where the backend allows (JAX); with TensorFlow Keras calls it in line
        # and converts each batch's logs whether or not a callback needs them.
        self.async_safe = True
        self._reset()

    # ----------------------------------------------------------------- results

    def _reset(self) -> None:
        self.seconds = 0.0
        self.epoch_seconds: list[float] = []
        self.validation_seconds: list[float] = []
        self.samples: list[int | None] = []
        self.epochs = 0
        self._start = 0.0
        self._epoch_start = 0.0
        self._val_start = 0.0
        self._val_seconds = 0.0
        self._in_epoch = False
        self._epoch_samples: int | None = None
        self._batches = 0
        self._bar = False
        self._bar_drawn = 0.0
        self._pending: str | None = None
        self._flops_per_sample: int | None | bool = False  # False: not counted yet

    @property
    def training_seconds(self) -> float:
        """Time spent training (epochs less their validation), seconds."""
        return sum(self.epoch_seconds) - sum(self.validation_seconds)

    @property
    def images_per_second(self) -> float | None:
        """Training samples per second over all epochs, validation time excluded.

        None before the first epoch ends or when the samples could not be counted.
        """
        if not self.samples or any(n is None for n in self.samples):
            return None
        seconds = self.training_seconds
        return sum(self.samples) / seconds if seconds > 0 else None

    def _training_flops_per_sample(self) -> int | None:
        if self._flops_per_sample is False:
            try:
                count = flops.training_flops(self.model)
            except Exception:  # a model whose layers cannot say their shapes
                count = 0
            self._flops_per_sample = count or None
        return self._flops_per_sample  # type: ignore[return-value]

    @property
    def flops_per_second(self) -> float | None:
        """Achieved training FLOP/s: ``flops.training_flops(model)`` x ``images_per_second``.

        Counts only Conv and Dense multiply-adds, 3x forward for a training step (see
        convlab.flops); None when they cannot be counted or no epoch has finished.
        """
        rate = self.images_per_second
        per_sample = self._training_flops_per_sample() if self.model is not None else None
        if rate is None or not per_sample:
            return None
        return per_sample * rate

    @property
    def fraction_of_peak(self) -> float | None:
        """``flops_per_second`` over this machine's float32 matmul rate (0..1, rarely above).

        The first use measures the matmul rate (about 1 s) unless it is cached for this
        machine (``speed.peak_matmul_rate``).
        """
        achieved = self.flops_per_second
        if achieved is None:
            return None
        return achieved / speed.peak_matmul_rate()

    def summary(self) -> str:
        """One line, e.g. "10 epochs in 41 s: 2,100 images/s, 28% of this CPU's float32
        matmul rate (246 GFLOP/s)"; the parts that could not be measured are left out."""
        n = len(self.epoch_seconds)
        text = f"{n} epoch{'s' if n != 1 else ''} in {_format_seconds(self.seconds)}"
        rate = self.images_per_second
        if rate is None:
            return text
        text += f": {rate:,.0f} images/s"
        fraction = self.fraction_of_peak
        if fraction is not None:
            kind = machine.describe().kind
            peak = flops.format_rate(speed.peak_matmul_rate())
            text += f", {_format_fraction(fraction)} of this {kind}'s float32 matmul rate ({peak})"
        return text

    # ----------------------------------------------------------------- printing

    def _should_print(self, done: int) -> bool:
        if self.lines == 0:
            return False
        if done == 1 or done == self.epochs:
            return True
        if self.every is not None:
            step = self.every
        elif self.lines is not None:
            step = max(1, math.ceil(self.epochs / self.lines))
        else:
            step = 1
        return done % step == 0

    def _clear_bar(self) -> None:
        if self._bar and self._bar_drawn:
            sys.stdout.write("\r" + " " * 79 + "\r")
            sys.stdout.flush()
            self._bar_drawn = 0.0

    def _draw_bar(self, epoch: int, batch: int) -> None:
        steps = self.params.get("steps") if self.params else None
        width = len(str(self.epochs))
        head = f"epoch {epoch:>{width}}/{self.epochs} "
        if steps:
            filled = min(_BAR_WIDTH, round(_BAR_WIDTH * batch / steps))
            bar = f"[{'=' * filled}{'.' * (_BAR_WIDTH - filled)}] {batch}/{steps}"
        else:
            bar = f"{batch} batches"
        sys.stdout.write("\r" + (head + bar)[:79])
        sys.stdout.flush()

    # ----------------------------------------------------------------- Keras hooks

    def on_train_begin(self, logs: dict | None = None) -> None:
        self._reset()
        self.epochs = int((self.params or {}).get("epochs") or 0)
        wants_bar = self.progress if self.progress is not None else True
        isatty = getattr(sys.stdout, "isatty", None)
        self._bar = bool(wants_bar and self.lines != 0 and callable(isatty) and isatty())
        self._start = time.perf_counter()

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        self._in_epoch = True
        self._val_seconds = 0.0
        self._epoch_samples = None
        self._batches = 0
        self._epoch_start = time.perf_counter()

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        self._batches = batch + 1
        if self._bar and self._in_epoch:
            now = time.perf_counter()
            if now - self._bar_drawn >= _BAR_INTERVAL_S:
                self._bar_drawn = now
                self._draw_bar(len(self.epoch_seconds) + 1, batch + 1)

    def _count_samples(self) -> int | None:
        """Samples trained on so far this epoch, from Keras's loss tracker (see the class)."""
        tracker = next((m for m in getattr(self.model, "metrics", None) or []
                        if getattr(m, "name", None) == "loss"), None)
        count = getattr(tracker, "count", None)
        if count is not None:
            try:
                value = count.numpy() if hasattr(count, "numpy") else count
                samples = int(round(float(keras.ops.convert_to_numpy(value))))
            except (TypeError, ValueError):
                samples = 0
            # A custom train_step may not update the tracker (0), or update it once per batch
            # (count == batches, as in Keras's "customizing fit" guide): then it counts no
            # samples. (With batches of 1 the two agree and the fallback below is right too.)
            if samples > 0 and samples != self._batches:
                return samples
        steps = self._batches or (self.params or {}).get("steps")
        if self.batch_size and steps:
            return int(steps) * self.batch_size
        return None

    def on_test_begin(self, logs: dict | None = None) -> None:
        if self._in_epoch:  # validation inside fit: training for this epoch is over
            self._epoch_samples = self._count_samples()
            self._val_start = time.perf_counter()

    def on_test_end(self, logs: dict | None = None) -> None:
        if self._in_epoch:
            self._val_seconds += time.perf_counter() - self._val_start

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        if not self.epoch_seconds:  # the first time measured: the run's output is this machine's
            report.append(report.Event.HARDWARE, {"measured": "EpochLog"})
        if self._epoch_samples is None:  # no validation this epoch: the tracker counted training
            self._epoch_samples = self._count_samples()
        now = time.perf_counter()
        self._in_epoch = False
        elapsed = now - self._epoch_start
        self.epoch_seconds.append(elapsed)
        self.validation_seconds.append(self._val_seconds)
        self.samples.append(self._epoch_samples)
        self.seconds = now - self._start
        done = epoch + 1
        width = len(str(self.epochs))
        metrics = "  ".join(f"{k} {_format_value(v)}" for k, v in _ordered(logs or {}))
        line = f"epoch {done:>{width}}/{self.epochs}  {metrics}  {_format_seconds(elapsed)}"
        self._clear_bar()
        if self._should_print(done):
            print(line, flush=True)
            self._pending = None
        else:
            self._pending = line if self.lines != 0 else None

    def on_train_end(self, logs: dict | None = None) -> None:
        self.seconds = time.perf_counter() - self._start
        self._clear_bar()
        if self._pending is not None:  # stopped early (EarlyStopping): show the last epoch
            print(self._pending, flush=True)
            self._pending = None
