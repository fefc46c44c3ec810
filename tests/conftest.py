"""Shared fixtures: a tiny course project built inside the tests, and tiny dataset files."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import numpy as np
import pytest

from convlab.publish.project import Project

REPO = Path(__file__).resolve().parents[1]

ALPHA = '''\
# %% [markdown]
# # Alpha
#
# The first tiny lesson.

# %% tags=["parameters"]
steps = 10

# %%
from convlab import data, report
from convlab.expectations import expect

# %%
digits = data.load("mnist")
print("steps", steps)

# %%
share = float((digits.y_train == 0).mean())
report.compare({"share_of_zeros": share})
expect("share_of_zeros").between(0.05, 0.15)

# %% [markdown]
# A share of {{ share:.0% }} after {{ steps }} steps.
'''

BETA = '''\
# %% [markdown]
# # Beta
#
# The second tiny lesson.

# %%
from convlab.convolution import output_size
print("a 3x3 window fits", output_size(5, 3), "times across 5 pixels")
total = sum(range(5))
print("total", total)
'''

TINY_PROFILE = '''\
description = "tiny test profile"
budget_s = 60

[lessons.alpha]
steps = 3
'''

TINY_INDEX = """\
# Tiny course

<!-- convlab:lessons -->
"""


def _write_npz(path: Path, image_shape: tuple, label_shape: tuple, n_train: int, n_test: int,
               seed: int) -> Path:
    """Random uint8 images and cycling labels 0..9 under keras's keys."""
    rng = np.random.default_rng(seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    arrays = {}
    for split, n in (("train", n_train), ("test", n_test)):
        arrays[f"x_{split}"] = rng.integers(0, 256, (n, *image_shape), dtype=np.uint8)
        arrays[f"y_{split}"] = (np.arange(n) % 10).astype(np.uint8).reshape(n, *label_shape)
    np.savez(path, **arrays)
    return path


def write_mnist(folder: Path, n_train: int = 20, n_test: int = 10, seed: int = 0) -> Path:
    """A small file in the format of keras's mnist.npz (uint8, (n, 28, 28), labels (n,))."""
    return _write_npz(folder / "mnist.npz", (28, 28), (), n_train, n_test, seed)


def write_cifar10(folder: Path, n_train: int = 40, n_test: int = 20, seed: int = 0) -> Path:
    """A small file in the format of the project's cifar10.npz (uint8 (n,32,32,3), (n,1))."""
    return _write_npz(folder / "cifar10.npz", (32, 32, 3), (1,), n_train, n_test, seed)


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An offline data folder with tiny MNIST and CIFAR-10 files, the only one searched."""
    folder = tmp_path / "datasets"
    write_mnist(folder)
    write_cifar10(folder)
    monkeypatch.setenv("CONVLAB_DATA_DIR", str(folder))
    monkeypatch.setenv("CONVLAB_OFFLINE", "1")
    return folder


@pytest.fixture
def tiny_project(tmp_path: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Project:
    """A whole course project in miniature: two lessons, the real mkdocs.yml, a profile."""
    root = tmp_path / "course"
    (root / "lessons").mkdir(parents=True)
    (root / "lessons" / "01_alpha.py").write_text(ALPHA)
    (root / "lessons" / "02_beta.py").write_text(BETA)
    (root / "docs" / "stylesheets").mkdir(parents=True)
    (root / "docs" / "index.md").write_text(TINY_INDEX)
    shutil.copy(REPO / "docs" / "stylesheets" / "extra.css", root / "docs" / "stylesheets")
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    (root / "tiny.toml").write_text(TINY_PROFILE)
    monkeypatch.delenv("CONVLAB_CACHE_DIR", raising=False)
    monkeypatch.chdir(root)
    return Project(root)


def dedent(text: str) -> str:
    return textwrap.dedent(text)
