"""Convolution over several input channels: one filter's slices summed into one feature map,
and a bank of filters giving a stack of maps.

Both functions only draw; the lesson computes the maps (with :func:`convlab.convolution.conv2d`)
and passes them in. Maps are drawn divided by a largest magnitude $m$, 0 mid-grey, $-m$ black
and $+m$ white, so that both signs show; each figure gives its $m$. Like every figure of
:mod:`convlab.viz`, each returns the ``Figure`` with its alt text (:func:`convlab.style.describe`).
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from fractions import Fraction

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from convlab import style

WIDTH_INCHES = 4.6  # narrower than the column, so that a phone shrinks it little


def channel_sum(image: np.ndarray, kernel: np.ndarray, bias: float,
                per_channel: np.ndarray, output: np.ndarray, *,
                names: Sequence[str] = ("red", "green", "blue"), title: str = "") -> Figure:
    """How one filter reads a C-channel image: a row per channel, then the sum.

    image: (H, W, C), values 0..255 (a colour image when C is 3); kernel: (kh, kw, C), the
    filter's slice for each channel; per_channel: (H', W', C), channel c of the image
    correlated with slice c; output: (H', W'), their sum plus ``bias``. Row c shows channel
    c in greys, slice c with its weights written in, and the correlation; the last row shows
    the whole image, the bias and the output. The correlations and the output share one
    scale, $\\pm m$ with $m$ their largest magnitude.
    """
    image = np.asarray(image, dtype=float)
    kernel = np.asarray(kernel, dtype=float)
    per_channel = np.asarray(per_channel, dtype=float)
    output = np.asarray(output, dtype=float)
    if image.ndim != 3 or kernel.ndim != 3 or per_channel.ndim != 3 or output.ndim != 2:
        raise ValueError(f"expected image (H, W, C), kernel (kh, kw, C), per_channel "
                         f"(H', W', C) and output (H', W'); got {image.shape}, {kernel.shape}, "
                         f"{per_channel.shape} and {output.shape}")
    channels = image.shape[2]
    if kernel.shape[2] != channels or per_channel.shape != (*output.shape, channels) \
            or len(names) != channels:
        raise ValueError(f"{channels} channels in the image, but kernel {kernel.shape}, "
                         f"per_channel {per_channel.shape}, output {output.shape} and "
                         f"{len(names)} names")
    m = float(max(np.abs(per_channel).max(), np.abs(output).max())) or 1.0
    fig, axes = plt.subplots(channels + 1, 3, figsize=(WIDTH_INCHES, 1.45 * (channels + 1) + 0.5),
                             layout="constrained", squeeze=False)
    for c, name in enumerate(names):
        axes[c, 0].imshow(image[:, :, c], cmap="gray", vmin=0, vmax=255, interpolation="none")
        axes[c, 0].set_title(f"{name} channel", fontsize=10)
        _draw_slice(axes[c, 1], kernel[:, :, c], float(np.abs(kernel).max()) or 1.0)
        axes[c, 1].set_title(f"{name} slice", fontsize=10)
        axes[c, 2].imshow(per_channel[:, :, c] / m, cmap="gray", vmin=-1, vmax=1,
                          interpolation="none")
        axes[c, 2].set_title("+ correlation" if c else "correlation", fontsize=10)
    last = axes[channels]
    shown = image / 255 if channels == 3 else image.mean(axis=2) / 255
    last[0].imshow(shown, cmap=None if channels == 3 else "gray", interpolation="none")
    last[0].set_title("the image", fontsize=10)
    last[1].text(0.5, 0.5, f"+ bias\n{bias:g}", ha="center", va="center", fontsize=11,
                 transform=last[1].transAxes)
    last[2].imshow(output / m, cmap="gray", vmin=-1, vmax=1, interpolation="none")
    last[2].set_title("= feature map", fontsize=10)
    for ax in axes.ravel():
        ax.axis("off")
    fig.suptitle(f"{title or f'one filter on {channels} channels'}\n(maps: black -{m:.0f}, "
                 f"grey 0, white +{m:.0f})", fontsize=10)
    return style.describe(fig, f"{title or 'one filter on several channels'}: each channel "
                               f"correlated with its slice of the filter, the "
                               f"{channels} results summed with the bias {bias:g} into one "
                               f"{output.shape[0]}x{output.shape[1]} feature map")


def filter_bank(image: np.ndarray, kernels: np.ndarray, maps: np.ndarray,
                names: Sequence[str], *, title: str = "") -> Figure:
    """A bank of filters on one image: each filter above the feature map it makes.

    image: (H, W, 3) colour, values 0..255; kernels: (kh, kw, 3, C_out) in Keras's layout;
    maps: (H', W', C_out), the layer's output; names: C_out names. Each filter is drawn as a
    colour patch scaled to its own range (a filter that weighs the red channel most looks
    red); each map on its own scale $\\pm m$ (given under it), 0 mid-grey.
    """
    image = np.asarray(image, dtype=float)
    kernels = np.asarray(kernels, dtype=float)
    maps = np.asarray(maps, dtype=float)
    if image.ndim != 3 or image.shape[2] != 3 or kernels.ndim != 4 or kernels.shape[2] != 3:
        raise ValueError(f"expected a colour image (H, W, 3) and kernels (kh, kw, 3, C_out), "
                         f"got {image.shape} and {kernels.shape}")
    n = kernels.shape[3]
    if maps.ndim != 3 or maps.shape[2] != n or len(names) != n:
        raise ValueError(f"{n} filters, but maps {maps.shape} and {len(names)} names")
    fig, axes = plt.subplots(2, n + 1, figsize=(WIDTH_INCHES, 2.8), layout="constrained",
                             squeeze=False, height_ratios=[1, 2])
    axes[1, 0].imshow(image / 255, interpolation="none")
    axes[1, 0].set_title("image", fontsize=10)
    for f, name in enumerate(names):
        kernel = kernels[:, :, :, f]
        low, high = kernel.min(), kernel.max()
        axes[0, f + 1].imshow((kernel - low) / (high - low or 1.0), interpolation="none")
        axes[0, f + 1].set_title(textwrap.fill(name, 10), fontsize=10)
        m = float(np.abs(maps[:, :, f]).max()) or 1.0
        axes[1, f + 1].imshow(maps[:, :, f] / m, cmap="gray", vmin=-1, vmax=1,
                              interpolation="none")
        axes[1, f + 1].set_title(f"map {f}\n±{m:.0f}", fontsize=10)
    for ax in axes.ravel():
        ax.axis("off")
    if title:
        fig.suptitle(title, fontsize=10)
    return style.describe(fig, f"{title or 'a bank of filters'}: {n} filters ({', '.join(names)}) "
                               f"each above its {maps.shape[0]}x{maps.shape[1]} feature map")


def _draw_slice(ax, weights: np.ndarray, limit: float) -> None:
    """A kernel slice (kh, kw) as cells coloured on one diverging scale for all slices (red
    positive, blue negative, pale enough for black writing), each weight written in, as a
    short fraction where it is one (1/9, -1/18)."""
    ax.imshow(weights, cmap="RdBu_r", vmin=-2 * limit, vmax=2 * limit, interpolation="none")
    for (i, j), v in np.ndenumerate(weights):
        ax.text(j, i, _short(v), ha="center", va="center", fontsize=9,
                color=style.TEXT_ON_LIGHT)
    rows, cols = weights.shape
    ax.vlines(np.arange(cols + 1) - 0.5, -0.5, rows - 0.5, color=style.GREY, lw=0.8)
    ax.hlines(np.arange(rows + 1) - 0.5, -0.5, cols - 0.5, color=style.GREY, lw=0.8)


def _short(v: float) -> str:
    """A weight in few characters: "1/9", "-1/18", "0", else two significant digits."""
    fraction = Fraction(float(v)).limit_denominator(32)
    if abs(float(fraction) - v) < 1e-9:
        return str(fraction)
    return f"{v:.2g}"
