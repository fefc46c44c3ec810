"""The convlab command line, run in a tiny project."""

from __future__ import annotations

import signal
import subprocess
import sys
import time

import pytest

from convlab.publish.cli import main


def test_help_documents_every_command():
    done = subprocess.run([sys.executable, "-m", "convlab", "--help"], capture_output=True,
                          text=True, check=True)
    for command in ("build", "run", "serve", "list", "results", "clean", "store merge",
                    "CONVLAB_DATA_DIR"):
        assert command in done.stdout


def test_run_list_results_clean(tiny_project, capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")  # rich wraps tables to the terminal's width
    tiny = str(tiny_project.root / "tiny.toml")
    assert main(["list", "--profile", tiny]) == 0
    out = capsys.readouterr().out
    assert "would run: not in the tiny execution cache" in out
    assert "would run: not in the store of full runs" in out
    assert "0 of 2 lessons current; missing or stale: 01_alpha, 02_beta" in out
    assert main(["list", "--profile", tiny, "--check-store"]) == 1
    capsys.readouterr()
    assert main(["run", "1", "--profile", tiny]) == 0
    out = capsys.readouterr().out
    assert "share_of_zeros: 0.1" in out and "notebook.ipynb" in out
    assert main(["list", "--profile", tiny]) == 0
    assert "cached" in capsys.readouterr().out
    assert main(["results", "--profile", tiny]) == 0
    assert "share of zeros" in capsys.readouterr().out
    assert main(["clean"]) == 0
    assert "removed 1" in capsys.readouterr().out


def test_clean_refuses_while_a_build_runs(tiny_project, capsys):
    from convlab.publish.lock import build_lock

    assert main(["run", "2", "--profile", str(tiny_project.root / "tiny.toml")]) == 0
    with build_lock(tiny_project.cache_dir):  # as a running build holds it
        assert main(["clean"]) == 2
        err = capsys.readouterr().err
        assert "a build is running" in err and "then try again" in err
        assert list(tiny_project.cache_dir.glob("tiny/beta/notebook.ipynb"))
    assert main(["clean"]) == 0
    assert not list(tiny_project.cache_dir.glob("tiny/beta"))


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


def _as_in_a_terminal() -> None:
    """Ctrl-C's default action, as a command typed in a terminal has it. A job started with
    ``&`` by a shell without job control (``nohup ... &`` in a script) inherits SIGINT ignored,
    and Python then never raises KeyboardInterrupt: the test must not depend on how the suite
    itself was started."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "kill"])
def test_interrupted_run_leaves_no_cache_entry(tiny_project, signum):
    lesson = tiny_project.lesson("02")
    sleeper = "\n# %%\nimport pathlib, time\npathlib.Path('reached').touch()\ntime.sleep(120)\n"
    lesson.path.write_text(lesson.path.read_text() + sleeper)
    command = [sys.executable, "-m", "convlab", "run", "02", "--profile", "tiny.toml"]
    process = subprocess.Popen(command, cwd=tiny_project.root, stderr=subprocess.PIPE, text=True,
                               preexec_fn=_as_in_a_terminal)
    cache, reached = tiny_project.cache_dir, tiny_project.root / "reached"
    deadline = time.monotonic() + 120
    while not reached.exists() and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.1)
    assert reached.exists(), "the lesson never reached its last cell"
    process.send_signal(signum)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    assert "interrupted" in err
    assert not list(cache.glob("*/beta/*")) and not list(cache.glob("*/.tmp-*"))


def test_error_text_with_brackets_is_shown_verbatim(tiny_project, capsys):
    (tiny_project.root / "bad.toml").write_text('lessons = "not a table"\n')
    assert main(["list", "--profile", "bad.toml"]) == 2
    assert "[lessons.NAME] entries must be tables" in capsys.readouterr().err
