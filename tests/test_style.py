"""convlab.style: figures fit the column, follow the page's theme and say what they show."""

from __future__ import annotations

import json
import re
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from convlab import style  # noqa: E402

REPO = Path(__file__).resolve().parents[1]


def test_page_svg_fits_the_column_themes_and_titles_the_figure():
    with style.page_style():
        fig, axes = plt.subplots(1, 3, figsize=(13, 3))
        axes[0].set_title("x / 255")
        axes[1].set_title("x & y")
        axes[2].plot([0, 1], label="line")
        axes[2].legend()
        svg = style.page_svg(fig)
    plt.close(fig)
    assert svg.startswith('<svg class="convlab-figure" role="img" aria-label="2 panels: x / 255;')
    assert "<title>2 panels: x / 255; x &amp; y</title>" in svg
    assert style.INK not in svg.lower() and "currentColor" in svg
    assert "var(--md-default-bg-color" in svg, "legend box in the page's background colour"
    width = float(svg.split('width="', 1)[1].split("pt", 1)[0])
    assert width <= style.COLUMN_INCHES * 72, "narrowed to the column"
    assert "<?xml" not in svg and "<dc:date>" not in svg


def test_description_prefers_label_then_suptitle_then_titles_then_axes():
    fig, ax = plt.subplots()
    ax.set_xlabel("epoch")
    ax.set_ylabel("loss")
    assert style.description(fig) == "loss against epoch"
    ax.set_title("training")
    assert style.description(fig) == "training"
    fig.suptitle("curves")
    assert style.description(fig) == "curves"
    style.describe(fig, "loss falls each epoch")
    assert style.description(fig) == "loss falls each epoch"
    plt.close(fig)


def test_a_drawing_made_elsewhere_takes_the_page_colours_and_fits_the_column():
    graphviz = ('<?xml version="1.0"?>\n<svg width="2000pt" height="100pt" viewBox="0.00 0.00 '
                '1000.00 50.00" xmlns="http://www.w3.org/2000/svg"><g><polygon fill="white" '
                'stroke="black" points="0,0"/><text x="1">conv2d</text></g></svg>')
    svg = style.themed_drawing(graphviz.encode(), "a model & its shapes")
    assert svg.startswith('<svg class="convlab-figure" role="img" '
                          'aria-label="a model &amp; its shapes"')
    width = float(svg.split('width="', 1)[1].split("pt", 1)[0])
    assert width <= style.COLUMN_INCHES * 72, "no wider than the column"
    assert 'stroke="currentColor"' in svg and 'fill="var(--md-default-bg-color' in svg
    assert '<text fill="currentColor"' in svg
    assert "black" not in svg and "white" not in svg


def test_a_figure_with_a_photo_displays_as_png_with_its_alt_text():
    import io

    import numpy as np
    from IPython.core.formatters import DisplayFormatter
    from PIL import Image

    formatter = DisplayFormatter()
    style.register(formatter)
    with style.page_style():
        fig, ax = plt.subplots(figsize=(4, 2))
        ax.imshow(np.eye(4), cmap="gray")
        style.describe(fig, "an identity matrix")
        data, metadata = formatter.format(fig)
    plt.close(fig)
    assert "image/svg+xml" not in data and "image/png" in data
    image = Image.open(io.BytesIO(data["image/png"]))
    assert image.text["Description"] == "an identity matrix"
    assert "Software" not in image.text, "no version in it: the same figure, the same bytes"
    assert image.mode == "RGBA" and image.getpixel((0, 0))[3] == 0, "transparent"
    width = metadata["image/png"]["width"]
    assert width == round(image.width / 2), "shown at half its pixels (2x for high DPI)"


def test_a_line_chart_displays_as_svg():
    from IPython.core.formatters import DisplayFormatter

    formatter = DisplayFormatter()
    style.register(formatter)
    with style.page_style():
        fig, ax = plt.subplots()
        ax.plot([0, 1], [1, 0])
        data, _ = formatter.format(fig)
    plt.close(fig)
    assert "image/png" not in data
    assert data["image/svg+xml"].startswith('<svg class="convlab-figure"')
    assert not style.has_raster(fig)


def test_the_raster_rule_covers_images_pcolormesh_and_figimage():
    import numpy as np

    for draw in (lambda fig, ax: ax.imshow(np.eye(2)), lambda fig, ax: ax.matshow(np.eye(2)),
                 lambda fig, ax: ax.pcolormesh(np.eye(2)),
                 lambda fig, ax: fig.figimage(np.eye(2))):
        fig, ax = plt.subplots()
        draw(fig, ax)
        assert style.has_raster(fig)
        plt.close(fig)


def _drawn_extent(svg: str) -> tuple[float, float, float, float]:
    """(left, top, right, bottom) in viewBox units of graphviz's background polygon, once the
    graph's whole transform (scale, then translate) is applied: where the drawing really is."""
    transform = re.search(r'<g id="graph0" class="graph" transform="([^"]*)"', svg)[1]
    scale = re.search(r"scale\(([-\d.]+)(?: ([-\d.]+))?\)", transform)
    sx = float(scale[1]) if scale else 1.0
    sy = float(scale[2] or scale[1]) if scale else 1.0
    dx, dy = (float(v) for v in re.search(r"translate\(([-\d.]+) ([-\d.]+)\)", transform).groups())
    points = re.search(r'<g id="graph0".*?<polygon[^>]*?\spoints="([^"]*)"', svg, re.S)[1]
    pairs = [[float(v) for v in pair.split(",")] for pair in points.split()]
    xs = [sx * (x + dx) for x, _ in pairs]
    ys = [sy * (y + dy) for _, y in pairs]
    return min(xs), min(ys), max(xs), max(ys)


