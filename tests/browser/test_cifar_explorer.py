"""Lesson 10's CIFAR-10 explorer in the browser: its JavaScript network answers as Keras did.

The tolerances are :mod:`convlab.cifar_explorer`'s (its docstring derives them):
:data:`~convlab.cifar_explorer.TOLERANCE` (0.05 in probability: the int8 rounding moves each
logit by at most about 0.2, the softmax moves no probability by more than half of that, and
over all 10,000 test images no probability moved more than 0.031), and
:data:`~convlab.cifar_explorer.SALIENCY_CORRELATION` (0.9: the page's saliency map and Keras's,
each divided by its largest value, correlate at least that much over the 1,024 pixels). The
samples have a margin of more than twice the tolerance between their two largest
probabilities, so agreement within it implies the same answer, which is checked too.
"""

from __future__ import annotations

import base64
import io
import json
import os
from pathlib import Path

import numpy as np
import pytest

from convlab.cifar_explorer import SALIENCY_CORRELATION, TOLERANCE, correlation
from tests.browser.conftest import Reader, lesson_path

pytestmark = pytest.mark.browser

PAGE = "/" + lesson_path("network_sees")
WIDGET = ".cifar-explorer"
PREDICT = """(values) => Array.from(document.querySelector('.cifar-explorer')
                                   .predict(values).probabilities)"""
SALIENCY = "(values) => document.querySelector('.cifar-explorer').saliency(values)"
RESULT = "() => document.querySelector('.cifar-explorer').result"


def _open(reader: Reader, base_url: str) -> object:
    reader.open(f"{base_url}{PAGE}")
    root = reader.page.locator(WIDGET)
    assert root.count() == 1, "lesson 10 shows the CIFAR-10 explorer"
    reader.page.wait_for_function(f"() => document.querySelector('{WIDGET}').result")
    return root


def _samples(root: object) -> list[dict]:
    samples = json.loads(root.get_attribute("data-samples"))
    scaling = json.loads(root.get_attribute("data-input"))
    for s in samples:
        s["values"] = [v / scaling["divisor"] + scaling["offset"]
                       for v in base64.b64decode(s["pixels"])]
    return samples


def _argmax(values: list[float]) -> int:
    return max(range(len(values)), key=values.__getitem__)


def test_the_pages_network_gives_keras_probabilities_and_saliency(reader: Reader,
                                                                  base_url: str) -> None:
    root = _open(reader, base_url)
    samples = _samples(root)
    assert len(samples) >= 20
    worst = 0.0
    for s in samples:
        page = reader.page.evaluate(PREDICT, s["values"])
        worst = max(worst, max(abs(p - k) for p, k in zip(page, s["keras"], strict=True)))
        assert _argmax(page) == _argmax(s["keras"]), s["index"]
        assert sum(page) == pytest.approx(1, abs=1e-9)
    assert worst <= TOLERANCE, f"max |p_js - p_keras| = {worst:.4f} over {TOLERANCE}"
    marked = [s for s in samples if "saliency" in s]
    assert len(marked) >= 3, "a few samples carry Keras's saliency map"
    for s in marked:
        page = np.asarray(reader.page.evaluate(SALIENCY, s["values"]))
        keras_map = np.frombuffer(base64.b64decode(s["saliency"]), np.uint8)
        agreement = correlation(page, keras_map)
        assert agreement >= SALIENCY_CORRELATION, (
            f"test image {s['index']}: saliency correlation {agreement:.3f} under "
            f"{SALIENCY_CORRELATION}")
    reader.assert_clean()


def test_the_keyboard_picks_a_test_image(reader: Reader, base_url: str) -> None:
    root = _open(reader, base_url)
    samples = _samples(root)
    buttons = root.locator("button[data-sample]")
    assert buttons.count() == len(samples)
    for k in range(buttons.count()):   # every button in the tab order, with a name
        assert buttons.nth(k).get_attribute("tabindex") in (None, "0")
        assert buttons.nth(k).inner_text().strip()
    pressed = root.locator("button[aria-pressed='true']")
    assert pressed.count() == 1, "the image shown is marked"
    first = pressed.get_attribute("data-sample")
    pressed.focus()
    keyboard = reader.page.keyboard
    keyboard.press("ArrowRight")
    keyboard.press("ArrowRight")
    focused = reader.page.evaluate("() => document.activeElement.dataset.sample")
    assert focused is not None and focused != first, "the arrow keys move between images"
    keyboard.press("Enter")
    sample = samples[int(focused)]
    result = reader.page.evaluate(RESULT)
    assert result["input"] == pytest.approx(sample["values"])
    assert result["probabilities"] == pytest.approx(sample["keras"], abs=TOLERANCE)
    assert root.locator(f"button[data-sample='{focused}']").get_attribute("aria-pressed") == "true"
    assert root.locator("button[aria-pressed='true']").count() == 1
    classes = json.loads(root.get_attribute("data-classes"))
    live = root.locator("[aria-live]").inner_text()
    assert f"says {classes[_argmax(sample['keras'])]}" in live
    keyboard.press("End")
    keyboard.press("Space")
    assert reader.page.evaluate(RESULT)["input"] == pytest.approx(samples[int(
        buttons.last.get_attribute("data-sample"))]["values"])
    reader.assert_clean()


