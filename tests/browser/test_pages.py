"""The built site as a reader sees it, in headless Chromium (Debian's ``chromium`` package).

Run with ``./dev.sh test -m browser`` (``.ci/run`` does, after the quick build). The session
builds the site with ``convlab build`` (cheap when the execution cache is warm), serves
``site/`` on 127.0.0.1 and checks every lesson page: images, provenance box, typeset formulas,
no stray output, downloads, search, dark mode, a phone-sized window, no console error and no
request to any other host.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import nbformat
import pytest

from tests.browser.conftest import LESSONS, REPO, SLUGS, Reader, lesson_path

sync_api = pytest.importorskip("playwright.sync_api")

pytestmark = pytest.mark.browser


def test_home_navigation_reaches_every_lesson(reader: Reader, base_url: str) -> None:
    reader.open(base_url + "/")
    links = reader.page.eval_on_selector_all(".md-nav a.md-nav__link", "as => as.map(a => a.href)")
    for slug in SLUGS:
        url = f"{base_url}/{lesson_path(slug)}"
        assert url in links, f"the navigation has no link to {slug}"
        reader.open(url)
    reader.assert_clean()


# Text outside code, pre and MathML that still holds a "$": TeX nobody typeset.
RAW_TEX = """() => {
  const walker = document.createTreeWalker(document.querySelector("article"),
                                           NodeFilter.SHOW_TEXT);
  const raw = [];
  while (walker.nextNode()) {
    const node = walker.currentNode;
    if (node.parentElement.closest("pre, code, math, script")) continue;
    if (node.textContent.includes("$")) raw.push(node.textContent.trim().slice(0, 80));
  }
  return raw;
}"""

# Every visible figure (an <img>, or an inline SVG drawn by convlab.style): loaded, its size, the
# width it is meant to have (an <img>'s width attribute in CSS px, else its natural width; an
# SVG's width attribute is in points: 4/3 CSS pixel each). Images load lazily: each is scrolled
# to and decoded first.
FIGURES = """async () => {
  const figures = [...document.querySelectorAll("article img, article svg.convlab-figure")]
    .filter(el => el.checkVisibility());  // a figure drawn for the other theme is hidden
  const found = [];
  for (const el of figures) {
    const shown = el.getBoundingClientRect().width;
    if (el.tagName === "IMG") {
      el.scrollIntoView();
      await el.decode().catch(() => {});
      const meant = parseFloat(el.getAttribute("width")) || el.naturalWidth;
      found.push({name: el.alt, ok: el.complete && el.naturalWidth > 0, shown, meant,
                  label: el.alt});
      continue;
    }
    const width = el.getAttribute("width") || "";
    const meant = parseFloat(width) * (width.endsWith("pt") ? 4 / 3 : 1);
    found.push({name: el.getAttribute("aria-label"), ok: shown > 0, shown, meant,
                label: el.getAttribute("aria-label")});
  }
  window.scrollTo(0, 0);
  return found;
}"""

# Every <img> of the article: its size in attributes (nothing shifts as it loads), and lazy
# loading but for the page's first figure (its light and dark image both).
IMAGE_ATTRIBUTES = """() => {
  const images = [...document.querySelectorAll("article img")];
  const box = el => el.closest("figure, .convlab-output-html") || el;
  const first = images.length ? box(images[0]) : null;
  return images.map(el => ({src: el.src.slice(0, 80), width: el.getAttribute("width"),
    height: el.getAttribute("height"), loading: el.getAttribute("loading"),
    first: box(el) === first}));
}"""

# Each claim mark directly followed by punctuation: its paragraph narrowed step by step, the
# widths at which the punctuation would begin a line of its own (a stray "." under the mark).
MARK_SPLITS = """() => {
  const found = [];
  for (const mark of document.querySelectorAll("article a.convlab-claim")) {
    const after = mark.nextSibling;
    if (!after || after.nodeType !== Node.TEXT_NODE || !/^[.,;:)]/.test(after.textContent)) {
      continue;
    }
    const block = mark.closest("p, li");
    const range = document.createRange();
    range.setStart(after, 0);
    range.setEnd(after, 1);
    const split = [];
    for (let width = 120; width <= 720; width += 4) {
      block.style.width = width + "px";
      const rects = mark.getClientRects();
      const last = rects[rects.length - 1];
      const stop = range.getBoundingClientRect();
      if (stop.top >= last.bottom || stop.bottom <= last.top) split.push(width);
    }
    block.style.width = "";
    if (split.length) found.push({claim: mark.getAttribute("href"), widths: split.slice(0, 5)});
  }
  return found;
}"""

# A data: URI image longer than this in a lesson's HTML should have been a file beside the page.
DATA_URI_LIMIT = 4096


@pytest.mark.parametrize("slug", SLUGS)
def test_lesson_page(reader: Reader, base_url: str, slug: str) -> None:
    reader.open(f"{base_url}/{lesson_path(slug)}")
    page = reader.page
    assert page.locator(".convlab-provenance").count() == 1, "no provenance box"
    figures = page.evaluate(FIGURES)
    for figure in figures:
        assert figure["ok"], f"figure not shown: {figure}"
        assert figure["label"] and "No description" not in figure["label"], figure
        assert figure["shown"] >= figure["meant"] - 1, f"figure shrunk: {figure}"
    images = page.evaluate(IMAGE_ATTRIBUTES)
    for image in images:
        assert image["width"] and image["height"], f"an image without its size: {image}"
        assert image["first"] or image["loading"] == "lazy", f"an image loaded eagerly: {image}"
    source = page.request.get(f"{base_url}/{lesson_path(slug)}").text()
    inline = [m.group(0)[:60] for m in re.finditer(r"data:image/[^\"')\s]+", source)
              if len(m.group(0)) > DATA_URI_LIMIT]
    assert not inline, f"images inlined as data: URIs over {DATA_URI_LIMIT} bytes: {inline}"
    assert page.evaluate(RAW_TEX) == [], "formulas left as raw TeX"
    lesson = next(lesson for lesson in LESSONS if lesson.slug == slug)
    if "$" in "".join(c.source for c in lesson.read().cells if c.cell_type == "markdown"):
        maths = page.locator("article math")
        assert maths.count() > 0, "the lesson writes formulas; the page has no MathML"
        assert all(maths.nth(i).get_attribute("alttext") for i in range(maths.count()))
    prose = "".join(c.source for c in lesson.read().cells if c.cell_type == "markdown")
    marks = page.locator("article a.convlab-claim")
    assert marks.count() == prose.count("{{ claim "), "a cited claim without its mark"
    for i in range(marks.count()):
        target = marks.nth(i).get_attribute("href").removeprefix("#")
        assert page.locator(f"[id='{target}']").count() == 1, f"no entry for claim {target}"
    if marks.count():
        first = marks.first
        evidence = first.locator(".convlab-claim-evidence")
        assert not evidence.is_visible(), "the evidence shows before it is asked for"
        first.focus()
        said = ("holds in this run", "not shown by this short run")
        assert evidence.is_visible() and evidence.inner_text().startswith(said)
        assert any(words in first.get_attribute("aria-label") for words in said)
        first.blur()
        assert page.evaluate(MARK_SPLITS) == [], "a claim mark's punctuation starts a new line"
    text = page.inner_text("article")
    assert "Traceback" not in text
    stderr = page.locator(".convlab-stderr").all_inner_texts()
    assert not stderr, f"stderr output (warnings, logs) on the page: {stderr}"
    assert "In [" not in text, "notebook prompts"
    html = page.content()
    for folder in {f"{REPO}/", f"{REPO.parent}/", f"{Path.home()}/", "/tmp/"}:
        assert folder not in html, f"the build machine's path {folder} is on the page"
    reader.assert_clean()


def test_search_finds_a_lesson_by_a_word_of_its_text(reader: Reader, base_url: str) -> None:
    reader.open(base_url + "/")
    for lesson in LESSONS:
        word = _distinctive_word(lesson)
        reader.page.fill("input.md-search__input", "")
        reader.page.locator("input.md-search__input").press_sequentially(word)
        hit = reader.page.locator(f".md-search-result__item a[href*='{lesson_path(lesson.slug)}']")
        hit.first.wait_for(timeout=10_000)
    reader.assert_clean()


def _distinctive_word(lesson: object) -> str:
    """The longest word of the lesson's title and summary that no other lesson's has."""
    def words(one: object) -> set[str]:
        return set(re.findall(r"[a-z]{6,}", " ".join(one.title_and_summary()).lower()))

    others = set().union(*(words(o) for o in LESSONS if o is not lesson))
    return max(words(lesson) - others or words(lesson), key=len)


@pytest.mark.parametrize("slug", SLUGS)
def test_downloads_are_the_lesson_and_its_executed_notebook(reader: Reader, base_url: str,
                                                            slug: str) -> None:
    reader.open(f"{base_url}/{lesson_path(slug)}")
    lesson = next(lesson for lesson in LESSONS if lesson.slug == slug)
    title, _ = lesson.title_and_summary()
    links = reader.page.eval_on_selector_all(".convlab-provenance a[download]",
                                             "as => as.map(a => a.href)")
    python = next(link for link in links if link.endswith(".py"))
    notebook = next(link for link in links if link.endswith(".ipynb"))
    source = reader.page.request.get(python)
    assert source.ok and "# %%" in source.text() and title in source.text()
    response = reader.page.request.get(notebook)
    assert response.ok
    executed = nbformat.reads(response.text(), as_version=4)
    nbformat.validate(executed)
    code = [cell for cell in executed.cells if cell.cell_type == "code"]
    install, *ran, compare = code   # the last cell compares the reader's run with the page's
    assert "convlab-compare" in compare.metadata.tags and "compare_with_page(" in compare.source
    assert ran and all(cell.execution_count for cell in ran), "not executed"
    assert any(cell.outputs for cell in code)


def _white_share(png: bytes) -> float:
    """The share of near-white pixels in a figure's margin (its outer 3% on each side):
    a figure with a white background is a white box there, whatever it draws inside."""
    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("L")
    width, height = image.size
    dx, dy = max(1, width * 3 // 100), max(1, height * 3 // 100)
    strips = [(0, 0, width, dy), (0, height - dy, width, height),
              (0, 0, dx, height), (width - dx, 0, width, height)]
    pixels = [p for box in strips for p in image.crop(box).getdata()]
    return sum(p > 230 for p in pixels) / max(1, len(pixels))


@pytest.mark.parametrize("slug", SLUGS)
def test_dark_mode_has_no_white_figures(reader: Reader, base_url: str, slug: str) -> None:
    reader.open(f"{base_url}/{lesson_path(slug)}")
    page = reader.page
    page.click("label[title='Switch to dark mode']")
    assert page.get_attribute("body", "data-md-color-scheme") == "slate"
    figures = page.locator("article svg.convlab-figure, article figure img, "
                           "article .convlab-output-html img").locator("visible=true")
    for index in range(figures.count()):
        figure = figures.nth(index)
        figure.scroll_into_view_if_needed()
        figure.evaluate("el => el.decode ? el.decode().catch(() => {}) : null")  # lazy images
        share = _white_share(figure.screenshot())
        assert share < 0.5, f"figure {index + 1}: a white box in dark mode ({share:.0%} " \
                            "of its margin is white)"
    reader.assert_clean()


def test_a_phone_window_does_not_scroll_sideways(browser: object, base_url: str) -> None:
    reader = Reader(browser, width=400)
    for path in ["", *(lesson_path(slug) for slug in SLUGS)]:
        reader.open(f"{base_url}/{path}")
        wide = reader.page.evaluate("document.documentElement.scrollWidth")
        assert wide <= 400, f"/{path} is {wide} px wide in a 400 px window"
    reader.assert_clean()
    reader.page.close()


def test_convolution_explorer_matches_the_reference_conv2d(reader: Reader, base_url: str,
                                                           tmp_path: Path) -> None:
    """The widget's pixels equal what convlab.convolution.conv2d computed at build time."""
    import json

    reader.open(f"{base_url}/{lesson_path('convolution')}")
    root = reader.page.locator(".conv-explorer")
    assert root.count() == 1, "the convolution lesson shows the explorer"
    checks = json.loads(root.get_attribute("data-checks"))
    assert checks
    read = """() => { const r = document.querySelector('.conv-explorer').result;
                      return r && {h: r.height, w: r.width, v: Array.from(r.values)}; }"""
    for check in checks:
        for name in ("image", "kernel", "stride", "padding"):
            root.locator(f"select[name={name}]").select_option(str(check[name]))
        result = reader.page.evaluate(read)
        assert [result["h"], result["w"]] == check["shape"], check
        for row, col, value in check["samples"]:
            assert result["v"][row * result["w"] + col] == pytest.approx(value, abs=1e-6)
        caption = root.locator(".conv-explorer__shape").inner_text()
        assert f"{check['shape'][0]} × {check['shape'][1]} output" in caption
    # Nine numbers of one's own: the identity kernel with same padding returns the input.
    root.locator("select[name=kernel]").select_option("custom")
    root.locator("select[name=stride]").select_option("1")
    root.locator("select[name=padding]").select_option("same")
    first = checks[0]["image"]
    root.locator("select[name=image]").select_option(first)
    identity = reader.page.evaluate(read)
    image = json.loads(root.get_attribute("data-images"))[first]
    assert [identity["h"], identity["w"]] == [image["height"], image["width"]]
    root.screenshot(path=str(tmp_path / "explorer.png"))
    reader.assert_clean()
