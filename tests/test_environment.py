"""Facts recorded on every page (the machine's are tested in test_machine.py)."""

from __future__ import annotations

import re
import subprocess

from convlab.publish import environment


def test_git_commit_marks_uncommitted_changes(tmp_path):
    assert environment.git_commit(tmp_path).startswith("unknown")
    run = lambda *args: subprocess.run(["git", *args], cwd=tmp_path, check=True,  # noqa: E731
                                       capture_output=True)
    run("init", "-q")
    (tmp_path / "f.txt").write_text("a")
    stored = tmp_path / "runs" / "full" / "alpha"
    stored.mkdir(parents=True)
    (stored / "manifest.json").write_text("{}")
    run("add", ".")
    run("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "c")
    clean = environment.git_commit(tmp_path)
    assert re.fullmatch(r"[0-9a-f]{7,}", clean)
    (stored / "manifest.json").write_text('{"refreshed": true}')
    assert environment.git_commit(tmp_path) == clean, "a refreshed store entry is no code edit"
    (tmp_path / "f.txt").write_text("b")
    assert environment.git_commit(tmp_path) == f"{clean}+changes"


def test_utc_now_format():
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d UTC", environment.utc_now())
