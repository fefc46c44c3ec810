"""Pictures of arrays: image grids, a small matrix with its values written in, filters beside
what they make of an image, and a layer's learned filters and activation maps.

Every function that makes a figure draws with matplotlib in :mod:`convlab.style`'s palette,
gives it its alt text (:func:`convlab.style.describe`) and returns the ``Figure``; a lesson
calls ``plt.show()`` to display it. :func:`show_matrix` draws on an ``Axes`` the caller made.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from convlab import style
from convlab.convolution import display_range


def image_grid(
    images: np.ndarray,
    titles: Sequence[str] | None = None,
    *,
    ncols: int = 4,
    cmap: str | None = None,
    size: float = 1.8,
) -> Figure:
    """Show ``images`` (n, h, w) or (n, h, w, c) in a grid, ``ncols`` wide, one title each.

    uint8 images are shown as they are (0..255); float images are scaled to their own range.
    ``size`` is one cell's side in inches (100 CSS px each).
    """
    images = np.asarray(images)
    if images.ndim not in (3, 4):
        raise ValueError(f"images must be (n, h, w) or (n, h, w, c), got shape {images.shape}")
    if titles is not None and len(titles) != len(images):
        raise ValueError(f"{len(images)} images but {len(titles)} titles")
    n = len(images)
    nrows = max(1, math.ceil(n / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(size * ncols, size * nrows + 0.2 * nrows))
    for i, ax in enumerate(np.atleast_1d(axes).ravel()):
        ax.axis("off")
        if i >= n:
            continue
        image = images[i]
        if image.ndim == 3 and image.shape[-1] == 1:
            image = image[..., 0]
        gray = cmap or ("gray" if image.ndim == 2 else None)
        ax.imshow(image, cmap=gray, interpolation="nearest")
        if titles is not None:
            ax.set_title(titles[i], fontsize=9)
    fig.tight_layout()
    named = list(titles or [])
    if n == 1 and named:
        return style.describe(fig, named[0])
    shown = ": " + "; ".join(named[:8]) + ("; …" if n > 8 else "") if named else ""
    return style.describe(fig, f"{n} image{'s' if n != 1 else ''}{shown}")


def show_matrix(ax, values: np.ndarray, *, title: str = "", fmt: str = "{:g}",
                highlight: tuple[int, int, int, int] | None = None,
                cmap: str = "Blues", limits: tuple[float, float] | None = None) -> None:
    """Draw a small 2-D array on ``ax`` as a grid of cells with each value written in it.

    ``highlight`` = (row, col, height, width) outlines a window of cells (the kernel's
    current position). Cells holding NaN are left blank (an output not computed yet).
    ``limits`` = (low, high) fixes the colour scale, so that several panels compare; by
    default it spans this array's own values.
    """
    values = np.asarray(values, dtype=float)
    if values.ndim != 2:
        raise ValueError(f"show_matrix draws a 2-D array, got shape {values.shape}")
    finite = values[np.isfinite(values)]
    low, high = (finite.min(), finite.max()) if finite.size else (0.0, 1.0)
    if limits is not None:
        low, high = limits
    ax.imshow(np.where(np.isfinite(values), values, np.nan), cmap=cmap, vmin=low,
              vmax=high if high > low else low + 1, interpolation="nearest")
    colours = plt.get_cmap(cmap)
    for (i, j), v in np.ndenumerate(values):
        if np.isfinite(v):
            # Light text on a dark cell, dark text on a light one, by the cell's own colour
            # (a diverging map is dark at both ends).
            r, g, b, _ = colours((v - low) / (high - low) if high > low else 0.0)
            dark = 0.2126 * r + 0.7152 * g + 0.0722 * b < 0.5
            ax.text(j, i, fmt.format(v), ha="center", va="center", fontsize=9,
                    color=style.TEXT_ON_DARK if dark else style.TEXT_ON_LIGHT)
    rows, cols = values.shape
    ax.vlines(np.arange(cols + 1) - 0.5, -0.5, rows - 0.5, color=style.GREY, lw=0.8)
    ax.hlines(np.arange(rows + 1) - 0.5, -0.5, cols - 0.5, color=style.GREY, lw=0.8)
    ax.set_xlim(-0.5, cols - 0.5)
    ax.set_ylim(rows - 0.5, -0.5)
    ax.grid(False)
    ax.set_xticks([])
    ax.set_yticks([])
    if highlight is not None:
        row, col, h, w = highlight
        ax.add_patch(plt.Rectangle((col - 0.5, row - 0.5), w, h, fill=False,
                                   edgecolor=style.ORANGE, lw=3))
    if title:
        ax.set_title(title)


def filter_rows(image: np.ndarray, results: Mapping[str, tuple[np.ndarray, np.ndarray]],
                *, title: str = "", size: float = 2.3, offset: float = 0.0,
                crop: tuple[slice, slice] | None = None, scale: bool = False) -> Figure:
    """The original image on the left, beside one row per filter: its kernel and its output.

    ``results`` maps a filter's name to (kernel, output). Outputs are shown through
    ``convolution.display_range(output, offset)``, so the page shows the pixels as a
    0..255 image would (values outside are clipped), not rescaled to their own range; with
    ``scale=True`` each output is instead divided by its own largest magnitude $m$ and shown
    with 0 mid-grey, $-m$ black and $+m$ white (nothing clipped; the title gives $m$).
    ``crop`` (rows, columns) shows only that part of the image, and of each output the part
    over the same pixels (a valid-mode output, smaller by $N - 1$, is cut $(N - 1)/2$ rows and
    columns further up and left); the titles then give the size shown and the full size.
    Pixels are embedded as they are, not resampled, to keep pages small.
    Axes: the original first, then kernel and output for each filter in turn.
    """
    n = len(results)
    if n == 0:
        raise ValueError("filter_rows needs at least one (kernel, output) pair")
    cropped = crop is not None
    crop = crop or (slice(None), slice(None))
    shown = image[crop]
    aspect = shown.shape[1] / shown.shape[0]
    mosaic = [["original", f"kernel{i}", f"output{i}"] for i in range(n)]
    fig, axes = plt.subplot_mosaic(mosaic, figsize=(size * (1 + 2 * aspect), size * n + 0.4),
                                   width_ratios=[aspect, 1, aspect], layout="constrained")
    axes["original"].imshow(shown, cmap="gray", vmin=0, vmax=255, interpolation="none")
    axes["original"].set_title(_size_title("original", shown.shape, image.shape, cropped))
    axes["original"].axis("off")
    for i, (name, (kernel, output)) in enumerate(results.items()):
        kernel = np.asarray(kernel, dtype=float)
        output = np.asarray(output, dtype=float)
        show_matrix(axes[f"kernel{i}"], kernel,
                    title=f"{name} {kernel.shape[0]}x{kernel.shape[1]}",
                    fmt="{:.2g}" if kernel.size <= 9 else "")  # a 7x7 blur: too many to write
        sides = zip(crop, image.shape[:2], output.shape[:2], strict=True)
        window = tuple(_under(part, (full - out) // 2, out) for part, full, out in sides)
        ax = axes[f"output{i}"]
        heading = _size_title(name, output[window].shape, output.shape, cropped, sep=":")
        if scale:
            largest = float(np.abs(output).max()) or 1.0
            ax.imshow(output[window] / largest, cmap="gray", vmin=-1, vmax=1,
                      interpolation="none")
            heading += f"\nblack -{largest:.0f}, white +{largest:.0f}"
        else:
            ax.imshow(display_range(output, offset)[window], cmap="gray", vmin=0, vmax=255,
                      interpolation="none")
        ax.set_title(heading)
        ax.axis("off")
    if title:
        fig.suptitle(title)
    return style.describe(fig, f"{title or 'filters'}: the original image beside the kernel "
                               f"and the output of {', '.join(results)}")


def _size_title(name: str, shown: tuple[int, ...], full: tuple[int, ...], cropped: bool,
                sep: str = "") -> str:
    """"edge: 298x449", or for a cropped view "edge: 190x260 of 298x449" (what is shown, of
    how much)."""
    if cropped:
        return f"{name}: {shown[0]}x{shown[1]} of {full[0]}x{full[1]}"
    return f"{name}{sep} {full[0]}x{full[1]}"


def _under(part: slice, shift: int, length: int) -> slice:
    """The slice of an output ``length`` long that lies under ``part`` of the image, when the
    output's first pixel sits over image pixel ``shift`` (valid mode: (N - 1) / 2)."""
    if part.start is None and part.stop is None:
        return slice(None)
    start = max((part.start or 0) - shift, 0)
    stop = length if part.stop is None else min(part.stop - shift, length)
    return slice(start, stop)


