"""convlab serve: the author's live preview re-renders an edited lesson."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.request

from convlab.publish import results
from convlab.publish.profile import load_profile
from convlab.publish.serve import refresh, url


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode()
    except OSError:
        return ""


def _wait_for(url: str, text: str, seconds: float) -> float:
    start = time.monotonic()
    while time.monotonic() - start < seconds:
        if text in _get(url):
            return time.monotonic() - start
        time.sleep(0.2)
    raise AssertionError(f"{text!r} did not appear at {url} within {seconds} s")


def test_serve_rerenders_prose_and_code_edits(tiny_project):
    port = _free_port()
    command = [sys.executable, "-m", "convlab", "serve", "--profile", "tiny.toml",
               "--port", str(port)]
    server = subprocess.Popen(command, cwd=tiny_project.root, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, text=True)
    base = url(tiny_project, port)
    page = f"{base}lessons/alpha.html"
    try:
        _wait_for(page, "The first tiny lesson.", 120)
        alpha = tiny_project.lesson("01")
        alpha.path.write_text(alpha.path.read_text().replace("The first tiny", "An edited"))
        _wait_for(page, "An edited lesson.", 30)
        beta = tiny_project.lesson("02")
        beta.path.write_text(beta.path.read_text().replace("range(5)", "range(8)"))
        _wait_for(f"{base}lessons/beta.html", "total 28", 60)
    finally:
        server.terminate()
        _, err = server.communicate(timeout=30)
    assert "running  02_beta (its code changed)" in err
    assert err.count("running  01_alpha") == 1, "a prose edit executes nothing"


def test_refresh_writes_pages_and_results_and_a_failing_lesson_keeps_them(tiny_project, capsys):
    profile = load_profile(tiny_project.root / "tiny.toml")
    docs = tiny_project.docs_dir
    assert refresh(tiny_project, profile) == []
    data = json.loads((docs / results.JSON_NAME).read_text())
    assert [lesson["slug"] for lesson in data["lessons"]] == ["alpha", "beta"]
    page = (docs / results.PAGE_NAME).read_text()
    assert "share of zeros" in page and results.CHART_NAME not in page, "no chart was drawn"

    beta = tiny_project.lesson("02")
    beta.path.write_text(beta.path.read_text().replace("total = sum(range(5))", "total = 1 / 0"))
    assert refresh(tiny_project, profile) == ["02_beta"]
    assert "ZeroDivisionError" in capsys.readouterr().err
    assert (docs / "lessons" / "beta.ipynb").is_file(), "the failing lesson keeps its page"
    assert (docs / results.PAGE_NAME).read_text() == page, "and the results their last build's"
