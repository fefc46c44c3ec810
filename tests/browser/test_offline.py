"""The built site opened from disk (``file://``), as on a machine with no network and no
server: the home page and a lesson show, the footer leads to the next lesson, search finds
a lesson, and nothing is asked of any host (Material's offline plugin, with the site's own
iframe-worker: see mkdocs.yml)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlparse

import pytest

from tests.browser.conftest import LESSONS, SLUGS, lesson_path

sync_api = pytest.importorskip("playwright.sync_api")

pytestmark = pytest.mark.browser

LOCAL = {"file", "data", "blob", "about"}


def test_the_site_works_opened_from_disk(browser: object, site_dir: Path) -> None:
    context = browser.new_context()
    page = context.new_page()
    asked: set[str] = set()
    errors: list[str] = []
    context.on("request", lambda r: asked.add(r.url))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    try:
        page.goto((site_dir / "index.html").as_uri())
        assert page.locator(f"article a[href='{lesson_path(SLUGS[0])}']").count() >= 1
        page.goto((site_dir / lesson_path(SLUGS[0])).as_uri())
        assert page.locator("article h1").count() >= 1
        page.click("a.md-footer__link--next")
        page.wait_for_load_state()
        assert page.url == (site_dir / lesson_path(SLUGS[1])).as_uri()
        assert page.locator(".convlab-provenance").count() == 1
        # search, from the index inlined into a script (no fetch, no Web Worker from disk)
        title, _ = LESSONS[-1].title_and_summary()
        word = max(title.split(), key=len).strip(".,:;")
        page.locator("input.md-search__input").click()
        page.locator("input.md-search__input").press_sequentially(word)
        hit = page.locator(f".md-search-result__item a[href*='{LESSONS[-1].slug}.html']")
        hit.first.wait_for(timeout=15_000)
    finally:
        context.close()
    outside = sorted(url for url in asked if urlparse(url).scheme not in LOCAL)
    assert not outside, f"requests that need a network: {outside}"
    assert not errors, f"console errors from disk: {errors}"
