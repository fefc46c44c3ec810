"""The files of the local dataset copies: keras's ``.npz`` and the official idx files.

Reading them, with a :class:`DataFileError` that names the file and says how to fix it when
one is damaged, and :func:`fingerprint`, which the build compares to notice changed data.
:mod:`convlab.data` finds the files and checks that their arrays are the dataset's.
"""

from __future__ import annotations

import gzip
import hashlib
import struct
import zipfile
import zlib
from pathlib import Path

import numpy as np

NPZ_KEYS = ("x_train", "y_train", "x_test", "y_test")
FIX_FILE = "Re-copy the file, or remove it to fall back to a keras download."


class DataError(Exception):
    """Base class of convlab.data errors; the message says what to do."""


class DataFileError(DataError):
    """A data file is corrupt, truncated or has the wrong shapes; the message names it."""


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def fingerprint(location: str | Path) -> str:
    """Return "sha256:<hex>" of a file, or of a folder's sorted (relative name, sha256) pairs.

    Any changed byte (or a renamed, added or removed file) changes it; the build cache
    compares it with Provenance.fingerprint to notice changed data.
    """
    path = Path(location)
    if path.is_file():
        return "sha256:" + _sha256_file(path)
    if not path.is_dir():
        raise FileNotFoundError(f"No file or folder at {path}")
    digest = hashlib.sha256()
    for name in sorted(p.relative_to(path).as_posix() for p in path.rglob("*") if p.is_file()):
        digest.update(f"{name}\0{_sha256_file(path / name)}\n".encode())
    return "sha256:" + digest.hexdigest()


def file_error(path: Path, problem: str, fix: str = FIX_FILE) -> DataFileError:
    """The error for a data file that cannot be used: what is wrong with it, and the fix."""
    return DataFileError(f"{path}: {problem}. {fix}")


def read_npz(path: Path) -> dict[str, np.ndarray]:
    """The four arrays of a keras-format ``.npz`` (``NPZ_KEYS``), uint8 as stored."""
    try:
        npz = np.load(path, allow_pickle=False)
        if not isinstance(npz, np.lib.npyio.NpzFile):
            raise file_error(path, "holds a single .npy array, not an .npz archive")
        with npz:
            missing = [key for key in NPZ_KEYS if key not in npz.files]
            if missing:
                raise file_error(path, f"missing array(s) {', '.join(missing)}")
            return {key: npz[key] for key in NPZ_KEYS}
    except (zipfile.BadZipFile, EOFError, ValueError, OSError, KeyError, zlib.error) as exc:
        problem = f"not a readable .npz archive ({type(exc).__name__}: {exc})"
        raise file_error(path, problem) from exc


def read_idx(path: Path, ndim: int) -> np.ndarray:
    """One idx ubyte file: magic 2051 for images (n, h, w), 2049 for labels (n,)."""
    try:
        with gzip.open(path, "rb") as f:
            raw = f.read()
    except (OSError, EOFError, zlib.error) as exc:  # gzip.BadGzipFile is an OSError
        raise file_error(path, f"not a complete gzip file ({type(exc).__name__}: {exc})") from exc
    header = 4 * (1 + ndim)
    if len(raw) < header:
        raise file_error(path, f"only {len(raw)} bytes, too short for an idx header")
    magic, *dims = struct.unpack(f">{1 + ndim}I", raw[:header])
    expected = {3: 2051, 1: 2049}[ndim]
    if magic != expected:
        raise file_error(path, f"idx magic number is {magic}, expected {expected}")
    if len(raw) - header != int(np.prod(dims)):
        raise file_error(path, f"header announces {dims} = {int(np.prod(dims))} bytes "
                                f"but {len(raw) - header} follow")
    return np.frombuffer(raw, np.uint8, offset=header).reshape(dims).copy()
