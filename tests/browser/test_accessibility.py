"""Every page of the built site checked by axe-core, in the light theme and in the dark one.

axe-core (Deque's accessibility rules: contrast, names of controls and dialogs, keyboard access
to scrolling regions, links told apart by more than colour, table headers, ...) comes from the
npm registry, fetched once per machine with ``npm pack`` into the user's cache folder
(:func:`convlab.publish.assets.axe_core`), and is injected into each page; no CDN. A violation
of impact "serious" or "critical" fails the test, listed with its rule, impact, the elements
it concerns and what to fix.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from convlab.publish import assets
from tests.browser.conftest import PAGES, Reader

sync_api = pytest.importorskip("playwright.sync_api")

pytestmark = pytest.mark.browser

FAILING = ("serious", "critical")
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


def failing(reader: Reader, script: Path) -> list[dict]:
    reader.page.add_script_tag(path=str(script))
    violations = reader.page.evaluate(RUN_AXE)
    return [v for v in violations if v["impact"] in FAILING]


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("path", PAGES)
def test_no_serious_accessibility_violation(browser: object, base_url: str, axe_script: Path,
                                            path: str, scheme: str) -> None:
    reader = Reader(browser)
    try:
        reader.open(f"{base_url}/{path}")
        if scheme == "dark":
            # Material's palette toggle, and the system's preference (for what follows it)
            reader.page.click("label[title='Switch to dark mode']")
            reader.page.emulate_media(color_scheme="dark")
            assert reader.page.get_attribute("body", "data-md-color-scheme") == "slate"
        found = failing(reader, axe_script)
        assert not found, f"{path} ({scheme}): accessibility violations:\n{describe(found)}"
    finally:
        reader.page.close()
