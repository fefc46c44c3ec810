"""The library's settings: every environment variable the lessons' code reads, read here.

A reader sets these, or the build sets them for a lesson's kernel; no other module of the
library looks at the environment. Each is documented where it is read, below, and in the
README's table:

* ``CONVLAB_DATA_DIR``: folders (``os.pathsep``-separated) searched first for local dataset
  copies (:func:`data_dirs`).
* ``CONVLAB_OFFLINE``: ``1``, ``true`` or ``yes`` forbids dataset downloads
  (:func:`offline_flag`).
* ``KERAS_HOME``: keras's own folder, whose ``datasets/`` is the keras cache (:func:`keras_home`).
* ``XDG_CACHE_HOME``: the user's cache folder, ``~/.cache`` when unset (:func:`user_cache_dir`).
* ``CONVLAB_RUN_DIR`` and ``CONVLAB_PROFILE``: set by the build for each lesson's kernel
  (:func:`lesson_run_environment`): where the run records what it did (:func:`run_dir`) and
  the name of the profile it runs (:func:`profile`). Not for users.

The names of the two packaged profiles live here too, since ``CONVLAB_PROFILE`` holds them and
a lesson run outside a build runs :data:`FULL_PROFILE`.
"""

from __future__ import annotations

import os
from pathlib import Path

DATA_DIR_ENV = "CONVLAB_DATA_DIR"
OFFLINE_ENV = "CONVLAB_OFFLINE"
KERAS_HOME_ENV = "KERAS_HOME"
XDG_CACHE_HOME_ENV = "XDG_CACHE_HOME"
RUN_DIR_ENV = "CONVLAB_RUN_DIR"
PROFILE_ENV = "CONVLAB_PROFILE"
# Variables that change what a training run computes or where its data come from: a stored
# benchmark result records those that were set (:func:`run_settings`). CUDA_VISIBLE_DEVICES
# decides whether TensorFlow sees a GPU.
RUN_SETTINGS = (OFFLINE_ENV, DATA_DIR_ENV, KERAS_HOME_ENV, "CUDA_VISIBLE_DEVICES")
OFFLINE_VALUES = ("1", "true", "yes")

# The packaged profiles (convlab/profiles/<name>.toml).
QUICK_PROFILE = "quick"  # small subsets and one or two epochs: the build's default
FULL_PROFILE = "full"  # no overrides: a lesson's own values, the profile of the store of runs
# The store of full runs, from a project's root folder: one entry per lesson, <slug>/.
STORE_DIR = Path("runs") / FULL_PROFILE


def data_dirs() -> list[Path]:
    """The folders in ``$CONVLAB_DATA_DIR``, in order (empty entries skipped, ``~`` expanded)."""
    value = os.environ.get(DATA_DIR_ENV, "")
    return [Path(entry).expanduser() for entry in value.split(os.pathsep) if entry]


def offline_flag() -> str | None:
    """``$CONVLAB_OFFLINE`` as set when it forbids downloads (``1``, ``true``, ``yes``, any
    case), else ``None``: downloads are allowed."""
    value = os.environ.get(OFFLINE_ENV, "")
    return value if value.strip().lower() in OFFLINE_VALUES else None


def keras_home() -> Path | None:
    """``$KERAS_HOME`` (``~`` expanded), or ``None`` when unset: keras then uses ``~/.keras``."""
    value = os.environ.get(KERAS_HOME_ENV)
    return None if value is None else Path(value).expanduser()


def user_cache_dir() -> Path:
    """The user's cache folder: ``$XDG_CACHE_HOME``, else ``~/.cache``."""
    return Path(os.environ.get(XDG_CACHE_HOME_ENV) or Path.home() / ".cache")


def run_dir() -> Path | None:
    """``$CONVLAB_RUN_DIR``: the folder of the build's current lesson run, else ``None``."""
    value = os.environ.get(RUN_DIR_ENV)
    return Path(value) if value else None


def profile() -> str | None:
    """``$CONVLAB_PROFILE``: the profile the build runs the lesson with, else ``None``."""
    return os.environ.get(PROFILE_ENV) or None


def lesson_run_environment(profile_name: str, run_folder: Path | str) -> dict[str, str]:
    """The environment the build gives a lesson's kernel: this process's, plus the profile's
    name and the run folder (read back by :func:`profile` and :func:`run_dir`)."""
    return {**os.environ, PROFILE_ENV: profile_name, RUN_DIR_ENV: str(run_folder)}


def run_settings() -> dict[str, str]:
    """The variables of :data:`RUN_SETTINGS` that are set, with their values."""
    return {name: os.environ[name] for name in RUN_SETTINGS if name in os.environ}

