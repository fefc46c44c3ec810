"""A lesson re-runs when convlab code it uses changes, and for nothing else in convlab.

The tiny project runs against a copy of the convlab package (first on the kernel's PYTHONPATH),
so that editing the copy is a real edit of what the lessons import.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import convlab
from convlab.publish import codegraph, freshness
from convlab.publish.pipeline import run_lessons
from convlab.publish.profile import load_profile

FULL_TINY = 'description = "tiny full profile"\nbudget_s = 60\n'


@pytest.fixture
def package_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "package"
    shutil.copytree(Path(convlab.__file__).parent, root / "convlab",
                    ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setenv("PYTHONPATH", str(root))
    monkeypatch.setattr(codegraph, "PACKAGE", root / "convlab")
    return root / "convlab"


def _ran(project, profile, **kwargs):
    return {o.lesson.name: str(o.reason) for o in run_lessons(project, profile, **kwargs)
            if not o.from_cache}


def _append(path: Path, text: str) -> None:
    path.write_text(path.read_text() + text)


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))


def test_only_the_convlab_functions_a_lesson_uses_rerun_it(tiny_project, package_copy):
    profile = load_profile(tiny_project.root / "tiny.toml")
    assert set(_ran(tiny_project, profile)) == {"01_alpha", "02_beta"}
    assert _ran(tiny_project, profile) == {}

    _append(package_copy / "publish" / "cli.py", "\n# a comment in the CLI\n")
    _append(package_copy / "publish" / "pipeline.py", "\n# a comment in the build code\n")
    _append(package_copy / "viz" / "charts.py", "\n# no tiny lesson draws\n")
    _append(package_copy / "data.py", "\n# a comment where alpha loads its data\n")
    _replace(package_copy / "data.py", "The first local copy of a dataset",
             "The first local copy (a docstring edit)")
    _append(package_copy / "data.py", "\n\ndef unused():\n    return 1\n")
    _replace(package_copy / "convolution.py", "    For example a 3-pixel kernel",
             "    # a comment inside a function beta calls\n    For example a 3-pixel kernel")
    assert _ran(tiny_project, profile) == {}, "comments, docstrings, unused code: no re-run"

    # a function that data.load calls: alpha loads data, beta does not
    _replace(package_copy / "data.py", "        if not folder.is_dir():\n            continue",
             "        if not folder.exists() or not folder.is_dir():\n            continue")
    assert _ran(tiny_project, profile) == {"01_alpha": "convlab.data:find_local changed"}

    _replace(package_copy / "convolution.py", "    _check_int(stride, \"stride\", minimum=1)",
             "    _check_int(stride, \"stride\", minimum=1)\n    assert stride >= 1")
    assert _ran(tiny_project, profile) == {"02_beta": "convlab.convolution:output_size changed"}


def test_a_stored_full_run_survives_comments_and_other_machines(tiny_project, package_copy,
                                                                monkeypatch):
    (tiny_project.root / "full.toml").write_text(FULL_TINY)
    full = load_profile(tiny_project.root / "full.toml")
    tiny = load_profile(tiny_project.root / "tiny.toml")
    assert set(_ran(tiny_project, full)) == {"01_alpha", "02_beta"}
    assert _ran(tiny_project, tiny) == {}, "every page from the store"

    _append(package_copy / "viz" / "charts.py", "\n# a comment\n")
    numpy = freshness._version("numpy")
    real = freshness._version
    monkeypatch.setattr(freshness, "_version", lambda d: "99.0" if d == "numpy" else real(d))
    outcomes = run_lessons(tiny_project, tiny)
    assert [o.source for o in outcomes] == ["store", "store"], "another numpy: still that run"
    assert f"numpy {numpy} in the run, 99.0 here" in map(str, outcomes[0].differences)

    _replace(package_copy / "convolution.py", "    _check_int(stride, \"stride\", minimum=1)",
             "    _check_int(stride, \"stride\", minimum=1)\n    assert stride >= 1")
    outcomes = run_lessons(tiny_project, tiny)
    assert [o.source for o in outcomes] == ["store", "executed"]
    assert str(outcomes[1].store_reason) == "convlab.convolution:output_size changed"


def test_a_third_party_upgrade_reruns_the_quick_runs_that_imported_it(tiny_project,
                                                                      monkeypatch):
    profile = load_profile(tiny_project.root / "tiny.toml")
    run_lessons(tiny_project, profile)
    real = freshness._version
    monkeypatch.setattr(freshness, "_version",
                        lambda d: "99.0" if d in ("scikit-image", "matplotlib") else real(d))
    assert _ran(tiny_project, profile) == {}, "no tiny lesson imports skimage or matplotlib"
    monkeypatch.setattr(freshness, "_version", lambda d: "99.0" if d == "numpy" else real(d))
    ran = _ran(tiny_project, profile)
    assert set(ran) == {"01_alpha", "02_beta"} and "numpy" in ran["01_alpha"]


GAMMA = '''\
# %% [markdown]
# # Gamma
#
# A tiny lesson that compares with a stored benchmark result.

# %%
from convlab.runs import benchmark_result
run = benchmark_result("benchmarks/results/long_run.json")
print("stored accuracy", run["accuracy"] if run else "none")
'''


def test_a_stored_result_reruns_the_lesson_that_read_it(tiny_project):
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


def test_build_code_changes_freely(tiny_project, package_copy):
    """New classes, functions and constants in modules no lesson's kernel imported re-run
    nothing, even a class defining an attribute a lesson reads on an unknown receiver."""
    profile = load_profile(tiny_project.root / "tiny.toml")
    _ran(tiny_project, profile)
    for module in ("publish/outcome.py", "publish/freshness.py", "viz/charts.py"):
        _append(package_copy / module, "\n\nclass Extra:\n    name = 'x'\n    value = 1\n\n"
                "    def describe(self):\n        return self.name\n\n\n"
                "def extra():\n    return 2\n\n\nEXTRA = 3\n")
    assert _ran(tiny_project, profile) == {}


def test_a_kernel_that_imported_another_convlab_fails_the_lesson(tiny_project, package_copy,
                                                                 monkeypatch):
    monkeypatch.delenv("PYTHONPATH")  # the kernel imports the installed convlab, not the copy
    profile = load_profile(tiny_project.root / "tiny.toml")
    outcomes = run_lessons(tiny_project, profile)
    assert all(o.error for o in outcomes) and not any(o.entry for o in outcomes)
    assert "imported convlab from" in outcomes[0].error and str(package_copy) in \
        outcomes[0].error and "pip install -e ." in outcomes[0].error
    assert not (tiny_project.cache_dir / "tiny").exists() or not any(
        (tiny_project.cache_dir / "tiny").iterdir()), "no entry written"


EDITING = """\
# %% [markdown]
# # Delta
#
# A lesson during whose run convlab's code is edited (as an author saving a file would).