DROP = """([text, selector]) => {
  const raw = atob(text), data = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) data[i] = raw.charCodeAt(i);
  const transfer = new DataTransfer();
  transfer.items.add(new File([data], "dropped.png", {type: "image/png"}));
  const zone = document.querySelector(selector);
  for (const name of ["dragenter", "dragover", "drop"]) {
    zone.dispatchEvent(new DragEvent(name, {dataTransfer: transfer, bubbles: true,
                                            cancelable: true}));
  }
}"""


def _png(disc: tuple[int, int, int], ground: tuple[int, int, int]) -> bytes:
    """A 60 x 40 PNG (not square: the explorer crops its centre): a disc on a plain ground."""
    from PIL import Image

    y, x = np.mgrid[:40, :60]
    pixels = np.zeros((40, 60, 3), np.uint8) + np.uint8(ground)
    pixels[(y - 20) ** 2 + (x - 30) ** 2 < 12 ** 2] = disc
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="PNG")
    return buffer.getvalue()


def _seen(root: object, result: dict) -> np.ndarray:
    """The 32 x 32 x 3 pixels the network read."""
    scaling = json.loads(root.get_attribute("data-input"))
    values = np.asarray(result["input"])
    return np.round((values - scaling["offset"]) * scaling["divisor"]).reshape(32, 32, 3)


def test_ones_own_photo_is_read(reader: Reader, base_url: str, tmp_path: Path) -> None:
    root = _open(reader, base_url)
    before = reader.page.evaluate(RESULT)
    chooser = root.locator("input[type='file']")
    assert chooser.get_attribute("accept") == "image/*"
    label = root.locator(f"label[for='{chooser.get_attribute('id')}']")
    assert label.count() == 1 and label.inner_text().strip(), "the file input is labelled"
    photo = tmp_path / "photo.png"
    photo.write_bytes(_png(disc=(220, 40, 30), ground=(0, 0, 200)))
    chooser.set_input_files(str(photo))
    changed = f"(old) => document.querySelector('{WIDGET}').result.input[0] !== old"
    reader.page.wait_for_function(changed, arg=before["input"][0])
    result = reader.page.evaluate(RESULT)
    assert sum(result["probabilities"]) == pytest.approx(1, abs=1e-9)
    assert len(result["input"]) == 32 * 32 * 3
    image = _seen(root, result)
    assert image[16, 16, 0] > 150 > image[16, 16, 2], "the red disc is in the middle"
    assert image[1, 1, 2] > 150 > image[1, 1, 0], "blue around it"
    assert [m["channels"] for m in result["maps"]] == [16, 16, 32, 32, 64]
    assert [m["side"] for m in result["maps"]] == [32, 32, 16, 16, 8]
    assert root.locator(".cifar-explorer__maps canvas").count() == 16 + 16 + 32 + 32 + 64
    assert root.locator("button[aria-pressed='true']").count() == 0
    assert "your photo" in root.locator("[aria-live]").inner_text().lower()
    assert len(result["saliency"]) == 32 * 32 and max(result["saliency"]) > 0
    # A photo dropped on the zone (the file input's label) is read the same way.
    green = base64.b64encode(_png(disc=(30, 200, 40), ground=(250, 250, 250))).decode()
    reader.page.evaluate(DROP, [green, f"label[for='{chooser.get_attribute('id')}']"])
    reader.page.wait_for_function(changed, arg=result["input"][0])
    dropped = reader.page.evaluate(RESULT)
    image = _seen(root, dropped)
    assert image[16, 16, 1] > 150 > image[16, 16, 0], "the green disc is in the middle"
    assert sum(dropped["probabilities"]) == pytest.approx(1, abs=1e-9)
    reader.assert_clean()


@pytest.mark.parametrize("scheme,width", [("light", 1280), ("dark", 1280), ("light", 412)])
def test_screenshots_and_no_sideways_scroll(browser: object, base_url: str, tmp_path: Path,
                                            scheme: str, width: int) -> None:
    reader = Reader(browser, width=width, scheme=scheme)
    try:
        root = _open(reader, base_url)
        if scheme == "dark":   # Material's dark scheme
            reader.page.evaluate(
                "() => document.body.setAttribute('data-md-color-scheme', 'slate')")
        root.locator("button[data-sample]").last.click()
        root.scroll_into_view_if_needed()
        box = root.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width
        wide = reader.page.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert wide <= 0, f"the page scrolls sideways by {wide} px at {width} px"
        folder = Path(os.environ.get("CONVLAB_SHOTS", tmp_path))
        root.screenshot(path=str(folder / f"cifar-explorer-{scheme}-{width}.png"))
        reader.assert_clean()
    finally:
        reader.page.close()
