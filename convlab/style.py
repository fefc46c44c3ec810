"""The course's figure style: sized for the page's column, legible, and readable in both themes.

Importing :mod:`convlab.viz` applies it (:func:`use`, called once, in ``convlab/viz/__init__.py``),
so every lesson figure gets it, a lesson's own ``plt.subplots`` figures too, without a line of
plumbing in the lesson. In a notebook, figures then display for the page:

* at most the content column's width (about 740 px), re-laid out rather than shrunk, so text
  keeps its size (13 px) whatever ``figsize`` a lesson asked for;
* on a transparent background, with text, axes and ticks drawn in :data:`INK` and legend boxes
  in :data:`PAPER`, colours the site turns into its theme's, so light and dark both read them;
* with words for screen readers: the figure's label (:func:`describe`), its suptitle, or its
  axes' titles (:func:`description`).

Line art (charts, diagrams) displays as inline SVG (:func:`page_svg`), where INK becomes
``currentColor``. A figure holding a raster (:func:`has_raster`: photos, heat maps, filter
grids) would be a 300-400 KB SVG with the raster embedded in it, so it displays as a PNG instead
(:func:`page_png`): drawn at ``savefig.dpi`` (200, twice the page's 100 CSS px per inch, sharp
on high-DPI screens), its alt text in the PNG's ``Description`` text chunk. The site's build
(:mod:`convlab.publish.figures`) writes it beside the page as files at 1x and 2x, recoloured
for each theme.

Every figure function of :mod:`convlab.viz` draws in the one palette below and finishes its
figure with :func:`describe` (its alt text). :func:`themed_drawing` gives an SVG drawn elsewhere
(graphviz's) the same treatment, and a viewBox that holds the whole graph whatever dpi it was
drawn at, so Jupyter, Colab and the page show the same drawing; :func:`save` writes a figure
for the site outside a notebook (the results page's chart).
"""

from __future__ import annotations

import html
import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import matplotlib as mpl
from matplotlib.figure import Figure

COLUMN_INCHES = 7.4  # the content column (about 740 px); 1 inch of figure = 100 CSS px
INK = "#010203"      # text, axes, ticks, grid: becomes currentColor in the page's SVG
PAPER = "#fefdfc"    # legend boxes: becomes the page's background colour
PAD_INCHES = 0.05    # the margin savefig(bbox_inches="tight") leaves around the drawing
PAGE_COLOURS = {INK: "currentColor", PAPER: "var(--md-default-bg-color, #fff)"}

# The palette every figure draws with, besides INK and PAPER (which follow the page's theme):
# matplotlib's default colours, so a lesson's own plots match the library's.
BLUE = "tab:blue"        # the values a figure is about
ORANGE = "tab:orange"    # what it singles out: the predicted class, the kernel's window, a gap
GREEN = "tab:green"      # a right answer; the GPU
RED = "tab:red"          # a wrong answer
GREY = "grey"            # reference lines (the original tutorial, guessing); a grid's cell borders
DARK_BLUE = "#08519c"    # a confusion matrix's full cell; lighter cells are more transparent
TEXT_ON_DARK = "white"   # a value written on a dark cell
TEXT_ON_LIGHT = "black"  # a value written on a light cell of a colour map (opaque in both themes)

# The two page themes an opaque image (a GIF's frames) is drawn for: (text and lines, background).
THEMES = {"light": ("#1f1f1f", "#ffffff"), "dark": ("#e2e4e9", "#1e2129")}

RC: dict[str, Any] = {
    "figure.figsize": (COLUMN_INCHES, 3.2),
    "figure.dpi": 100,
    "savefig.dpi": 200,  # PNGs: twice the page's 100 CSS px per inch (high-DPI screens)
    "figure.facecolor": "none",
    "axes.facecolor": "none",
    "savefig.transparent": True,
    "font.size": 10,
    "axes.titlesize": 11,
    "axes.labelsize": 10,
    "legend.fontsize": 9,
    "xtick.labelsize": 9,
    "ytick.labelsize": 9,
    "text.color": INK,
    "axes.labelcolor": INK,
    "axes.edgecolor": INK,
    "xtick.color": INK,
    "ytick.color": INK,
    "grid.color": INK,
    "grid.alpha": 0.15,
    "legend.facecolor": PAPER,
    "legend.edgecolor": PAPER,
    "legend.framealpha": 0.85,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "svg.fonttype": "path",  # no font needed on the reader's side; no tick labels in search
    "svg.hashsalt": "convlab",  # the same figure gives the same SVG (stable pages)
}


def use() -> None:
    """Apply the course style to every figure drawn from now on in this process; in a
    notebook, also display figures ready for the page (SVG, or PNG for rasters)."""
    mpl.rcParams.update(RC)
    _display_for_the_page()


