"""Two builds in one checkout: the second waits for the first and reuses what it executed."""

from __future__ import annotations

import signal
import subprocess
import sys
import time

from convlab.publish.lock import LOCK_NAME

SLOW = "\n# %%\nimport time\ntime.sleep(4)\n"


def _build(project, *extra: str) -> subprocess.Popen:
    command = [sys.executable, "-m", "convlab", "build", "--profile", "tiny.toml", "--no-mkdocs",
               *extra]
    return subprocess.Popen(command, cwd=project.root, stderr=subprocess.PIPE, text=True)


def _wait_for_holder(project, process, seconds: float = 60) -> None:
    lock = project.cache_dir / LOCK_NAME
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and process.poll() is None:
        if lock.is_file() and lock.read_text().strip():
            return
        time.sleep(0.05)
    raise AssertionError("the first build never took the lock")


def test_second_build_waits_then_executes_nothing(tiny_project):
    beta = tiny_project.lesson("02")
    beta.path.write_text(beta.path.read_text() + SLOW)
    first = _build(tiny_project)
    _wait_for_holder(tiny_project, first)
    second = _build(tiny_project)
    _, first_err = first.communicate(timeout=180)
    _, second_err = second.communicate(timeout=180)
    assert first.returncode == 0 and second.returncode == 0, first_err + second_err
    assert "2 of 2 lessons executed" in first_err
    assert "another build holds" in second_err and "waiting" in second_err
    assert "0 of 2 lessons executed" in second_err


def test_a_killed_build_leaves_no_lock_that_blocks(tiny_project):
    beta = tiny_project.lesson("02")
    beta.path.write_text(beta.path.read_text() + SLOW)
    first = _build(tiny_project)
    _wait_for_holder(tiny_project, first)
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=30)
    second = _build(tiny_project)
    _, err = second.communicate(timeout=180)
    assert second.returncode == 0, err
    assert "waiting" not in err
    assert f"cleared a stale build lock left by process {first.pid}" in err
