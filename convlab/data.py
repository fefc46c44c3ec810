"""Course datasets (CIFAR-10, MNIST, Fashion-MNIST) as uint8 numpy arrays.

``load(name)`` looks for the data in this order and uses the first it finds:

1. A local copy in one of ``data_dirs()``, searched in order:
   a. every folder in the ``CONVLAB_DATA_DIR`` environment variable (``os.pathsep``-separated),
   b. ``data_dirs`` under ``[tool.convlab]`` in the nearest ``pyproject.toml`` that has that
      table, walking up from the current directory (paths relative to that file),
   c. ``/usr/share/datasets`` (Debian's ``dataset-fashion-mnist`` installs there).
   File names: ``cifar10.npz``, ``mnist.npz`` (keys x_train, y_train, x_test, y_test) and, for
   Fashion-MNIST, the 4 official idx ``.gz`` files in ``<dir>/fashion-mnist/`` or ``<dir>/``.
2. The keras cache (``$KERAS_HOME`` or ``~/.keras``, subfolder ``datasets``).
3. A download through ``keras.datasets``, unless ``load(..., download=False)`` or the
   environment variable ``CONVLAB_OFFLINE=1`` turns downloads off.

Every ``Dataset`` carries a ``Provenance`` saying where its images came from; during a
``convlab build`` it is also recorded for the page and the execution cache (convlab.report).
The environment variables named here are read in :mod:`convlab.settings`.
"""

from __future__ import annotations

import dataclasses
import difflib
import importlib
import os
import socket
import threading
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from convlab import report, settings
from convlab.datafiles import (
    FIX_FILE,
    DataError,
    DataFileError,
    file_error,
    fingerprint,
    read_idx,
    read_npz,
)


@dataclass(frozen=True)
class DatasetSpec:
    """Official facts about a dataset; shapes are per image / per label, without the batch axis."""

    name: str  # key in DATASETS, e.g. "cifar10"
    title: str  # human name, e.g. "CIFAR-10"
    image_shape: tuple[int, ...]  # (height, width) or (height, width, channels), pixels
    label_shape: tuple[int, ...]  # () for y shaped (n,), (1,) for y shaped (n, 1)
    n_train: int  # official number of training images
    n_test: int  # official number of test images
    class_names: tuple[str, ...]  # class_names[label] names the label
    keras_loader: str  # module name in keras.datasets


DATASETS: dict[str, DatasetSpec] = {
    "cifar10": DatasetSpec(
        "cifar10", "CIFAR-10", (32, 32, 3), (1,), 50_000, 10_000,
        ("airplane", "automobile", "bird", "cat", "deer",
         "dog", "frog", "horse", "ship", "truck"),
        "cifar10",
    ),
    "mnist": DatasetSpec(
        "mnist", "MNIST", (28, 28), (), 60_000, 10_000, tuple("0123456789"), "mnist"
    ),
    "fashion_mnist": DatasetSpec(
        "fashion_mnist", "Fashion-MNIST", (28, 28), (), 60_000, 10_000,
        ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
         "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"),
        "fashion_mnist",
    ),
}

SYSTEM_DATA_DIRS: tuple[Path, ...] = (Path("/usr/share/datasets"),)
FASHION_FILES = {  # array -> official idx file name (also keras's cache names)
    "x_train": "train-images-idx3-ubyte.gz",
    "y_train": "train-labels-idx1-ubyte.gz",
    "x_test": "t10k-images-idx3-ubyte.gz",
    "y_test": "t10k-labels-idx1-ubyte.gz",
}
# What keras (3.x) keeps under <keras home>/datasets; it downloads only if this is missing.
KERAS_CACHE_NAMES = {
    "cifar10": "cifar-10-batches-py-target_archive",  # the tar.gz; extracted next to it
    "mnist": "mnist.npz",
    "fashion_mnist": "fashion-mnist",  # folder with the 4 FASHION_FILES
}
DOWNLOAD_HOSTS = {  # where keras.datasets downloads from (probed on port 443)
    "cifar10": "www.cs.toronto.edu",
    "mnist": "storage.googleapis.com",
    "fashion_mnist": "storage.googleapis.com",
}
_FIX_KERAS = "Delete it so that keras downloads it again."


@dataclass(frozen=True)
class Provenance:
    """Where a loaded dataset came from."""

    dataset: str  # key in DATASETS
    source: str  # "local copy" | "keras cache" | "keras download"
    location: str  # path of the file or folder read
    n_train: int  # images actually loaded
    n_test: int
    subset: bool  # fewer images than the official dataset
    fingerprint: str  # "sha256:<hex>" of location, see fingerprint()

    def describe(self) -> str:
        """One sentence without the machine's paths, e.g. 'MNIST (local copy of mnist.npz):
        60,000 train + 10,000 test images.'"""
        spec = DATASETS.get(self.dataset)
        text = (f"{spec.title if spec else self.dataset} ({self.source} of "
                f"{Path(self.location).name}): {self.n_train:,} train + {self.n_test:,} test "
                "images")
        if self.subset and spec:
            text += f", a subset of the official {spec.n_train:,} + {spec.n_test:,}"
        return text + "."

    def as_dict(self) -> dict:
        """All fields as a json-serialisable dict."""
        return dataclasses.asdict(self)


