"""One build at a time per checkout: a second ``convlab build`` (or ``serve``) waits, then reuses.

The lock is an exclusive ``flock`` on ``<cache>/build.lock``, which the operating system
releases when its process ends, however it ends: a build killed with ``kill -9`` leaves no lock
that blocks the next one. The file also holds the holder's pid and command, so a waiting build
can say whom it waits for, and a file left by a dead holder is reported as cleared.
"""

from __future__ import annotations

import fcntl
import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

LOCK_NAME = "build.lock"


def _holder(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8").strip()
    except OSError:
        return ""


def pid_alive(pid: int) -> bool:
    """Whether process ``pid`` runs (one of another user counts as running)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class BuildRunning(RuntimeError):
    """Another build holds the lock and the caller would not wait (``convlab clean``)."""


@contextmanager
def build_lock(cache_dir: Path, say: Callable[[str], None] | None = None, *,
               wait: bool = True) -> Iterator[None]:
    """Hold the checkout's build lock inside the ``with`` block, waiting for it if needed.

    With ``wait=False`` a held lock raises :class:`BuildRunning` at once instead."""
    say = say or (lambda text: print(text, file=sys.stderr))
    cache_dir.mkdir(parents=True, exist_ok=True)
    path = cache_dir / LOCK_NAME
    with open(path, "a+", encoding="utf-8") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if not wait:
                raise BuildRunning(
                    f"a build is running in this checkout ({_holder(path) or 'pid unknown'}, "
                    f"lock {path}): wait for it to finish, or stop it, then try again"
                ) from None
            say(f"another build holds {path} ({_holder(path) or 'unknown'}): waiting for it, "
                "then reusing what it executed")
            start = time.monotonic()
            fcntl.flock(handle, fcntl.LOCK_EX)
            say(f"the other build finished after {time.monotonic() - start:.0f} s")
        else:
            previous = _holder(path)
            pid = previous.split()[0] if previous else ""
            if pid.isdigit() and int(pid) != os.getpid() and not pid_alive(int(pid)):
                say(f"cleared a stale build lock left by process {pid}, which no longer runs")
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()} {' '.join(sys.argv[:3])}\n")
        handle.flush()
        try:
            yield
        finally:
            handle.seek(0)
            handle.truncate()
            fcntl.flock(handle, fcntl.LOCK_UN)
