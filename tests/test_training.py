"""EpochLog: one short line per epoch (or a few), plain text off a terminal, honest timings."""

from __future__ import annotations

import io

import keras
import numpy as np
import pytest

from convlab import report, settings, speed, training


def tiny_model() -> keras.Sequential:
    """A two-layer network on (n, 4) inputs: milliseconds per epoch."""
    keras.utils.set_random_seed(0)
    model = keras.Sequential([
        keras.Input((4,)),
        keras.layers.Dense(3, activation="relu"),
        keras.layers.Dense(2, activation="softmax"),
    ])
    model.compile("sgd", "sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def tiny_data(n: int = 50) -> tuple[np.ndarray, np.ndarray]:
    x = np.random.default_rng(0).random((n, 4)).astype("float32")
    return x, (x[:, 0] > 0.5).astype("int64")


def epochs_printed(out: str) -> list[str]:
    """["1/20", "5/20", ...] from the printed lines."""
    return [line.split()[1] for line in out.strip().splitlines()]


@pytest.fixture
def fixed_peak(monkeypatch: pytest.MonkeyPatch) -> float:
    """A known matmul rate, so that no test measures the machine (or touches its cache)."""
    peak = 1e9
    monkeypatch.setattr(speed, "peak_matmul_rate", lambda dtype="float32", **kw: peak)
    return peak


def test_one_plain_line_per_epoch_and_timings(capsys):
    model = tiny_model()
    x, y = tiny_data(50)
    log = training.EpochLog()
    model.fit(x, y, epochs=3, batch_size=16, validation_split=0.2, verbose=0, callbacks=[log])
    out = capsys.readouterr().out
    lines = out.strip().splitlines()
    assert len(lines) == 3
    assert "\r" not in out and "\x1b" not in out  # captured stdout is not a terminal
    assert epochs_printed(out) == ["1/3", "2/3", "3/3"]
    first = lines[0].split()
    assert first[2::2][:4] == ["loss", "accuracy", "val_loss", "val_accuracy"]
    assert lines[0].endswith(" s")
    # 50 samples, 20% held out: 40 trained per epoch, in batches 16, 16 and a partial 8
    # (steps * batch_size would say 48).
    assert log.samples == [40, 40, 40]
    assert len(log.epoch_seconds) == 3 and all(t > 0 for t in log.epoch_seconds)
    assert all(0 < v < t for v, t in zip(log.validation_seconds, log.epoch_seconds, strict=True))
    assert log.seconds >= sum(log.epoch_seconds) > 0
    train_seconds = sum(log.epoch_seconds) - sum(log.validation_seconds)
    assert log.images_per_second == pytest.approx(120 / train_seconds)


def test_samples_counted_without_validation(capsys):
    model = tiny_model()
    x, y = tiny_data(37)
    log = training.EpochLog()
    model.fit(x, y, epochs=2, batch_size=10, verbose=0, callbacks=[log])
    assert log.samples == [37, 37]
    assert log.validation_seconds == [0.0, 0.0]
    assert log.images_per_second == pytest.approx(74 / sum(log.epoch_seconds))


def test_lines_keeps_first_and_last_evenly_spaced(capsys):
    model = tiny_model()
    x, y = tiny_data(16)
    model.fit(x, y, epochs=20, batch_size=16, verbose=0, callbacks=[training.EpochLog(lines=4)])
    assert epochs_printed(capsys.readouterr().out) == ["1/20", "5/20", "10/20", "15/20", "20/20"]
    model.fit(x, y, epochs=20, batch_size=16, verbose=0, callbacks=[training.EpochLog(every=7)])
    assert epochs_printed(capsys.readouterr().out) == ["1/20", "7/20", "14/20", "20/20"]


def test_width_aligns_epoch_numbers(capsys):
    model = tiny_model()
    x, y = tiny_data(16)
    model.fit(x, y, epochs=10, batch_size=16, verbose=0, callbacks=[training.EpochLog(lines=1)])
    assert capsys.readouterr().out.startswith("epoch  1/10  loss ")


def test_lines_zero_is_silent_but_still_times(capsys):
    model = tiny_model()
    x, y = tiny_data(16)
    log = training.EpochLog(lines=0)
    model.fit(x, y, epochs=2, batch_size=8, verbose=0, callbacks=[log])
    assert capsys.readouterr().out == ""
    assert log.samples == [16, 16] and log.images_per_second > 0


def test_early_stop_still_prints_the_last_epoch(capsys):
    class StopAfterThree(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            if epoch == 2:
                self.model.stop_training = True

    model = tiny_model()
    x, y = tiny_data(16)
    log = training.EpochLog(lines=2)  # every 10th epoch of 20
    model.fit(x, y, epochs=20, batch_size=16, verbose=0, callbacks=[log, StopAfterThree()])
    assert epochs_printed(capsys.readouterr().out) == ["1/20", "3/20"]
    assert len(log.epoch_seconds) == 3


def test_progress_bar_only_on_a_terminal(monkeypatch):
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    terminal = Terminal()
    monkeypatch.setattr("sys.stdout", terminal)
    model = tiny_model()
    x, y = tiny_data(64)
    model.fit(x, y, epochs=2, batch_size=8, verbose=0, callbacks=[training.EpochLog()])
    out = terminal.getvalue()
    assert "\r" in out and "[" in out  # the bar was drawn ...
    # ... and erased: what stays on screen after each carriage return is one line per epoch
    kept = [line.rsplit("\r", 1)[-1] for line in out.split("\n")]
    assert epochs_printed("\n".join(kept)) == ["1/2", "2/2"]

    plain = Terminal()
    monkeypatch.setattr("sys.stdout", plain)
    model.fit(x, y, epochs=2, batch_size=8, verbose=0,
              callbacks=[training.EpochLog(progress=False)])
    assert "\r" not in plain.getvalue()


def test_flops_fraction_and_summary(capsys, fixed_peak):
    model = keras.Sequential([
        keras.Input((6, 6, 1)),
        keras.layers.Conv2D(2, 3),  # 2 * 4*4 * 3*3*1 * 2 = 576 FLOPs forward
        keras.layers.Flatten(),
        keras.layers.Dense(2, activation="softmax"),  # 2 * 32 * 2 = 128
    ])
    model.compile("sgd", "sparse_categorical_crossentropy")
    x = np.random.default_rng(0).random((24, 6, 6, 1)).astype("float32")
    y = np.arange(24) % 2
    log = training.EpochLog()
    model.fit(x, y, epochs=2, batch_size=8, verbose=0, callbacks=[log])
    assert log.flops_per_second == pytest.approx(3 * 704 * log.images_per_second)
    assert log.fraction_of_peak == pytest.approx(log.flops_per_second / fixed_peak)
    text = log.summary()
    assert text.startswith("2 epochs in ")
    assert f"{log.images_per_second:,.0f} images/s" in text
    assert "matmul rate (1 GFLOP/s)" in text
    assert "\n" not in text


def test_summary_without_counted_samples(capsys):
    class CustomStep(keras.Sequential):
        """A train_step that never updates Keras's loss tracker."""

        def train_step(self, data):
            return {"batch": keras.ops.shape(data[0])[0]}

    model = CustomStep([keras.Input((4,)), keras.layers.Dense(2)])
    model.compile("sgd", "mse")
    x, y = tiny_data(20)
    log = training.EpochLog()
    model.fit(x, y, epochs=2, batch_size=8, verbose=0, callbacks=[log])
    assert log.samples == [None, None]
    assert log.images_per_second is None and log.fraction_of_peak is None
    assert log.summary().startswith("2 epochs in ") and "images/s" not in log.summary()

    log = training.EpochLog(batch_size=8)  # told the batch size: 3 batches of at most 8
    model.fit(x, y, epochs=1, batch_size=8, verbose=0, callbacks=[log])
    assert log.samples == [24]


def test_rejects_both_lines_and_every():
    with pytest.raises(ValueError, match="not both"):
        training.EpochLog(lines=3, every=2)


def test_a_timed_epoch_declares_the_run_hardware_dependent(monkeypatch, tmp_path, capsys):
    # Lessons 07-09 print seconds and images/s through EpochLog: a build must know that their
    # output is this machine's (the page's timings note, the manifest's hardware_dependent).
    monkeypatch.setenv(settings.RUN_DIR_ENV, str(tmp_path))
    model = tiny_model()
    x, y = tiny_data(20)
    log = training.EpochLog(lines=0)
    model.fit(x, y, epochs=1, batch_size=10, verbose=0, callbacks=[log])
    assert report.read(tmp_path, report.Event.HARDWARE) == [
        {"kind": "hardware", "measured": "EpochLog"}]
    model.fit(x, y, epochs=2, batch_size=10, verbose=0, callbacks=[log])
    lines = (tmp_path / report.RECORDS_FILE).read_text().splitlines()
    assert len(lines) == 2, "one event per fit, not one per epoch"


def test_a_log_that_timed_nothing_declares_nothing(monkeypatch, tmp_path):
    monkeypatch.setenv(settings.RUN_DIR_ENV, str(tmp_path))
    training.EpochLog()  # made, never given to fit
    assert report.read(tmp_path, report.Event.HARDWARE) == []
