"""The interactive convolution explorer: a widget that runs in the reader's browser.

A lesson shows it with ``explorer.show({"cat": photo, "digit": digit})``. The page then holds
a ``<div class="conv-explorer">`` carrying the greyscale images and the lesson's kernel bank
as data; ``convlab/publish/theme/conv-explorer.js`` (served with the site, no server) draws
the controls and computes the output with the same rule as :func:`convlab.convolution.conv2d`
(cross-correlation, Keras's "valid"/"same" padding, any stride).

The div also carries a few outputs that the build computed with :func:`~convlab.convolution.conv2d`
(``data-checks``): the browser test sets the widget to each of those settings and compares its
pixels with them, so the widget cannot drift from the reference implementation.
"""

from __future__ import annotations

import base64
import html
import json
from collections.abc import Mapping
from typing import Any

import numpy as np

from convlab import convolution, report


def base64_bytes(array: np.ndarray) -> str:
    """An array's bytes (C order) as base64 text, for a widget's data attribute."""
    return base64.b64encode(np.ascontiguousarray(array).tobytes()).decode("ascii")


def _encode(image: np.ndarray) -> dict[str, Any]:
    pixels = np.clip(np.asarray(image, dtype=np.float64), 0, 255).round().astype(np.uint8)
    if pixels.ndim != 2:
        raise ValueError(f"explorer images are greyscale (H, W), got shape {pixels.shape}")
    return {"height": int(pixels.shape[0]), "width": int(pixels.shape[1]),
            "pixels": base64_bytes(pixels)}


def checks(images: Mapping[str, np.ndarray], settings: list[tuple[str, str, int, str]]
           ) -> list[dict[str, Any]]:
    """Reference outputs for ``(image, kernel, stride, padding)`` settings, by conv2d.

    Each check holds the output shape and five (row, column, value) samples: the four corners
    and the centre."""
    found = []
    for image_name, kernel_name, stride, padding in settings:
        pixels = np.clip(np.asarray(images[image_name], np.float64), 0, 255).round()
        out = convolution.conv2d(pixels, convolution.kernel(kernel_name), stride=stride,
                                 padding=padding)
        h, w = out.shape
        spots = [(0, 0), (0, w - 1), (h - 1, 0), (h - 1, w - 1), (h // 2, w // 2)]
        found.append({"image": image_name, "kernel": kernel_name, "stride": stride,
                      "padding": padding, "shape": [h, w],
                      "samples": [[r, c, float(out[r, c])] for r, c in spots]})
    return found


def markup(images: Mapping[str, np.ndarray], kernels: Mapping[str, np.ndarray] | None = None,
           settings: list[tuple[str, str, int, str]] | None = None) -> str:
    """The widget's HTML: a div whose data attributes hold images, kernels and checks."""
    if not images:
        raise ValueError("the explorer needs at least one image")
    bank = {name: np.asarray(k, np.float64).tolist()
            for name, k in (kernels or convolution.KERNELS).items()}
    first = next(iter(images))
    settings = settings or [(first, "edge", 1, "valid"), (first, "box_blur_3", 2, "same"),
                            (first, "sobel_x", 3, "valid")]
    data = {
        "images": {name: _encode(image) for name, image in images.items()},
        "kernels": bank,
        "checks": checks(images, settings),
    }
    return widget("conv-explorer", data)


def widget(css_class: str, data: Mapping[str, Any]) -> str:
    """A widget's div: ``data`` as JSON in ``data-*`` attributes, and a line for readers
    without JavaScript (the script that finds the div by ``css_class`` replaces it)."""
    attributes = " ".join(f'data-{key}="{html.escape(json.dumps(value))}"'
                          for key, value in data.items())
    return (f'<div class="{css_class}" {attributes}>'
            "<p><em>The interactive explorer needs JavaScript: it runs in your browser on "
            "the published site.</em></p></div>")


def display(markup_html: str, name: str) -> None:
    """Show a widget's markup in a notebook (or print a note naming it in a script)."""
    if report.in_notebook():
        from IPython.display import HTML
        from IPython.display import display as ipython_display

        ipython_display(HTML(markup_html))
    else:
        print(f"(the interactive {name} shows on the lesson's web page)")


def show(images: Mapping[str, np.ndarray], kernels: Mapping[str, np.ndarray] | None = None
         ) -> None:
    """Display the explorer in a notebook (or print a note when run as a script)."""
    display(markup(images, kernels), "convolution explorer")