@dataclass
class Dataset:
    """Images and labels as uint8 arrays, shaped exactly as keras.datasets returns them.

    x_*: (n, *image_shape) pixel values 0..255; y_*: (n, *label_shape) class indices.
    """

    name: str
    x_train: np.ndarray = field(repr=False)
    y_train: np.ndarray = field(repr=False)
    x_test: np.ndarray = field(repr=False)
    y_test: np.ndarray = field(repr=False)
    class_names: tuple[str, ...]
    provenance: Provenance


class DataUnavailableError(DataError):
    """No local copy was found and the dataset could not be downloaded."""


def _spec(name: str) -> DatasetSpec:
    if not isinstance(name, str):
        raise DataError(f"A dataset name is a string, not {name!r}. Use one of: "
                        f"{', '.join(DATASETS)}.")
    key = name.strip().lower().replace("-", "_")
    if key in DATASETS:
        return DATASETS[key]
    close = difflib.get_close_matches(key, DATASETS, n=1, cutoff=0.5)
    hint = f" Did you mean {close[0]!r}?" if close else ""
    raise DataError(f"Unknown dataset {name!r}.{hint} Use one of: {', '.join(DATASETS)}.")


def _pyproject_dirs(start: Path) -> list[Path]:
    """data_dirs of [tool.convlab] in the nearest pyproject.toml that has that table."""
    for folder in (start, *start.parents):
        pyproject = folder / "pyproject.toml"
        if not pyproject.is_file():
            continue
        try:
            config = tomllib.loads(pyproject.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise DataError(f"Cannot read {pyproject}: {exc}. Fix or remove that file.") from exc
        table = config.get("tool", {}).get("convlab")
        if table is None:
            continue
        entries = table.get("data_dirs", [])
        if not isinstance(entries, list) or not all(isinstance(e, str) for e in entries):
            raise DataError(f"{pyproject}: [tool.convlab] data_dirs must be a list of strings.")
        return [(folder / Path(entry).expanduser()).resolve() for entry in entries]
    return []


def data_dirs() -> list[Path]:
    """Folders searched for local copies, in order (nonexistent ones included)."""
    return settings.data_dirs() + _pyproject_dirs(Path.cwd()) + list(SYSTEM_DATA_DIRS)


def _has_fashion_files(folder: Path) -> bool:
    return all((folder / f).is_file() for f in FASHION_FILES.values())


def find_local(name: str) -> Path | None:
    """The first local copy of a dataset in data_dirs(): an .npz file or an idx folder."""
    spec = _spec(name)
    for folder in data_dirs():
        if not folder.is_dir():
            continue
        if spec.name == "fashion_mnist":
            for candidate in (folder / "fashion-mnist", folder):
                if _has_fashion_files(candidate):
                    return candidate
        elif (folder / f"{spec.name}.npz").is_file():
            return folder / f"{spec.name}.npz"
    return None


def locate(name: str) -> Path | None:
    """Where ``load(name)`` would read the dataset now: its local copy, else the keras cache.

    ``None`` means ``load`` would download it. The build compares this with where a cached run
    read its data, so that another ``CONVLAB_DATA_DIR`` is noticed."""
    return find_local(name) or _keras_cache(_spec(name))


def _read_local(spec: DatasetSpec, location: Path) -> dict[str, np.ndarray]:
    if spec.name == "fashion_mnist":
        return {key: read_idx(location / fname, 3 if key.startswith("x") else 1)
                for key, fname in FASHION_FILES.items()}
    return read_npz(location)


def _validate(spec: DatasetSpec, arrays: dict[str, np.ndarray], where: Path, fix: str) -> None:
    """Raise DataFileError naming `where` unless the arrays look like the dataset."""

    def error(problem: str) -> DataFileError:
        return file_error(where, problem, fix)

    for split in ("train", "test"):
        x, y = arrays[f"x_{split}"], arrays[f"y_{split}"]
        for key, a in ((f"x_{split}", x), (f"y_{split}", y)):
            if a.dtype != np.uint8:
                raise error(f"{key} has dtype {a.dtype}, expected uint8")
        n = len(x) if x.ndim else 0
        if n == 0 or x.shape != (n, *spec.image_shape):
            expected = ", ".join(map(str, ("n", *spec.image_shape)))
            raise error(f"x_{split} has shape {x.shape}, expected ({expected}), n > 0")
        if y.shape != (n, *spec.label_shape):
            raise error(f"y_{split} has shape {y.shape}, expected {(n, *spec.label_shape)}")
        if y.max() >= len(spec.class_names):
            raise error(f"y_{split} holds label {y.max()}, "
                        f"expected 0..{len(spec.class_names) - 1}")


def _keras_datasets_dir() -> Path:
    """<keras home>/datasets, found the way keras finds it."""
    keras_home = settings.keras_home()
    if keras_home is not None:
        return keras_home / "datasets"
    home = Path.home() if os.access(Path.home(), os.W_OK) else Path("/tmp")
    return home / ".keras" / "datasets"


def _keras_cache(spec: DatasetSpec) -> Path | None:
    path = _keras_datasets_dir() / KERAS_CACHE_NAMES[spec.name]
    complete = _has_fashion_files(path) if spec.name == "fashion_mnist" else path.is_file()
    return path if complete else None


def _keras_load(spec: DatasetSpec) -> dict[str, np.ndarray]:
    """keras.datasets.<loader>.load_data(); keras is imported only here (slow, heavy)."""
    module = importlib.import_module(f"keras.datasets.{spec.keras_loader}")
    (x_train, y_train), (x_test, y_test) = module.load_data()
    arrays = {"x_train": x_train, "y_train": y_train, "x_test": x_test, "y_test": y_test}
    # keras returns CIFAR-10's test labels as int64; they are 0..9
    return {k: np.asarray(a).astype(np.uint8, copy=False) for k, a in arrays.items()}


def _can_reach(host: str, timeout: float = 3.0) -> bool:
    """Whether a TCP connection to host:443 opens; gives up after about `timeout` seconds.

    Runs in a thread because the DNS lookup inside create_connection ignores its timeout.
    """
    reached: list[bool] = []

    def probe() -> None:
        try:
            with socket.create_connection((host, 443), timeout=timeout):
                reached.append(True)
        except OSError:
            pass

    thread = threading.Thread(target=probe, daemon=True)
    thread.start()
    thread.join(timeout + 1)
    return bool(reached)


def _unavailable(spec: DatasetSpec, reason: str) -> DataUnavailableError:
    wanted = "fashion-mnist/" if spec.name == "fashion_mnist" else f"{spec.name}.npz"
    places = []
    for folder in data_dirs():
        missing = "" if folder.is_dir() else " (folder does not exist)"
        places.append(f"  - {folder / wanted}{missing}")
    places.append(f"  - keras cache: {_keras_datasets_dir() / KERAS_CACHE_NAMES[spec.name]}")
    if spec.name == "fashion_mnist":
        what = f"a fashion-mnist/ folder holding {', '.join(FASHION_FILES.values())}"
    else:
        what = wanted
    return DataUnavailableError(
        f"{spec.title} ({spec.name!r}) has no local copy and cannot be downloaded: {reason}.\n"
        "Looked in:\n" + "\n".join(places) + "\n"
        f"To fix: put {what} into one of those folders, or set CONVLAB_DATA_DIR to a folder "
        "holding it, or connect to the internet (with downloads allowed) so keras.datasets "
        "can download it."
    )


def load(name: str, *, download: bool | None = None) -> Dataset:
    """Load a dataset by name ("cifar10", "mnist", "fashion_mnist"); see the module docstring.

    download: allow a keras download; None means allowed unless CONVLAB_OFFLINE is 1/true/yes.
    """
    spec = _spec(name)
    location = find_local(spec.name)
    if location is not None:
        source = "local copy"
        arrays = _read_local(spec, location)
        fp = fingerprint(location)  # hashed once per load
    elif (location := _keras_cache(spec)) is not None:
        source = "keras cache"
        try:
            arrays = _keras_load(spec)
        except Exception as exc:
            problem = f"keras could not read this cached copy ({type(exc).__name__}: {exc})"
            raise file_error(location, problem, _FIX_KERAS) from exc
        fp = fingerprint(location)
    else:
        source = "keras download"
        why = "downloads are off (download=False)"
        if download is None:
            flag = settings.offline_flag()
            download = flag is None
            why = f"downloads are off ({settings.OFFLINE_ENV}={flag})"
        if not download:
            raise _unavailable(spec, why)
        host = DOWNLOAD_HOSTS[spec.name]
        if not _can_reach(host):
            raise _unavailable(spec, f"no connection to {host}:443")
        try:
            arrays = _keras_load(spec)
        except Exception as exc:
            raise _unavailable(spec, f"the keras download failed ({exc})") from exc
        location = _keras_cache(spec) or _keras_datasets_dir() / KERAS_CACHE_NAMES[spec.name]
        fp = fingerprint(location) if location.exists() else ""
    _validate(spec, arrays, location, FIX_FILE if source == "local copy" else _FIX_KERAS)
    n_train, n_test = len(arrays["x_train"]), len(arrays["x_test"])
    provenance = Provenance(
        dataset=spec.name, source=source, location=str(location), n_train=n_train,
        n_test=n_test, subset=n_train < spec.n_train or n_test < spec.n_test, fingerprint=fp,
    )
    report.append(report.Event.DATA, {**provenance.as_dict(), "description": provenance.describe()})
    return Dataset(spec.name, **arrays, class_names=spec.class_names, provenance=provenance)
