"""convlab.publish.figures: a page's data-URI images become small files beside the page."""

from __future__ import annotations

import base64
import io
import re

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from PIL import Image  # noqa: E402

from convlab import style  # noqa: E402
from convlab.publish import figures  # noqa: E402


def _uri(data: bytes, kind: str = "png") -> str:
    return f"data:image/{kind};base64,{base64.b64encode(data).decode()}"


def _photo_with_a_legend() -> bytes:
    with style.page_style():
        fig, (photo, chart) = plt.subplots(1, 2, figsize=(4, 2))
        photo.imshow(np.arange(64).reshape(8, 8), cmap="gray")
        chart.plot([0, 1], label="line")
        chart.legend()
        style.describe(fig, "a photo & a line")
        png = style.page_png(fig)
    plt.close(fig)
    return png


def _attrs(tag: str) -> dict[str, str]:
    return dict(re.findall(r'(\w+)="([^"]*)"', tag))


def test_a_themed_png_becomes_light_and_dark_files_at_1x_and_2x(tmp_path):
    png = _photo_with_a_legend()
    place = figures.place_for(tmp_path / "site", "lessons/one/index.html")
    markup = figures.extract(_uri(png), "unused", place)
    tags = markup.splitlines()
    assert len(tags) == 2
    light, dark = map(_attrs, tags)
    assert light["class"] == "convlab-only-light" and dark["class"] == "convlab-only-dark"
    assert light["alt"] == "a photo &amp; a line", "alt text from the PNG's Description"
    assert 'loading="lazy"' in markup and 'decoding="async"' in markup
    width, height = Image.open(io.BytesIO(png)).size
    assert (int(light["width"]), int(light["height"])) == (round(width / 2), round(height / 2))
    folder = tmp_path / "site" / "lessons" / "one" / "figures"
    assert light["src"].startswith("figures/") and light["srcset"].endswith("@2x.webp 2x")
    one_x = Image.open(folder / light["src"].removeprefix("figures/"))
    two_x = Image.open(folder / f"{light['src'][8:-5]}@2x.webp")
    assert one_x.size == (int(light["width"]), int(light["height"]))
    assert two_x.size == (width, height)
    assert len(list(folder.iterdir())) == 4


def test_ink_and_paper_take_each_themes_colours_and_keep_their_alpha(tmp_path):
    pixels = np.zeros((2, 4, 4), np.uint8)
    pixels[0, 0] = (1, 2, 3, 255)        # INK, opaque
    pixels[0, 1] = (1, 2, 3, 40)         # INK, antialiased edge
    pixels[0, 2] = (254, 253, 252, 217)  # a legend box (PAPER)
    pixels[0, 3] = (128, 128, 128, 255)  # a photo's grey: not themed
    pixels[1, :] = (200, 30, 30, 255)
    buffer = io.BytesIO()
    image = Image.fromarray(pixels, "RGBA").resize((8, 4), Image.Resampling.NEAREST)
    image.save(buffer, "png")
    place = figures.place_for(tmp_path, "p/index.html")
    markup = figures.extract(_uri(buffer.getvalue()), "four pixels", place)
    for tag, theme in zip(markup.splitlines(), style.THEMES, strict=True):
        name = _attrs(tag)["srcset"].split(", ")[1].split(" ")[0].removeprefix("figures/")
        out = np.asarray(Image.open(place.folder / name).convert("RGBA"))
        text, background = (np.array(figures._rgb(c)) for c in style.THEMES[theme])
        assert (out[0, 0, :3] == text).all() and out[0, 0, 3] == 255
        assert (out[0, 2, :3] == text).all() and out[0, 2, 3] == 40
        assert (out[0, 4, :3] == background).all() and out[0, 4, 3] == 217
        assert (out[0, 6] == (128, 128, 128, 255)).all()
        assert (out[2, 0] == (200, 30, 30, 255)).all()
        assert _attrs(tag)["alt"] == "four pixels", "the page's alt when the PNG has none"


