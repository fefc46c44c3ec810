"""Shared fixtures: a tiny course project built inside the tests, and tiny dataset files."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import numpy as np
import pytest

from convlab.build.project import Project

REPO = Path(__file__).resolve().parents[1]

ALPHA = '''\
# %% [markdown]
# # Alpha
#
# The first tiny lesson.

# %%
import convlab
from convlab import data, report

cfg = convlab.load_profile().lesson("01_alpha")

# %%
digits = data.load("mnist")
print(digits.provenance.describe())

# %%
report.compare([("share of label 0", float((digits.y_train == 0).mean()), None)])
print("steps", cfg.steps)
'''

BETA = '''\
# %% [markdown]
# # Beta
#
# The second tiny lesson.

# %%
total = sum(range(5))
print("total", total)
'''

TINY_PROFILE = '''\
description = "tiny test profile"
seed = 7
budget_s = 60

[lessons.01_alpha]
steps = 3
'''

TINY_INDEX = """\
# Tiny course

[Alpha](lessons/01_alpha.ipynb) and [Beta](lessons/02_beta.ipynb).
"""


def write_mnist(folder: Path, n_train: int = 20, n_test: int = 10, seed: int = 0) -> Path:
    """A small file in the format of keras's mnist.npz (uint8, (n, 28, 28), labels (n,))."""
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "mnist.npz"
    np.savez(
        path,
        x_train=rng.integers(0, 256, (n_train, 28, 28), dtype=np.uint8),
        y_train=(np.arange(n_train) % 10).astype(np.uint8),
        x_test=rng.integers(0, 256, (n_test, 28, 28), dtype=np.uint8),
        y_test=(np.arange(n_test) % 10).astype(np.uint8),
    )
    return path


def write_cifar10(folder: Path, n_train: int = 40, n_test: int = 20, seed: int = 0) -> Path:
    """A small file in the format of the project's cifar10.npz (uint8 (n,32,32,3), (n,1))."""
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "cifar10.npz"
    np.savez(
        path,
        x_train=rng.integers(0, 256, (n_train, 32, 32, 3), dtype=np.uint8),
        y_train=(np.arange(n_train) % 10).astype(np.uint8).reshape(-1, 1),
        x_test=rng.integers(0, 256, (n_test, 32, 32, 3), dtype=np.uint8),
        y_test=(np.arange(n_test) % 10).astype(np.uint8).reshape(-1, 1),
    )
    return path


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
