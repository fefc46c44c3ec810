"""What each page costs a reader on a phone: every file it loads, weighed.

Each page is opened in a fresh browser (nothing cached), scrolled to the bottom so that lazy
images load, and left until the network is idle. Every response body is then weighed twice:
raw, and compressed with gzip at level 6 (what a web server sends).

* A lesson page may load at most :data:`PAGE_LIMIT` bytes, **compressed** (the transfer size).
* A single file a lesson page loads may be at most :data:`FILE_LIMIT` bytes, **raw**
  (uncompressed): what the browser parses and keeps, whatever the server does.

Both limits hold for the lessons (the issue's "on any lesson"); the other pages (home, the API
reference, the results) are weighed and shown in the table too.

A table of every page's compressed weight is printed (CI logs show it).
"""

from __future__ import annotations

import gzip
from urllib.parse import urlparse

import pytest

from tests.browser.conftest import PAGES

sync_api = pytest.importorskip("playwright.sync_api")

pytestmark = pytest.mark.browser

PAGE_LIMIT = 500_000  # bytes, gzip-compressed, all files of one lesson page together
FILE_LIMIT = 200_000  # bytes, raw, any one file
SCROLL_TO_BOTTOM = """async () => {
  for (let y = 0; y < document.documentElement.scrollHeight; y += window.innerHeight / 2) {
    window.scrollTo(0, y);
    await new Promise(done => requestAnimationFrame(() => setTimeout(done, 20)));
  }
  window.scrollTo(0, document.documentElement.scrollHeight);
}"""


def weigh(browser: object, url: str) -> dict[str, tuple[int, int]]:
    """Each file the page at ``url`` loaded: (raw size, gzip-6 size), by its path."""
    context = browser.new_context(viewport={"width": 400, "height": 800})
    page = context.new_page()
    responses: list[object] = []
    context.on("response", lambda response: responses.append(response))
    try:
        page.goto(url, wait_until="networkidle")
        page.evaluate(SCROLL_TO_BOTTOM)
        page.wait_for_load_state("networkidle")
        page.wait_for_timeout(300)
        page.wait_for_load_state("networkidle")
        files = {}
        for response in responses:
            if response.status >= 300 or response.url.startswith("data:"):
                continue
            body = response.body()
            files[urlparse(response.url).path] = (len(body), len(gzip.compress(body, 6)))
        return files
    finally:
        context.close()


def test_pages_are_light(browser: object, base_url: str, capsys: pytest.CaptureFixture) -> None:
    rows, problems = [], []
    for path in PAGES:
        files = weigh(browser, f"{base_url}/{path}")
        raw = sum(r for r, _ in files.values())
        packed = sum(c for _, c in files.values())
        largest = max(files.items(), key=lambda item: item[1][0])
        rows.append(f"{path:40} {len(files):5} {raw / 1000:9.0f} {packed / 1000:9.0f}   "
                    f"{largest[0]} ({largest[1][0] / 1000:.0f} KB raw)")
        if path.startswith("lessons/") and packed > PAGE_LIMIT:
            problems.append(f"{path}: {packed / 1000:.0f} KB compressed > "
                            f"{PAGE_LIMIT / 1000:.0f} KB")
        for name, (size, _) in files.items():
            if path.startswith("lessons/") and size > FILE_LIMIT:
                problems.append(f"{path}: {name} is {size / 1000:.0f} KB raw > "
                                f"{FILE_LIMIT / 1000:.0f} KB")
    table = "\n".join([f"{'page':40} {'files':>5} {'raw KB':>9} {'gzip KB':>9}   largest file",
                       *rows])
    with capsys.disabled():
        print(f"\npage weights (gzip level 6 of every file a fresh browser loaded):\n{table}")
    problems = list(dict.fromkeys(problems))
    assert not problems, "pages too heavy for a phone:\n" + "\n".join(problems)
