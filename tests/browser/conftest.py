"""What every browser test shares: the built site served on localhost, one headless Chromium
(Debian's ``chromium`` package), and :class:`Reader`, a page that records console errors and
the hosts it asked.

``CONVLAB_TEST_SITE`` (test a site already built, as it is) and ``CONVLAB_CHROMIUM`` (another
browser binary) are the browser tests' only settings.
"""

from __future__ import annotations

import functools
import http.server
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest

from convlab.publish.project import Project

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CONVLAB_CHROMIUM", "/usr/bin/chromium")
LESSONS = list(Project(REPO).lessons())
SLUGS = [lesson.slug for lesson in LESSONS]
# Every page of the site by its path (the site is built without directory URLs, by Material's
# offline plugin, so that it opens from disk): home, each lesson, the other pages of docs/.
OTHER_PAGES = sorted(p.stem for p in (REPO / "docs").glob("*.md") if p.name != "index.md")
PAGES = ["index.html", *(f"lessons/{slug}.html" for slug in SLUGS),
         *(f"{name}.html" for name in OTHER_PAGES)]


def lesson_path(slug: str) -> str:
    """A lesson page's path in the site (``lessons/<slug>.html``)."""
    return f"lessons/{slug}.html"


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="session")
def site_dir() -> Path:
    """The quick site, built now (from the cache when it is warm); or the built site in
    ``$CONVLAB_TEST_SITE``, as it is."""
    site = os.environ.get("CONVLAB_TEST_SITE")
    if not site:
        env = {**os.environ, "CONVLAB_OFFLINE": os.environ.get("CONVLAB_OFFLINE", "1")}
        done = subprocess.run([sys.executable, "-m", "convlab", "build", "--profile", "quick"],
                              cwd=REPO, env=env, capture_output=True, text=True)
        assert done.returncode == 0, f"convlab build failed:\n{done.stdout}{done.stderr}"
        site = str(REPO / "site")
    return Path(site).resolve()


@pytest.fixture(scope="session")
def base_url(site_dir: Path) -> Iterator[str]:
    """The built site (:func:`site_dir`) served on localhost."""
    handler = functools.partial(_Quiet, directory=str(site_dir))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"no Chromium at {CHROMIUM}: apt-get install chromium (or set "
                    "CONVLAB_CHROMIUM)")
    from playwright import sync_api

    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM)
        yield chromium
        chromium.close()


class Reader:
    """A browser page that records console errors and every host it asked."""

    def __init__(self, browser: object, width: int = 1280, scheme: str = "light") -> None:
        self.page = browser.new_page(viewport={"width": width, "height": 900},
                                     color_scheme=scheme)
        self.errors: list[str] = []
        self.hosts: set[str] = set()
        self.requests: list[str] = []
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("request", self._request)

    def _request(self, request: object) -> None:
        self.requests.append(request.url)
        self.hosts.add(urlparse(request.url).hostname or request.url)

    def open(self, url: str) -> object:
        response = self.page.goto(url)
        assert response is not None and response.ok, f"{url}: {response and response.status}"
        return response

    def assert_clean(self) -> None:
        assert not self.errors, f"console errors: {self.errors}"
        assert self.hosts <= {"127.0.0.1"}, f"requests to other hosts: {self.hosts}"
        maths = [url for url in self.requests if "mathjax" in url.lower()]
        assert not maths, f"formulas are MathML in the page, yet it asked for {maths}"


@pytest.fixture
def reader(browser: object) -> Iterator[Reader]:
    reader = Reader(browser)
    yield reader
    reader.page.close()