def _assert_view_box_holds_the_drawing(svg: str) -> None:
    left, top, width, height = (float(v) for v in re.search(r'viewBox="([^"]*)"', svg)[1].split())
    x0, y0, x1, y1 = _drawn_extent(svg)
    assert (x0, y0, x1, y1) == pytest.approx((left, top, left + width, top + height), abs=0.5), (
        f"the drawing spans ({x0}, {y0})-({x1}, {y1}), the viewBox "
        f"({left}, {top})-({left + width}, {top + height}): a viewer shows the wrong part")


def test_fit_graphviz_view_shows_a_200_dpi_drawing_whole():
    # graphviz at dpi 200 scales the graph by 200/72 inside a viewBox of the unscaled size, so
    # Jupyter and Colab showed a magnified top-left corner of lessons 05's and 10's diagrams.
    drawn = ('<svg width="2146pt" height="2591pt" viewBox="0.00 0.00 772.00 932.00">'
             '<g id="graph0" class="graph" transform="scale(2.78 2.78) rotate(0) '
             'translate(4 928)">\n<title>G</title>\n'
             '<polygon fill="white" points="-4,4 -4,-928 768,-928 768,4 -4,4"/>'
             '<text>x</text></g></svg>')
    with pytest.raises(AssertionError, match="the wrong part"):
        _assert_view_box_holds_the_drawing(drawn)  # the check catches what was broken
    fitted = style.fit_graphviz_view(drawn)
    _assert_view_box_holds_the_drawing(fitted)
    assert 'viewBox="0 0 772 932"' in fitted and "scale(1 1)" in fitted
    assert style.fit_graphviz_view(fitted) == fitted, "fitting twice changes nothing"
    matplotlib_svg = '<svg width="10pt" height="5pt" viewBox="0 0 10 5"><g id="figure_1"></g></svg>'
    assert style.fit_graphviz_view(matplotlib_svg) == matplotlib_svg


def _keras_drawing(dpi: int) -> bytes:
    import keras

    model = keras.Sequential([keras.Input((8, 8, 1)), keras.layers.Conv2D(2, 3),
                              keras.layers.Flatten(), keras.layers.Dense(3)])
    return keras.utils.model_to_dot(model, show_shapes=True, dpi=dpi).create_svg()


def test_a_keras_model_drawn_at_200_dpi_fits_its_view_box_at_its_own_size():
    drawn = _keras_drawing(dpi=200)
    with pytest.raises(AssertionError, match="the wrong part"):
        _assert_view_box_holds_the_drawing(drawn.decode())  # graphviz's own SVG is cut off
    svg = style.themed_drawing(drawn, "a small network")
    _assert_view_box_holds_the_drawing(svg)
    assert f'{style.FITTED}="1"' in svg.split(">", 1)[0], "the drawing says it was fitted"
    at_72_dpi = style.themed_drawing(_keras_drawing(dpi=72), "a small network")
    size = re.compile(r'<svg[^>]*?width="([\d.]+)pt" height="([\d.]+)pt"')
    assert size.search(svg).groups() == size.search(at_72_dpi).groups(), (
        "the same size on the page whatever dpi graphviz drew at")


def _stored_drawings() -> list[tuple[str, list[str]]]:
    """Each stored full run's notebook that shows a graphviz drawing, with those drawings."""
    found = []
    for path in sorted((REPO / "runs" / "full").glob("*/notebook.ipynb")):
        notebook = json.loads(path.read_text(encoding="utf-8"))
        drawings = []
        for cell in notebook["cells"]:
            for output in cell.get("outputs", []):
                svg = output.get("data", {}).get("image/svg+xml")
                svg = "".join(svg) if isinstance(svg, list) else svg
                if svg and '<g id="graph0" class="graph"' in svg:
                    drawings.append(svg)
        if drawings:
            found.append((path.parent.name, drawings))
    return found


STORED_DRAWINGS = _stored_drawings()


@pytest.mark.parametrize(("slug", "drawings"), STORED_DRAWINGS,
                         ids=[slug for slug, _ in STORED_DRAWINGS])
def test_a_stored_notebooks_drawings_fit_their_view_box(slug, drawings):
    # What a reader downloads or opens in Colab is the stored notebook itself: its drawings
    # must show whole there, not only on the page.
    fitted = [svg for svg in drawings if f'{style.FITTED}="' in svg.split(">", 1)[0]]
    if not fitted:
        pytest.skip(f"runs/full/{slug} predates style.themed_drawing's viewBox fit (its drawings "
                    f"lack {style.FITTED}); checked once the store entry is made again")
    assert len(fitted) == len(drawings), "a notebook made by one run is fitted throughout"
    for svg in fitted:
        _assert_view_box_holds_the_drawing(svg)
