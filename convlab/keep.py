"""Trained networks kept with a lesson's run, for later lessons to load.

A lesson keeps a network it trained with ``keep_model("cnn", model)``. In a build, the network
is written into the run's folder (``$CONVLAB_RUN_DIR/models/cnn.npz``); the build then stores it
in the lesson's entry beside the notebook (``runs/full/<slug>/cnn.npz`` for a full run), and the
manifest lists it with its size and sha256, so the entry's checksum covers it. Outside a build
(a lesson run as a script or in Jupyter) nothing is written: the network lives in the reader's
session only.

A later lesson loads it with :func:`convlab.runs.stored_model`, the reader that also serves
another lesson's results, which tells the build it read the file: the later lesson's entry goes
stale when the kept network changes.

The file is a compressed NumPy archive (``numpy.savez_compressed``), readable without
convlab:

* ``config``: the network's architecture, ``model.to_json()`` (a 0-d string array);
* ``weight_000``, ``weight_001``, ...: ``model.get_weights()`` in order, as float16.

Float16 halves the file (2 bytes a weight: the tutorial CNN's 0.63 M weights take about 1.2 MB
before compression) and moves each weight by at most 2⁻¹¹ of its magnitude, well inside what
training itself leaves uncertain; a lesson that loads a kept network measures what that costs
(it scores the loaded network on the test images the original was scored on).
"""

from __future__ import annotations

import io
import json
import os
import re
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from convlab import settings

MODELS_DIR = "models"  # inside a run's folder, and the suffix below names the files
SUFFIX = ".npz"
NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


def check_name(name: str) -> str:
    """``name``, if it can name a kept network's file (lower case, digits, ``_``)."""
    if not isinstance(name, str) or not NAME.match(name):
        raise ValueError(f"a kept network's name must be lower-case letters, digits and _ "
                         f"(starting with a letter, at most 40), like 'cnn'; got {name!r}")
    return name


def to_bytes(model: Any) -> bytes:
    """The archive of ``model`` (architecture + float16 weights), as bytes."""
    arrays: dict[str, np.ndarray] = {"config": np.array(model.to_json())}
    for i, weight in enumerate(model.get_weights()):
        arrays[f"weight_{i:03d}"] = np.asarray(weight, dtype=np.float16)
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)
    return buffer.getvalue()


def load(path: str | Path) -> Any:
    """The Keras network kept in ``path`` (architecture and weights, in float32; not compiled).

    Raises ``ValueError`` naming the file when it is not a kept network's archive.
    """
    import keras

    try:
        with np.load(path, allow_pickle=False) as archive:
            config = str(archive["config"])
            names = sorted(k for k in archive.files if k.startswith("weight_"))
            weights = [archive[k].astype(np.float32) for k in names]
        model = keras.models.model_from_json(config)
        model.set_weights(weights)
    except (OSError, KeyError, ValueError, json.JSONDecodeError) as exc:
        raise ValueError(f"{path} is not a network kept by convlab.keep ({exc}); make it "
                         "again by running the lesson that keeps it with --profile full") from exc
    return model


def keep_model(name: str, model: Any) -> Path | None:
    """Keep the trained ``model`` with this run, as ``name`` (e.g. ``"cnn"``).

    In a build, writes ``models/<name>.npz`` in the run's folder (atomically) and returns its
    path; outside a build, writes nothing and returns ``None``.
    """
    check_name(name)
    folder = settings.run_dir()
    if folder is None:
        return None
    target = Path(folder) / MODELS_DIR / f"{name}{SUFFIX}"
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, scratch = tempfile.mkstemp(dir=target.parent, prefix=f".{name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as f:
            f.write(to_bytes(model))
        os.replace(scratch, target)
    except BaseException:
        Path(scratch).unlink(missing_ok=True)
        raise
    return target


def kept_files(run_folder: Path) -> dict[str, bytes]:
    """``{file name: bytes}`` of the networks a run kept (read by the build before the run's
    folder is deleted)."""
    folder = Path(run_folder) / MODELS_DIR
    if not folder.is_dir():
        return {}
    return {p.name: p.read_bytes() for p in sorted(folder.glob(f"*{SUFFIX}"))}
