"""Facts about the checkout that every page records: its commit, and the time of the run.

The machine a page records is described by :func:`convlab.machine.summary`."""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime
from pathlib import Path

from convlab.settings import STORE_DIR


def _run(*command: str, cwd: Path | None = None) -> str:
    try:
        done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return done.stdout.strip() if done.returncode == 0 else ""


# What a build writes into the checkout: a refreshed store entry is no edit of the code.
BUILD_OUTPUT = f":(exclude){STORE_DIR.as_posix()}"


def git_commit(root: Path) -> str:
    """Short commit hash of the checkout at ``root``, ``+changes`` if it has uncommitted edits
    (other than the store of full runs, which builds write)."""
    commit = _run("git", "rev-parse", "--short", "HEAD", cwd=root)
    if not commit:
        return "unknown (not a git checkout)"
    dirty = _run("git", "status", "--porcelain", "--untracked-files=no", "--", ".",
                 BUILD_OUTPUT, cwd=root)
    return f"{commit}+changes" if dirty else commit


def full_commit(root: Path) -> str | None:
    """The 40-digit commit hash of the checkout at ``root``, or ``None`` outside git."""
    return _run("git", "rev-parse", "HEAD", cwd=root) or None


def utc_now() -> str:
    """The current time, e.g. ``"2026-11-22 14:03 UTC"``."""
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