@contextmanager
def page_style() -> Iterator[None]:
    """The course style for the figures drawn inside the ``with`` block only."""
    with mpl.rc_context(RC):
        yield


def describe(fig: Figure, text: str) -> Figure:
    """Give ``fig`` the description a screen reader says in place of it (its alt text)."""
    fig.set_label(text)
    return fig


def description(fig: Figure) -> str:
    """What the figure shows, in words: its label, suptitle, or axes' titles or labels."""
    if fig.get_label():
        return fig.get_label()
    if fig.get_suptitle():
        return fig.get_suptitle()
    titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
    if len(titles) == 1:
        return titles[0]
    if titles:
        shown = "; ".join(titles[:8]) + ("; …" if len(titles) > 8 else "")
        return f"{len(titles)} panels: {shown}"
    plots = [f"{ax.get_ylabel()} against {ax.get_xlabel()}" for ax in fig.axes
             if ax.get_xlabel() and ax.get_ylabel()]
    return "; ".join(plots) or "A figure"


def fit_column(fig: Figure) -> None:
    """Narrow a figure wider than the column to the column, re-laying it out (fonts keep
    their size) instead of letting the page shrink it."""
    width, height = fig.get_size_inches()
    if width > COLUMN_INCHES:
        fig.set_size_inches(COLUMN_INCHES - 2 * PAD_INCHES, height)
        fig.set_layout_engine("constrained")


def has_raster(fig: Figure) -> bool:
    """Whether ``fig`` holds a raster image, and so displays as a PNG rather than an SVG.

    The rule: an image on any axes (``imshow``, ``matshow``, ``pcolorfast``: ``ax.images``),
    on the figure itself (``figimage``: ``fig.images``), or a ``pcolormesh`` (a ``QuadMesh``,
    one shape per cell in an SVG). Everything else (lines, bars, text, patches) is line art."""
    from matplotlib.collections import QuadMesh

    if fig.images:
        return True
    return any(ax.images or any(isinstance(c, QuadMesh) for c in ax.collections)
               for ax in fig.axes)


def page_png(fig: Figure) -> bytes:
    """``fig`` as a PNG for the site: column width, at ``savefig.dpi`` (2x the page's size),
    transparent, ink in :data:`INK`, its :func:`description` in the ``Description`` text
    chunk (the page's alt text). No software version in it: the same figure, the same bytes."""
    fit_column(fig)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", bbox_inches="tight", pad_inches=PAD_INCHES,
                transparent=True,
                metadata={"Software": None, "Description": description(fig)})
    return buffer.getvalue()


def _display_png(fig: Figure) -> tuple[bytes, dict[str, int]] | None:
    """IPython's ``image/png`` for a figure with a raster (else ``None``: it is an SVG),
    with its size in CSS px, so Jupyter shows the 2x image at its page size."""
    if not has_raster(fig):
        return None
    png = page_png(fig)
    width, height = _png_size(png)
    scale = mpl.rcParams["savefig.dpi"] / 100  # 1 inch of figure = 100 CSS px
    return png, {"width": round(width / scale), "height": round(height / scale)}


def _display_svg(fig: Figure) -> str | None:
    """IPython's ``image/svg+xml`` for line art (``None`` for a figure with a raster)."""
    return None if has_raster(fig) else page_svg(fig)


def _png_size(png: bytes) -> tuple[int, int]:
    """Width and height in pixels, from the PNG's header."""
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")


def page_svg(fig: Figure) -> str:
    """``fig`` as inline SVG for the site: column width, theme colours, titled."""
    fit_column(fig)
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight", pad_inches=PAD_INCHES,
                transparent=True, metadata={"Date": None})
    return themed_svg(buffer.getvalue(), description(fig))


def themed_svg(svg: str, title: str) -> str:
    """Matplotlib's SVG without its XML prologue, the sentinel colours replaced by the
    page's, and ``title`` as its accessible name."""
    start = svg.index("<svg")
    svg = svg[start:]
    for sentinel, colour in PAGE_COLOURS.items():
        svg = re.sub(re.escape(sentinel), colour, svg, flags=re.IGNORECASE)
    label = html.escape(title)
    svg = svg.replace("<svg", f'<svg class="convlab-figure" role="img" aria-label="{label}"', 1)
    end_of_tag = svg.index(">") + 1
    return f"{svg[:end_of_tag]}\n <title>{label}</title>{svg[end_of_tag:]}"


FITTED = "data-convlab-fitted"  # the attribute :func:`themed_drawing` marks its drawings with
GRAPH_SCALE = re.compile(r'(<g id="graph0" class="graph" transform=")scale\(([-\d.]+) ([-\d.]+)\)')
GRAPH_TRANSLATE = re.compile(r'<g id="graph0" class="graph" transform="[^"]*?'
                             r'translate\(([-\d.]+) ([-\d.]+)\)')
