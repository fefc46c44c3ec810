"""The convlab command line, run in a tiny project."""

from __future__ import annotations

import subprocess
import sys

from convlab.cli import main


def test_help_documents_every_command():
    done = subprocess.run([sys.executable, "-m", "convlab", "--help"], capture_output=True,
                          text=True, check=True)
    for command in ("build", "run", "list", "results", "clean", "CONVLAB_DATA_DIR"):
        assert command in done.stdout


def test_run_list_results_clean(tiny_project, capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")  # rich wraps tables to the terminal's width
    tiny = str(tiny_project.root / "tiny.toml")
    assert main(["list", "--profile", tiny]) == 0
    assert "would run: not in the cache" in capsys.readouterr().out
    assert main(["run", "1", "--profile", tiny]) == 0
    out = capsys.readouterr().out
    assert "share of label 0: 10.0%" in out and "notebook.ipynb" in out
    assert main(["list", "--profile", tiny]) == 0
    assert "cached" in capsys.readouterr().out
    assert main(["results"]) == 0
    assert "share of label 0" in capsys.readouterr().out
    assert main(["clean"]) == 0
    assert "removed 1" in capsys.readouterr().out


def test_errors_exit_nonzero_with_a_message(tiny_project, capsys):
    assert main(["build", "--profile", "nonexistent"]) == 2
    assert "unknown profile" in capsys.readouterr().err
    assert main(["run", "99", "--profile", str(tiny_project.root / "tiny.toml")]) == 2
    assert "no lesson '99'" in capsys.readouterr().err
    alpha = tiny_project.lesson("01")
    alpha.path.write_text(alpha.path.read_text() + "\n# %%\nraise RuntimeError('nope')\n")
    assert main(["run", "01", "--profile", str(tiny_project.root / "tiny.toml")]) == 1
    assert "RuntimeError" in capsys.readouterr().err


def test_outside_a_project(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["list"]) == 2
    assert "no convlab project" in capsys.readouterr().err
