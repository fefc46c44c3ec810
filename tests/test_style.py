"""convlab.style: figures fit the column, follow the page's theme and say what they show."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402

from convlab import style  # noqa: E402


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