def filter_grid(kernels: np.ndarray, *, ncols: int = 8,
                title: str = "the learned filters") -> Figure:
    """One panel per filter of a Conv2D kernel shaped (kh, kw, c_in, c_out), as Keras keeps it.

    With one input channel each filter is drawn in a diverging colour map, white at 0, red
    positive and blue negative, on one scale for all filters so they compare; with three
    (RGB) each filter is shown as a colour patch scaled to its own range; with more, the mean
    over the input channels.
    """
    kernels = np.asarray(kernels, dtype=float)
    if kernels.ndim != 4:
        raise ValueError(f"kernels must be (kh, kw, c_in, c_out), got shape {kernels.shape}")
    kh, kw, c_in, c_out = kernels.shape
    fig, axes = _panels(c_out, ncols)
    limit = np.abs(kernels).max() or 1.0
    for i, ax in enumerate(axes.ravel()):
        ax.axis("off")
        if i >= c_out:
            continue
        kernel = kernels[:, :, :, i]
        if c_in == 3:
            low, high = kernel.min(), kernel.max()
            ax.imshow((kernel - low) / (high - low or 1.0), interpolation="nearest")
        else:
            ax.imshow(kernel.mean(axis=2), cmap="RdBu_r", vmin=-limit, vmax=limit,
                      interpolation="nearest")
        ax.set_title(str(i), fontsize=8)
    fig.suptitle(title)
    return style.describe(fig, f"{title}: {c_out} filters of {kh}x{kw}")


