"""Lesson 09's digit explorer in the browser: its JavaScript network answers as Keras did.

The tolerance is :data:`convlab.digit_explorer.TOLERANCE` (0.02 in probability): the int8
rounding moves each logit by a few hundredths at most and the softmax moves no probability by
more than half of that (the module's docstring derives it). The samples have a margin of more
than twice the tolerance between their two largest probabilities, so agreement within it
implies the same answer, which is checked too.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from convlab.digit_explorer import TOLERANCE
from tests.browser.conftest import Reader, lesson_path

pytestmark = pytest.mark.browser

PAGE = "/" + lesson_path("mnist_inside")
WIDGET = ".digit-explorer"
PREDICT = """(values) => Array.from(document.querySelector('.digit-explorer')
                                   .predict(values).probabilities)"""
RESULT = "() => document.querySelector('.digit-explorer').result"


def _open(reader: Reader, base_url: str) -> object:
    reader.open(f"{base_url}{PAGE}")
    root = reader.page.locator(WIDGET)
    assert root.count() == 1, "lesson 09 shows the digit explorer"
    reader.page.wait_for_function(f"() => document.querySelector('{WIDGET}').result")
    return root


def _samples(root: object) -> tuple[list[dict], int]:
    import base64

    samples = json.loads(root.get_attribute("data-samples"))
    divisor = json.loads(root.get_attribute("data-input"))["divisor"]
    for s in samples:
        s["values"] = [v / divisor for v in base64.b64decode(s["pixels"])]
    return samples, divisor


def _argmax(values: list[float]) -> int:
    return max(range(len(values)), key=values.__getitem__)


def test_the_pages_network_gives_keras_probabilities(reader: Reader, base_url: str) -> None:
    root = _open(reader, base_url)
    samples, _ = _samples(root)
    assert len(samples) >= 20
    worst = 0.0
    for s in samples:
        page = reader.page.evaluate(PREDICT, s["values"])
        worst = max(worst, max(abs(p - k) for p, k in zip(page, s["keras"], strict=True)))
        assert _argmax(page) == _argmax(s["keras"]), s["index"]
    assert worst <= TOLERANCE, f"max |p_js - p_keras| = {worst:.4f} over {TOLERANCE}"
    # A button loads its test digit: the bars then show that digit's probabilities.
    button = root.locator("button[data-sample]").last
    sample = samples[int(button.get_attribute("data-sample"))]
    button.click()
    result = reader.page.evaluate(RESULT)
    assert result["input"] == pytest.approx(sample["values"])
    assert result["probabilities"] == pytest.approx(sample["keras"], abs=TOLERANCE)
    live = root.locator("[aria-live]").inner_text()
    assert f"reads a {_argmax(sample['keras'])}" in live
    reader.assert_clean()


def test_drawing_a_stroke_changes_the_bars_and_undo_restores(reader: Reader, base_url: str,
                                                            tmp_path: Path) -> None:
    root = _open(reader, base_url)
    root.get_by_role("button", name="Clear").click()
    empty = reader.page.evaluate(RESULT)
    assert not any(empty["input"])
    surface = root.locator("canvas.digit-explorer__surface")
    box = surface.bounding_box()
    mouse = reader.page.mouse
    # A "7": a bar across the top, then a stroke down to the left.
    mouse.move(box["x"] + 0.3 * box["width"], box["y"] + 0.25 * box["height"])
    mouse.down()
    for x, y in [(0.5, 0.25), (0.7, 0.25), (0.6, 0.5), (0.5, 0.75)]:
        mouse.move(box["x"] + x * box["width"], box["y"] + y * box["height"], steps=6)
    mouse.up()
    drawn = reader.page.evaluate(RESULT)
    assert drawn["probabilities"] != pytest.approx(empty["probabilities"], abs=1e-3)
    assert "reads a" in root.locator("[aria-live]").inner_text()
    # MNIST's preparation: the ink fits a 20 x 20 box and its centre of mass is the centre.
    values = drawn["input"]
    rows = [r for r in range(28) if any(values[r * 28:(r + 1) * 28])]
    cols = [c for c in range(28) if any(values[c::28])]
    assert max(rows[-1] - rows[0], cols[-1] - cols[0]) + 1 == 20
    mass = sum(values)
    centre_y = sum(v * (k // 28 + 0.5) for k, v in enumerate(values)) / mass
    centre_x = sum(v * (k % 28 + 0.5) for k, v in enumerate(values)) / mass
    assert abs(centre_y - 14) <= 0.5 and abs(centre_x - 14) <= 0.5
    assert max(values) <= 1.0   # scaled as the lesson scales: pixels / 255
    root.get_by_role("button", name="Undo").click()
    assert not any(reader.page.evaluate(RESULT)["input"])
    root.screenshot(path=str(tmp_path / "digit-explorer.png"))
    reader.assert_clean()


def test_the_keyboard_can_draw_and_reach_every_button(reader: Reader, base_url: str) -> None:
    root = _open(reader, base_url)
    root.get_by_role("button", name="Clear").click()
    surface = root.locator("canvas.digit-explorer__surface")
    assert surface.get_attribute("aria-label") and surface.get_attribute("aria-describedby")
    surface.focus()
    keyboard = reader.page.keyboard
    keyboard.press("Space")
    for _ in range(6):
        keyboard.press("Shift+ArrowDown")
    keyboard.press("ArrowRight")
    keyboard.press("Enter")
    result = reader.page.evaluate(RESULT)
    assert any(result["input"]), "space, Enter and Shift + arrows paint"
    assert "reads a" in root.locator("[aria-live]").inner_text()
    # Every button can be reached with Tab (none is taken out of the tab order).
    buttons = root.locator("button")
    assert buttons.count() >= 2 + 10
    for k in range(buttons.count()):
        assert buttons.nth(k).get_attribute("tabindex") in (None, "0")
        assert buttons.nth(k).inner_text() and (buttons.nth(k).get_attribute("aria-label")
                                                or buttons.nth(k).inner_text())
    root.get_by_role("button", name="Undo").focus()
    keyboard.press("Enter")
    assert reader.page.evaluate(RESULT)["input"] != result["input"]
    reader.assert_clean()


@pytest.mark.parametrize("scheme,width", [("light", 1280), ("dark", 1280), ("light", 400)])
def test_screenshots_with_a_drawn_digit(browser: object, base_url: str, tmp_path: Path,
                                        scheme: str, width: int) -> None:
    reader = Reader(browser, width=width, scheme=scheme)
    try:
        root = _open(reader, base_url)
        if scheme == "dark":   # Material's dark scheme
            reader.page.evaluate(
                "() => document.body.setAttribute('data-md-color-scheme', 'slate')")
        surface = root.locator("canvas.digit-explorer__surface")
        surface.scroll_into_view_if_needed()
        box = surface.bounding_box()
        mouse = reader.page.mouse
        mouse.move(box["x"] + 0.45 * box["width"], box["y"] + 0.2 * box["height"])
        mouse.down()
        mouse.move(box["x"] + 0.5 * box["width"], box["y"] + 0.8 * box["height"], steps=8)
        mouse.up()
        assert reader.page.evaluate(RESULT)["predicted"] in range(10)
        assert root.bounding_box()["width"] <= width
        folder = Path(__import__("os").environ.get("CONVLAB_SHOTS", tmp_path))
        root.screenshot(path=str(folder / f"digit-explorer-{scheme}-{width}.png"))
        reader.assert_clean()
    finally:
        reader.page.close()