# %%
import os
from convlab.convolution import output_size
print(output_size(5, 3))
with open(os.environ["EDIT_ME"], "a") as f:
    f.write("\\n\\ndef added_during_the_run():\\n    return 1\\n")
"""


def test_a_library_edit_during_a_run_leaves_no_entry(tiny_project, package_copy, monkeypatch):
    (tiny_project.root / "lessons" / "03_delta.py").write_text(EDITING)
    monkeypatch.setenv("EDIT_ME", str(package_copy / "convolution.py"))
    profile = load_profile(tiny_project.root / "tiny.toml")
    [outcome] = run_lessons(tiny_project, profile, [tiny_project.lesson("03")])
    assert outcome.entry is None and "convlab/convolution.py changed while it ran" in \
        outcome.error and "run it again" in outcome.error
    assert not (tiny_project.cache_dir / "tiny" / "delta").exists()


OPENING = """\
# %% [markdown]
# # Epsilon
#
# A lesson that opens a file of the project itself.

# %%
with open("notes/threshold.txt") as f:
    threshold = float(f.read())
with open("notes/written.txt", "w") as f:
    f.write("anything")
print("threshold", threshold)
"""


def test_a_file_the_lesson_opens_itself_reruns_it(tiny_project):
    (tiny_project.root / "lessons" / "03_epsilon.py").write_text(OPENING)
    (tiny_project.root / "notes").mkdir()
    (tiny_project.root / "notes" / "threshold.txt").write_text("0.5")
    profile = load_profile(tiny_project.root / "tiny.toml")
    assert "03_epsilon" in _ran(tiny_project, profile)
    assert _ran(tiny_project, profile) == {}, "what it wrote itself is no input"
    (tiny_project.root / "notes" / "threshold.txt").write_text("0.6")
    assert _ran(tiny_project, profile) == {"03_epsilon": "threshold.txt changed"}