def activation_grid(maps: np.ndarray, *, ncols: int = 8,
                    title: str = "activation maps") -> Figure:
    """One panel per channel of a layer's output for one image, shaped (h, w, channels).

    Each map is drawn in greys on the scale of all maps (black 0, white the largest value
    of any map), so a bright map is a filter that responded strongly.
    """
    maps = np.asarray(maps, dtype=float)
    if maps.ndim != 3:
        raise ValueError(f"maps must be one image's (h, w, channels), got shape {maps.shape}")
    h, w, channels = maps.shape
    fig, axes = _panels(channels, ncols)
    low, high = min(maps.min(), 0.0), maps.max()
    for i, ax in enumerate(axes.ravel()):
        ax.axis("off")
        if i >= channels:
            continue
        ax.imshow(maps[:, :, i], cmap="gray", vmin=low, vmax=high if high > low else low + 1,
                  interpolation="nearest")
        ax.set_title(str(i), fontsize=8)
    fig.suptitle(title)
    return style.describe(fig, f"{title}: {channels} maps of {h}x{w}")


def _panels(n: int, ncols: int) -> tuple[Figure, np.ndarray]:
    """A column-wide figure of square panels, ``ncols`` a row, enough rows for ``n``; the
    axes as a 2-D array, a suptitle's room above."""
    nrows = math.ceil(n / ncols)
    cell = style.COLUMN_INCHES / ncols
    return plt.subplots(nrows, ncols, figsize=(style.COLUMN_INCHES, cell * nrows + 0.5),
                        squeeze=False, layout="constrained")
