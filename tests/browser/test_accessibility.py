"""Every page of the built site checked by axe-core, in the light theme and in the dark one, at a
phone's width (412 px) and a desktop's (1,280 px); and a code block scrolled from the keyboard.

axe-core (Deque's accessibility rules: contrast, names of controls and dialogs, keyboard access
to scrolling regions, links told apart by more than colour, table headers, ...) comes from the
npm registry, fetched once per machine with ``npm pack`` into the user's cache folder
(:func:`convlab.publish.assets.axe_core`), and is injected into each page; no CDN. A violation
of impact "serious" or "critical" fails the test, and so does a landmark that is not told apart
from another (*landmark-unique*: Material's copy buttons once each sat in a nameless ``<nav>``),
listed with its rule, impact, the elements it concerns and what to fix. Each page is loaded
at each width in each theme.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from convlab.publish import assets
from tests.browser.conftest import PAGES, SLUGS, Reader, lesson_path

sync_api = pytest.importorskip("playwright.sync_api")

pytestmark = pytest.mark.browser

FAILING = ("serious", "critical")
ALSO_FAILING = ("landmark-unique",)  # moderate, but every reader of landmarks meets it
WIDTHS = (412, 1280)  # a phone (Chromium's Pixel-sized window), a desktop
RUN_AXE = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => ({target: n.target.join(" "),
                              summary: (n.failureSummary || "").split("\\n").slice(1, 2)
                                                               .join(" ").trim()}))}));
}"""


@pytest.fixture(scope="session")
def axe_script() -> Path:
    try:
        return assets.axe_core()
    except assets.AssetError as err:
        pytest.fail(str(err))


def describe(violations: list[dict]) -> str:
    """One line per violation (rule, impact, what to fix), then up to 5 of its elements."""
    lines = []
    for violation in violations:
        nodes = violation["nodes"]
        lines.append(f"{violation['id']} ({violation['impact']}, {len(nodes)} element(s)): "
                     f"{violation['help']}")
        lines.extend(f"    {n['target']}  {n['summary'][:160]}" for n in nodes[:5])
    return "\n".join(lines)


def failing(reader: Reader) -> list[dict]:
    """The violations that fail a page (axe-core already injected into it)."""
    violations = reader.page.evaluate(RUN_AXE)
    return [v for v in violations if v["impact"] in FAILING or v["id"] in ALSO_FAILING]


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("path", PAGES)
def test_no_serious_accessibility_violation(browser: object, base_url: str, axe_script: Path,
                                            path: str, scheme: str) -> None:
    problems = []
    for width in WIDTHS:  # a page loaded at each width, as a phone or a desktop opens it
        reader = Reader(browser, width=width)
        try:
            reader.open(f"{base_url}/{path}")
            if scheme == "dark":
                # Material's palette toggle, and the system's preference (for what follows it)
                reader.page.click("label[title='Switch to dark mode']")
                reader.page.emulate_media(color_scheme="dark")
                assert reader.page.get_attribute("body", "data-md-color-scheme") == "slate"
            reader.page.add_script_tag(path=str(axe_script))
            found = failing(reader)
            if found:
                problems.append(f"at {width} px:\n{describe(found)}")
        finally:
            reader.page.close()
    assert not problems, f"{path} ({scheme}): accessibility violations " + "\n".join(problems)


SCROLLABLE_CODE = """() => {
  const blocks = [...document.querySelectorAll(".md-typeset pre > code")]
    .filter(code => code.scrollWidth > code.clientWidth + 20);
  return blocks.length ? blocks[0].textContent.slice(0, 40) : null;
}"""


FOCUSED_SCROLLER = """() => {
  const el = document.activeElement;
  return el.matches("pre > code[tabindex='0']") && el.scrollWidth > el.clientWidth + 20;
}"""


def test_code_scrolls_from_the_keyboard(browser: object, base_url: str) -> None:
    """At a phone's width, Tab reaches a code block that is wider than the screen, and the
    arrow key scrolls it sideways. Scripts are off: the block must be focusable as built
    (Material's script gives wide blocks a ``tabindex`` too, and recent Chromium focuses
    scrolling boxes by itself; neither is there in every browser)."""
    page = browser.new_page(viewport={"width": 412, "height": 900}, java_script_enabled=False)
    try:
        page.goto(f"{base_url}/{lesson_path(SLUGS[-1])}")
        assert page.evaluate(SCROLLABLE_CODE), "no code block wider than 412 px"
        for _ in range(400):  # tab through the page to the first code block that scrolls
            page.keyboard.press("Tab")
            if page.evaluate(FOCUSED_SCROLLER):
                break
        else:
            raise AssertionError("Tab never reached a code block that scrolls sideways")
        before = page.evaluate("() => document.activeElement.scrollLeft")
        for _ in range(5):
            page.keyboard.press("ArrowRight")
        page.wait_for_timeout(300)  # smooth scrolling
        after = page.evaluate("() => document.activeElement.scrollLeft")
        assert after > before, f"ArrowRight left the focused code block at scrollLeft {after}"
    finally:
        page.close()
