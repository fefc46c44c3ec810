"""A page's data-URI images as files beside the page: small HTML, images loaded when seen.

nbconvert puts every figure a lesson displays into its page as a base64 ``data:`` URI; a
lesson's photos and animations made its page weigh over a megabyte. :func:`extract` writes
one such image (PNG or GIF) into the site, next to the page, under a name made from its
content (``figures/<hash>-light@2x.webp``), and returns the ``<img>`` markup that loads it
lazily, with its size in CSS px (so the page does not shift as images arrive) and its alt text.

A PNG from :func:`convlab.style.page_png` is drawn at 2x (200 dpi, the page shows 100 CSS px
per inch) on a transparent background, its text and axes in :data:`convlab.style.INK` and
legend boxes in :data:`convlab.style.PAPER`. It becomes a 1x and a 2x file (``srcset``;
lossless WebP, a third to a half of the PNG's bytes, which every current browser shows;
lossy, quality 75, when smaller for an image past 40 KB: photos and photo-like panels) for
each theme of :data:`convlab.style.THEMES`: INK (and its antialiased blends with PAPER)
takes the theme's text colour, PAPER its background colour, keeping each pixel's alpha. The
light and dark ``<img>`` carry the classes ``convlab-only-light`` / ``convlab-only-dark``,
which the site's stylesheet shows only under the matching palette. A PNG without INK or
PAPER (a photo alone) is written once. A GIF (:func:`convlab.viz.sliding_window_animation`
makes one per theme already) is written as it is.

A widget's data (an explorer's ``data-*`` attributes, :func:`convlab.explorer.widget`) past
:data:`WIDGET_DATA_LIMIT` characters goes the same way (:func:`extract_widget_data`): into a
script beside the page that ``theme/widget-data.js`` puts back into the attributes when the
page loads (a script, not a JSON file, because a page opened from disk may not fetch files).

Line art stays inline SVG, drawn in ``currentColor`` so it follows the page's theme, unless it
is large (:data:`INLINE_SVG_LIMIT`: a scatter of thousands of points, a long training curve):
:func:`extract_svg` then writes it as two files, one per theme, with the page's colours
written in, loaded lazily like the rest, so that the page's HTML stays small.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import html
import io
import json
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, UnidentifiedImageError

from convlab import style

DATA_URI = "data:image/"
KINDS = {"png": "png", "gif": "gif"}  # data-URI subtype -> file suffix
HASH_CHARS = 12
SCALE = 2  # a page PNG's pixels per CSS px (savefig.dpi 200, 100 CSS px per inch)
LOSSY_FROM = 40_000  # bytes of lossless WebP past which a lossy one is tried (photos)
LOSSY_QUALITY = 75
BLEND_TOLERANCE = 3.0  # how far (in RGB units) a pixel may sit off the INK-PAPER line
WIDGET_DATA_LIMIT = 20_000  # characters of one data-* attribute past which it moves to a file
WIDGET_DATA_GLOBAL = "convlabWidgetData"  # theme/widget-data.js reads it
INLINE_SVG_LIMIT = 24_000  # characters of SVG past which line art is written as files
PAGE_BACKGROUND = "var(--md-default-bg-color, #fff)"  # convlab.style's PAPER in a page SVG
SVG_SIZE = re.compile(r'<svg[^>]*?\swidth="([\d.]+)(pt|px)?"[^>]*?\sheight="([\d.]+)(pt|px)?"')
SVG_LABEL = re.compile(r'<svg[^>]*?\saria-label="([^"]*)"')


class FigureError(ValueError):
    """An image of a page could not be read or written."""


@dataclass(frozen=True)
class Place:
    """Where a page's images go: ``folder`` on disk, ``url`` the same folder relative to the
    page (``figures/``), ``page`` the page's name for error messages."""

    folder: Path
    url: str
    page: str


def place_for(site_dir: str | Path, dest_uri: str, folder: str = "figures") -> Place:
    """The :class:`Place` beside the page mkdocs writes to ``dest_uri`` in ``site_dir``
    (``lessons/convolution/index.html`` -> ``site/lessons/convolution/figures/``)."""
    page_dir = Path(dest_uri).parent
    return Place(Path(site_dir) / page_dir / folder, f"{folder}/", dest_uri)


def is_data_image(source: str) -> bool:
    """Whether ``source`` is a PNG or GIF data URI that :func:`extract` turns into files."""
    return any(source.startswith(f"{DATA_URI}{kind};base64,") for kind in KINDS)


