"""The convolution as it happens: a kernel sliding over an image, as an animated GIF.

A GIF's frames are opaque, so each page theme (:data:`convlab.style.THEMES`) gets its own;
:func:`sliding_window_animation` gives the page both, with the alt text the lesson wrote.
"""

from __future__ import annotations

import base64
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.animation import FuncAnimation, PillowWriter

from convlab import style
from convlab.convolution import conv2d
from convlab.viz.images import show_matrix


def sliding_window_gif(image: np.ndarray, kernel: np.ndarray, *, stride: int = 1,
                       ms_per_frame: int = 1400, dpi: int = 72, theme: str = "light") -> bytes:
    """An animated GIF of ``kernel`` sliding over ``image`` (both 2-D), filling the output.

    Each frame outlines the window on the input, writes the sum of products under the
    figure, and shows the output with the cells computed so far. ``theme`` ("light" or
    "dark") picks the text and background colours of :data:`convlab.style.THEMES`. Returns
    the GIF's bytes (a few tens of KB for small arrays).
    """
    if theme not in style.THEMES:
        raise ValueError(f"theme must be one of {', '.join(style.THEMES)}, got {theme!r}")
    ink, paper = style.THEMES[theme]
    image = np.asarray(image, dtype=float)
    kernel = np.asarray(kernel, dtype=float)
    out = conv2d(image, kernel, stride=stride)
    positions = list(np.ndindex(*out.shape))
    colours = {"text.color": ink, "axes.titlecolor": ink, "axes.edgecolor": ink}
    with plt.rc_context(colours):
        return _animate(image, kernel, out, positions, stride, ms_per_frame, dpi, paper)


def _animate(image: np.ndarray, kernel: np.ndarray, out: np.ndarray,
             positions: list[tuple[int, ...]], stride: int, ms_per_frame: int, dpi: int,
             paper: str) -> bytes:
    kh, kw = kernel.shape
    fig, (ax_in, ax_k, ax_out) = plt.subplots(
        1, 3, figsize=(style.COLUMN_INCHES, 3.9),
        width_ratios=[image.shape[1], kw, out.shape[1]],
        layout="constrained")  # the ratios give every panel cells of the same size

    def draw(frame: int) -> None:
        i, j = positions[frame]
        for ax in (ax_in, ax_k, ax_out):
            ax.clear()
        r, c = i * stride, j * stride
        show_matrix(ax_in, image, title="input", highlight=(r, c, kh, kw))
        show_matrix(ax_k, kernel, title="kernel", cmap="Oranges")
        shown = np.full(out.shape, np.nan)
        for done in positions[: frame + 1]:
            shown[done] = out[done]
        show_matrix(ax_out, shown, title="output", highlight=(i, j, 1, 1), cmap="Greens")
        window = image[r:r + kh, c:c + kw]
        terms = [f"{a:g}×{b:g}" if b >= 0 else f"{a:g}×({b:g})"
                 for a, b in zip(window.ravel(), kernel.ravel(), strict=True) if a and b]
        fig.supxlabel(" + ".join(terms or ["0"]) + f" = {out[i, j]:g}", fontsize=11)
        fig.suptitle(f"window at row {r}, column {c}: output[{i}, {j}]")

    anim = FuncAnimation(fig, draw, frames=len(positions))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "sliding.gif"
        # Opaque frames: a transparent background would let each frame show through the
        # next in a GIF.
        anim.save(path, writer=PillowWriter(fps=1000 / ms_per_frame), dpi=dpi,
                  savefig_kwargs={"facecolor": paper, "transparent": False})
        data = path.read_bytes()
    plt.close(fig)
    return data


def sliding_window_animation(image: np.ndarray, kernel: np.ndarray, *, alt: str,
                             stride: int = 1) -> str:
    """HTML for :func:`sliding_window_gif` in the page's theme: a light and a dark GIF, the
    site shows the one that matches its palette (Jupyter shows the light one); ``alt`` is
    what a screen reader says in place of it."""
    parts = []
    for theme in style.THEMES:
        data = base64.b64encode(sliding_window_gif(image, kernel, stride=stride, theme=theme))
        hidden = ' style="display: none"' if theme != "light" else ""  # outside the site
        parts.append(f'<img class="convlab-only-{theme}" alt="{alt}"{hidden} '
                     f'src="data:image/gif;base64,{data.decode()}">')
    return "\n".join(parts)
