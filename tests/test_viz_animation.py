"""convlab.viz.animation: the sliding window as a small GIF."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402

from convlab.viz import animation  # noqa: E402


def test_sliding_window_gif_is_a_small_gif():
    image = np.arange(16.0).reshape(4, 4)
    data = animation.sliding_window_gif(image, np.ones((3, 3)), dpi=30)
    assert data[:6] in (b"GIF87a", b"GIF89a")
    assert len(data) < 300_000