def extract(source: str, alt: str, place: Place, *, classes: str = "", eager: bool = False
            ) -> str:
    """Write the image of the data URI ``source`` beside the page and return its ``<img>``
    markup (two for a themed PNG). ``alt``: the words a screen reader says, used when the
    PNG carries no ``Description`` of its own; ``classes``: kept on the ``<img>`` (a GIF's
    theme); ``eager``: load at once (the page's first figure) instead of lazily."""
    kind = source[len(DATA_URI):source.index(";")]
    try:
        data = base64.b64decode(source[source.index(",") + 1:], validate=True)
        image = Image.open(io.BytesIO(data))
        image.load()
    except (binascii.Error, ValueError, OSError, UnidentifiedImageError) as err:
        raise FigureError(f"{place.page}: an image ({kind}, {len(source)} characters of data "
                          f"URI) could not be read: {err}") from None
    digest = hashlib.sha256(data).hexdigest()[:HASH_CHARS]
    place.folder.mkdir(parents=True, exist_ok=True)
    loading = "" if eager else ' loading="lazy"'
    if kind == "gif":
        name = f"{digest}.gif"
        _write(place.folder / name, data)
        return _img(place.url + name, None, image.size, alt, classes, loading)
    described = getattr(image, "text", {}).get("Description", "")
    return _pngs(image.convert("RGBA"), digest, place, described or alt, classes, loading)


def _pngs(image: Image.Image, digest: str, place: Place, alt: str, classes: str,
          loading: str) -> str:
    pixels = np.asarray(image)
    ink, paper, share = _themed(pixels)
    css = (max(1, round(image.width / SCALE)), max(1, round(image.height / SCALE)))
    if not (ink.any() or paper.any()):
        return _img_pair(image, digest, "", place, alt, classes, loading, css)
    tags = []
    for theme, (text_colour, background) in style.THEMES.items():
        recoloured = Image.fromarray(_recolour(pixels, ink, paper, share, text_colour,
                                               background), "RGBA")
        theme_classes = f"{classes} convlab-only-{theme}".strip()
        tags.append(_img_pair(recoloured, digest, f"-{theme}", place, alt, theme_classes,
                              loading, css))
    return "\n".join(tags)


def _img_pair(image: Image.Image, digest: str, suffix: str, place: Place, alt: str,
              classes: str, loading: str, css: tuple[int, int]) -> str:
    """Write ``image`` at 2x and at 1x (``css`` pixels), as lossless WebP; the ``<img>``
    with its srcset."""
    names = {}
    for density, size in (("", css), ("@2x", image.size)):
        name = f"{digest}{suffix}{density}.webp"
        frame = image if size == image.size else image.resize(size, Image.Resampling.LANCZOS)
        _write(place.folder / name, _webp(frame))
        names[density] = place.url + name
    srcset = f"{names['']} 1x, {names['@2x']} 2x"
    return _img(names[""], srcset, css, alt, classes, loading)


def _webp(image: Image.Image) -> bytes:
    """``image`` as lossless WebP; past :data:`LOSSY_FROM` bytes (large photos), as lossy
    WebP when that is smaller."""
    buffer = io.BytesIO()
    image.save(buffer, format="webp", lossless=True, method=4)
    if buffer.tell() <= LOSSY_FROM:
        return buffer.getvalue()
    lossy = io.BytesIO()
    image.save(lossy, format="webp", quality=LOSSY_QUALITY, method=4)
    return min(buffer.getvalue(), lossy.getvalue(), key=len)


def _img(src: str, srcset: str | None, size: tuple[int, int], alt: str, classes: str,
         loading: str) -> str:
    attrs = [f'src="{html.escape(src)}"']
    if srcset:
        attrs.append(f'srcset="{html.escape(srcset)}"')
    attrs += [f'width="{size[0]}"', f'height="{size[1]}"', f'alt="{html.escape(alt)}"']
    if classes:
        attrs.append(f'class="{html.escape(classes)}"')
    return f'<img {" ".join(attrs)}{loading} decoding="async">'


