"""A lesson re-runs when a convlab module it imported changes, and for nothing else in convlab.

The tiny project runs against a copy of the convlab package (first on the kernel's PYTHONPATH),
so that editing the copy is a real edit of what the lessons import.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import convlab
from convlab.profile import load_profile
from convlab.publish import cache as cache_module
from convlab.publish.pipeline import run_lessons


@pytest.fixture
def package_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "package"
    shutil.copytree(Path(convlab.__file__).parent, root / "convlab",
                    ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setenv("PYTHONPATH", str(root))
    monkeypatch.setattr(cache_module, "PACKAGE", root / "convlab")
    return root / "convlab"


def _ran(project, profile):
    return {o.lesson.name: o.reason for o in run_lessons(project, profile) if not o.from_cache}


def _append(path: Path, text: str) -> None:
    path.write_text(path.read_text() + text)


def test_only_imported_modules_rerun_lessons(tiny_project, package_copy):
    profile = load_profile(tiny_project.root / "tiny.toml")
    assert set(_ran(tiny_project, profile)) == {"01_alpha", "02_beta"}
    assert _ran(tiny_project, profile) == {}

    _append(package_copy / "cli.py", "\n# a comment in the CLI\n")
    _append(package_copy / "publish" / "pipeline.py", "\n# a comment in the build code\n")
    _append(package_copy / "viz.py", "\n# no tiny lesson draws\n")
    assert _ran(tiny_project, profile) == {}

    _append(package_copy / "data.py", "\n# only alpha loads data\n")
    assert _ran(tiny_project, profile) == {"01_alpha": "convlab/data.py changed"}

    _append(package_copy / "convolution.py", "\n# only beta convolves\n")
    assert _ran(tiny_project, profile) == {"02_beta": "convlab/convolution.py changed"}