GRAPH_BACKGROUND = re.compile(  # the graph's first element after its title: its background
    r'<g id="graph0"[^>]*>\s*<title>[^<]*</title>\s*<polygon[^>]*?\spoints="([^"]*)"')
VIEW_BOX = re.compile(r'viewBox="[^"]*"')


def graph_box(svg: str) -> tuple[float, float, float, float] | None:
    """The (left, top, width, height) in SVG user units, before any ``scale``, that graphviz's
    background polygon covers once its graph's ``translate`` is applied: the drawing's own
    extent. None for an SVG that is not graphviz's."""
    translate = GRAPH_TRANSLATE.search(svg)
    background = GRAPH_BACKGROUND.search(svg)
    if translate is None or background is None:
        return None
    dx, dy = (float(v) for v in translate.groups())
    points = [tuple(float(v) for v in pair.split(",")) for pair in background[1].split()]
    xs = [x + dx for x, _ in points]
    ys = [y + dy for _, y in points]
    return min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys)


def fit_graphviz_view(svg: str) -> str:
    """Graphviz's SVG with its graph at scale 1 and a viewBox that holds exactly the graph.

    Drawn at another dpi than 72 (``keras.utils.model_to_dot`` draws at 200), graphviz scales
    the graph by dpi/72 inside a viewBox of the unscaled size, so Jupyter, Colab and a browser
    show its top-left corner, magnified. The size on the page is set from the viewBox by
    :func:`themed_drawing`, so the scale is not needed. Any other SVG is returned as it is."""
    box = graph_box(svg)
    if box is None:
        return svg
    svg = GRAPH_SCALE.sub(r"\1scale(1 1)", svg, count=1)
    left, top, width, height = box
    return VIEW_BOX.sub(f'viewBox="{left:g} {top:g} {width:g} {height:g}"', svg, count=1)


def themed_drawing(svg: str | bytes, title: str) -> str:
    """An SVG drawn elsewhere (graphviz's, e.g. ``keras.utils.model_to_dot(model,
    show_shapes=True).create_svg()``) for the page, as :func:`themed_svg` returns it: at its own
    size (1 pt per graphviz point, whatever dpi it was drawn at) but no wider than the column,
    its viewBox holding the whole graph (:func:`fit_graphviz_view`), titled ``title`` and marked
    with the attribute :data:`FITTED`.

    Black strokes and text take the page's text colour and white fills its background, so the
    drawing reads in light and dark mode like the course's matplotlib figures."""
    text = fit_graphviz_view(svg.decode() if isinstance(svg, bytes) else svg)
    view = re.search(r'viewBox="[-\d.]+ [-\d.]+ ([\d.]+) ([\d.]+)"', text)
    if view:  # the drawing's own size reads best; graphviz's width/height are scaled by its dpi
        width, height = (float(v) for v in view.groups())
        scale = min(1.0, (COLUMN_INCHES - 2 * PAD_INCHES) * 72 / width)
        width, height = width * scale, height * scale   # no wider than the page's column
        text = re.sub(r'<svg width="[^"]*" height="[^"]*"',
                      f'<svg width="{width:.0f}pt" height="{height:.0f}pt"', text, count=1)
    text = re.sub(r'(fill|stroke)="(black|#000000)"', rf'\1="{INK}"', text)
    text = re.sub(r'fill="(white|#ffffff)"', f'fill="{PAPER}"', text)
    text = re.sub(r"<text(?![^>]*\bfill=)", f'<text fill="{INK}"', text)
    return themed_svg(text.replace("<svg", f'<svg {FITTED}="1"', 1), title)


def save(fig: Figure, path: Path) -> None:
    """Write ``fig`` for the site (SVG or PNG by the file's suffix) and close it. An SVG
    follows the site's theme, as notebook figures do."""
    import matplotlib.pyplot as plt

    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix == ".svg":
        path.write_text(page_svg(fig), encoding="utf-8")
    else:
        fig.savefig(path, transparent=True, bbox_inches="tight")
    plt.close(fig)


def _display_for_the_page() -> None:
    """In IPython, show figures through :func:`page_svg` (line art) or :func:`page_png`
    (figures with a raster) instead of the inline backend's PNG."""
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    if shell is None:
        return
    try:  # importing it sets up the inline backend's PNG formatter, which we replace
        import matplotlib_inline.backend_inline  # noqa: F401
    except ImportError:
        pass
    register(shell.display_formatter)


def register(display_formatter: Any) -> None:
    """Make an IPython ``DisplayFormatter`` show figures as the page wants them: SVG for line
    art, PNG for a figure with a raster (each formatter returns ``None`` for the other)."""
    formatters = display_formatter.formatters
    formatters["image/png"].pop(Figure, None)
    formatters["image/png"].for_type(Figure, _display_png)
    formatters["image/svg+xml"].for_type(Figure, _display_svg)
