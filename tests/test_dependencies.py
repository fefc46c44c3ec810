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


GAMMA = '''\
# %% [markdown]
# # Gamma
#
# A tiny lesson that compares with a stored benchmark result.

# %%
from convlab.references import stored_run
run = stored_run("benchmarks/results/long_run.json")
print("stored accuracy", run["accuracy"] if run else "none")
'''


def test_a_stored_result_reruns_the_lesson_that_read_it(tiny_project, package_copy):
    (tiny_project.root / "lessons" / "03_gamma.py").write_text(GAMMA)
    profile = load_profile(tiny_project.root / "tiny.toml")
    assert "03_gamma" in _ran(tiny_project, profile)          # no stored file yet
    assert _ran(tiny_project, profile) == {}

    stored = tiny_project.root / "benchmarks" / "results" / "long_run.json"
    stored.parent.mkdir(parents=True)
    stored.write_text('{"accuracy": 0.61}')
    assert _ran(tiny_project, profile) == {"03_gamma": "long_run.json changed"}
    assert _ran(tiny_project, profile) == {}

    stored.write_text('{"accuracy": 0.62}')
    assert _ran(tiny_project, profile) == {"03_gamma": "long_run.json changed"}
    stored.unlink()
    assert _ran(tiny_project, profile) == {"03_gamma": "long_run.json changed"}