def test_an_image_without_themed_colours_is_written_once(tmp_path):
    buffer = io.BytesIO()
    Image.new("RGB", (40, 20), (10, 200, 90)).save(buffer, "png")
    place = figures.place_for(tmp_path, "p/index.html")
    markup = figures.extract(_uri(buffer.getvalue()), "green", place, eager=True)
    assert markup.count("<img") == 1 and "convlab-only" not in markup
    assert 'loading="lazy"' not in markup, "the first figure loads at once"
    assert 'width="20" height="10"' in markup
    assert len(list(place.folder.iterdir())) == 2


def test_names_come_from_the_content(tmp_path):
    png = _photo_with_a_legend()
    place = figures.place_for(tmp_path, "p/index.html")
    first = figures.extract(_uri(png), "", place)
    assert figures.extract(_uri(png), "", place) == first, "same image, same files"
    other = io.BytesIO()
    Image.new("RGB", (4, 4), (9, 9, 9)).save(other, "png")
    assert _attrs(figures.extract(_uri(other.getvalue()), "", place))["src"] not in first


def test_a_gif_is_written_as_it_is_with_its_theme_class(tmp_path):
    buffer = io.BytesIO()
    frames = [Image.new("RGB", (30, 10), colour) for colour in ("white", "black")]
    frames[0].save(buffer, "gif", save_all=True, append_images=frames[1:])
    place = figures.place_for(tmp_path, "p/index.html")
    markup = figures.extract(_uri(buffer.getvalue(), "gif"), "sliding", place,
                             classes="convlab-only-dark")
    tag = _attrs(markup)
    assert tag["class"] == "convlab-only-dark" and tag["alt"] == "sliding"
    assert (tag["width"], tag["height"]) == ("30", "10") and tag["src"].endswith(".gif")
    assert (place.folder / tag["src"].removeprefix("figures/")).read_bytes() == \
        buffer.getvalue()


def test_an_unreadable_image_names_the_page(tmp_path):
    place = figures.place_for(tmp_path, "lessons/broken/index.html")
    with pytest.raises(figures.FigureError, match="lessons/broken/index.html"):
        figures.extract("data:image/png;base64,AAAA", "x", place)


def test_large_line_art_becomes_a_file_per_theme_and_small_stays_inline(tmp_path):
    from convlab import style

    place = figures.place_for(tmp_path, "lessons/one.html")
    small = style.themed_svg('<svg width="100pt" height="50pt"><path d="M0 0"/></svg>', "a dot")
    assert figures.extract_svg(small, place) is None
    points = "".join(f'<path d="M{i} {i}" stroke="currentColor"/>' for i in range(3000))
    large = style.themed_svg(f'<svg width="300pt" height="150pt"><rect fill="'
                             f'{figures.PAGE_BACKGROUND}"/>{points}</svg>', "many points")
    tags = figures.extract_svg(large, place)
    assert tags is not None and tags.count("<img") == 2
    assert 'width="400" height="200"' in tags and 'alt="many points"' in tags
    assert 'loading="lazy"' in tags and "convlab-only-dark" in tags
    written = {p.name: p.read_text() for p in place.folder.iterdir()}
    assert len(written) == 2
    dark = next(text for name, text in written.items() if name.endswith("-dark.svg"))
    text_colour, background = style.THEMES["dark"]
    assert "currentColor" not in dark and text_colour in dark and background in dark


def test_a_widgets_large_data_moves_to_a_script_beside_the_page(tmp_path):
    import json

    place = figures.place_for(tmp_path, "lessons/one.html")
    attributes = {"class": ["digit-explorer"], "data-input": '{"side": 28}',
                  "data-weights": json.dumps({"w": "A" * 30_000})}
    tag, key = figures.extract_widget_data(attributes, place)
    assert attributes == {"class": ["digit-explorer"], "data-input": '{"side": 28}',
                          "data-convlab-data": key}, "the small attribute stays"
    assert tag == f'<script src="figures/{key}.js"></script>'
    script = (place.folder / f"{key}.js").read_text()
    stored = json.loads(script[script.index("] = ") + 4:].rstrip().rstrip(";"))
    assert json.loads(stored["weights"]) == {"w": "A" * 30_000}
    assert figures.extract_widget_data({"data-input": "{}"}, place) is None
