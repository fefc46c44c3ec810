"""The explorer's page data: images, kernels, and the build's reference outputs."""

from __future__ import annotations

import base64
import html
import json
import re

import numpy as np
import pytest

from convlab import convolution, explorer


def _data(markup: str) -> dict:
    return {key: json.loads(html.unescape(value))
            for key, value in re.findall(r'data-(\w+)="([^"]*)"', markup)}


def test_markup_carries_images_kernels_and_checks():
    rng = np.random.default_rng(0)
    image = rng.integers(0, 256, (12, 17)).astype(np.uint8)
    data = _data(explorer.markup({"noise": image}))
    encoded = data["images"]["noise"]
    pixels = np.frombuffer(base64.b64decode(encoded["pixels"]), np.uint8)
    np.testing.assert_array_equal(pixels.reshape(encoded["height"], encoded["width"]), image)
    assert data["kernels"]["edge"] == convolution.KERNELS["edge"].tolist()
    for check in data["checks"]:
        out = convolution.conv2d(image.astype(float), convolution.kernel(check["kernel"]),
                                 stride=check["stride"], padding=check["padding"])
        assert check["shape"] == list(out.shape)
        for row, col, value in check["samples"]:
            assert out[row, col] == pytest.approx(value)


def test_same_padding_with_stride_matches_the_output_size_formula():
    image = np.arange(7 * 9, dtype=float).reshape(7, 9)
    [check] = explorer.checks({"ramp": image}, [("ramp", "box_blur_3", 2, "same")])
    assert check["shape"] == [4, 5]  # ceil(7 / 2), ceil(9 / 2)


def test_colour_images_are_refused_clearly():
    with pytest.raises(ValueError, match=r"greyscale \(H, W\), got shape \(4, 4, 3\)"):
        explorer.markup({"rgb": np.zeros((4, 4, 3))})
    with pytest.raises(ValueError, match="at least one image"):
        explorer.markup({})


def test_custom_kernel_boxes_hide_when_another_kernel_is_picked():
    """The script hides the nine boxes with the `hidden` attribute; the stylesheet's
    `display: grid` would show them anyway without a rule that honours it."""
    from pathlib import Path

    import convlab.publish

    css = (Path(convlab.publish.__file__).parent / "theme" / "conv-explorer.css").read_text()
    rule = re.search(r"\.conv-explorer__custom\[hidden\]\s*\{([^}]*)\}", css)
    assert rule is not None and re.search(r"display:\s*none", rule.group(1))
    script = (Path(convlab.publish.__file__).parent / "theme" / "conv-explorer.js").read_text()
    assert 'custom.hidden = kernelBox.value !== "custom"' in script