def _themed(pixels: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Masks of the pixels drawn in INK and in PAPER, and for each pixel its share of INK.

    INK and PAPER are the exact colours (any alpha); a pixel partly transparent whose colour
    lies on the line between them is their antialiased blend (text on a legend box). An opaque
    pixel of any other colour, a photo's grey included, is left as it is."""
    rgb = pixels[..., :3].astype(np.float32)
    alpha = pixels[..., 3]
    ink_rgb = np.array(_rgb(style.INK), np.float32)
    paper_rgb = np.array(_rgb(style.PAPER), np.float32)
    axis = paper_rgb - ink_rgb
    share_of_paper = np.clip(((rgb - ink_rgb) @ axis) / (axis @ axis), 0.0, 1.0)
    nearest = ink_rgb + share_of_paper[..., None] * axis
    on_line = np.linalg.norm(rgb - nearest, axis=-1) <= BLEND_TOLERANCE
    exact_ink = np.all(pixels[..., :3] == ink_rgb.astype(np.uint8), axis=-1)
    exact_paper = np.all(pixels[..., :3] == paper_rgb.astype(np.uint8), axis=-1)
    visible = alpha > 0
    blend = on_line & (alpha < 255) & visible
    ink = (exact_ink | (blend & ~exact_paper)) & visible
    paper = exact_paper & visible
    share = np.where(exact_ink, 1.0, np.where(exact_paper, 0.0, 1.0 - share_of_paper))
    return ink, paper, share


def _recolour(pixels: np.ndarray, ink: np.ndarray, paper: np.ndarray, share: np.ndarray,
              text_colour: str, background: str) -> np.ndarray:
    """``pixels`` with INK as ``text_colour``, PAPER as ``background`` (blends in between),
    alpha kept."""
    out = pixels.copy()
    text = np.array(_rgb(text_colour), np.float32)
    back = np.array(_rgb(background), np.float32)
    themed = ink | paper
    mixed = share[..., None] * text + (1.0 - share[..., None]) * back
    out[..., :3][themed] = np.round(mixed[themed]).astype(np.uint8)
    return out


def _rgb(colour: str) -> tuple[int, int, int]:
    value = colour.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def _write(path: Path, data: bytes) -> None:
    """Write ``data`` unless the file (named by its content) is there already."""
    if not path.exists() or path.stat().st_size != len(data):
        path.write_bytes(data)


def extract_svg(svg: str, place: Place, *, eager: bool = False) -> str | None:
    """Write the page SVG ``svg`` (from :func:`convlab.style.themed_svg`) as a light and a
    dark file beside the page and return their ``<img>`` markup; None when it is small enough
    (:data:`INLINE_SVG_LIMIT`) to stay inline, or has no size to reserve for it."""
    size = SVG_SIZE.search(svg)
    if len(svg) <= INLINE_SVG_LIMIT or size is None:
        return None
    width, height = (float(size[1]), float(size[3]))
    points = 4 / 3  # CSS px per pt
    css = (round(width * (points if size[2] == "pt" else 1)),
           round(height * (points if size[4] == "pt" else 1)))
    label = SVG_LABEL.search(svg)
    alt = html.unescape(label[1]) if label else "A figure"
    digest = hashlib.sha256(svg.encode()).hexdigest()[:HASH_CHARS]
    place.folder.mkdir(parents=True, exist_ok=True)
    loading = "" if eager else ' loading="lazy"'
    tags = []
    for theme, (text_colour, background) in style.THEMES.items():
        themed = svg.replace("currentColor", text_colour).replace(PAGE_BACKGROUND, background)
        if not themed.lstrip().startswith("<?xml"):
            themed = '<?xml version="1.0" encoding="utf-8"?>\n' + themed
        name = f"{digest}-{theme}.svg"
        _write(place.folder / name, themed.encode())
        tags.append(_img(place.url + name, None, css, alt, f"convlab-only-{theme}", loading))
    return "\n".join(tags)


def extract_widget_data(attributes: dict[str, str], place: Place) -> tuple[str, str] | None:
    """Move the large ``data-*`` values of ``attributes`` (an element's, changed in place)
    into a script beside the page; the ``<script>`` tag that loads it and the key the element
    now carries in ``data-convlab-data``; None when no value is large."""
    large = {name: value for name, value in attributes.items()
             if name.startswith("data-") and len(value) > WIDGET_DATA_LIMIT}
    if not large:
        return None
    payload = json.dumps({name.removeprefix("data-"): value for name, value in large.items()},
                         separators=(",", ":"))
    key = hashlib.sha256(payload.encode()).hexdigest()[:HASH_CHARS]
    script = (f"(window.{WIDGET_DATA_GLOBAL} = window.{WIDGET_DATA_GLOBAL} || {{}})"
              f'["{key}"] = {payload};\n')
    place.folder.mkdir(parents=True, exist_ok=True)
    _write(place.folder / f"{key}.js", script.encode())
    for name in large:
        del attributes[name]
    attributes["data-convlab-data"] = key
    return f'<script src="{html.escape(place.url)}{key}.js"></script>', key
