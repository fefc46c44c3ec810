"""The real lessons: well-formed, and executed end to end on tiny synthetic data."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

from convlab.build.execute import execute
from convlab.build.project import Project
from convlab.config import PROFILES_DIR, load_profile

REPO = Path(__file__).resolve().parents[1]
LESSONS = Project(REPO).lessons()


@pytest.fixture
def tiny_profile(tmp_path: Path) -> Path:
    """The quick profile shrunk to a few images and one epoch, same settings otherwise."""
    quick = tomllib.loads((PROFILES_DIR / "quick.toml").read_text())
    lines = ['description = "tiny data, for tests"', "seed = 1", "budget_s = 240"]
    for lesson, settings in quick["lessons"].items():
        lines.append(f"[lessons.{lesson}]")
        small = {**settings, "train_size": 30, "epochs": 1, "batch_size": 8, "budget_s": 240}
        for key, value in small.items():
            if key in settings or key == "budget_s":
                lines.append(f"{key} = {value!r}".replace("'", '"'))
    path = tmp_path / "tiny.toml"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_there_are_lessons():
    assert [lesson.name for lesson in LESSONS][:2] == ["01_cifar10_data", "02_dense_baseline"]


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda lesson: lesson.name)
def test_lesson_is_well_formed(lesson):
    notebook = lesson.read()
    first = notebook.cells[0]
    assert first.cell_type == "markdown" and first.source.startswith("# "), "starts with a title"
    code = "\n".join(c.source for c in notebook.cells if c.cell_type == "code")
    assert f'convlab.lesson("{lesson.name}")' in code, "reads its settings from the profile"
    assert 'find_spec("convlab")' in code, "installs convlab when it is missing"
    repo_url = yaml.safe_load((REPO / "mkdocs.yml").read_text())["repo_url"]
    assert f'"git+{repo_url}"' in code, "installs from the project's repository"
    for name in ("quick", "full"):
        assert lesson.name in load_profile(name).lessons


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda lesson: lesson.name)
def test_lesson_runs_end_to_end_on_tiny_data(lesson, data_dir, tiny_profile):
    run = execute(lesson, load_profile(tiny_profile), cwd=REPO)
    outputs = [o for c in run.notebook.cells if c.cell_type == "code" for o in c.outputs]
    assert any("image/png" in o.get("data", {}) for o in outputs), "draws figures"
    assert not [o for o in outputs if o.output_type == "error"]
    assert run.data and run.data[0]["location"] == str(data_dir / "cifar10.npz")


def test_a_lesson_runs_as_a_plain_script(data_dir, tiny_profile):
    env = {**os.environ, "MPLBACKEND": "Agg", "CONVLAB_PROFILE": str(tiny_profile)}
    done = subprocess.run([sys.executable, str(REPO / "lessons" / "01_cifar10_data.py")],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "CIFAR-10 from local copy" in done.stdout
    assert "| training images |" in done.stdout  # report tables print as Markdown
