"""convlab.viz.channels: one row per channel and one column per filter, the shared scale, the
weights written as short fractions, and clear errors for shapes that do not fit together."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from convlab import style  # noqa: E402
from convlab.convolution import conv2d  # noqa: E402
from convlab.viz import channels  # noqa: E402


def _red_filter_on(image):
    kernel = np.zeros((3, 3, 3))
    kernel[:, :, 0], kernel[:, :, 1:] = 1 / 9, -1 / 18
    per_channel = np.stack([conv2d(image[:, :, c], kernel[:, :, c]) for c in range(3)], -1)
    return kernel, per_channel, per_channel.sum(axis=-1) - 20


def test_channel_sum_one_row_per_channel_and_the_sum():
    image = np.random.default_rng(0).uniform(0, 255, (8, 8, 3))
    kernel, per_channel, output = _red_filter_on(image)
    fig = channels.channel_sum(image, kernel, -20.0, per_channel, output, title="red")
    assert len(fig.axes) == 4 * 3   # red, green, blue rows, then image / bias / map
    assert [ax.get_title() for ax in fig.axes[:3]] == ["red channel", "red slice", "correlation"]
    assert sorted({t.get_text() for t in fig.axes[1].texts}) == ["1/9"]
    assert sorted({t.get_text() for t in fig.axes[4].texts}) == ["-1/18"]
    assert "bias" in fig.axes[10].texts[0].get_text()
    m = max(np.abs(per_channel).max(), np.abs(output).max())
    shown = fig.axes[11].images[0].get_array()
    assert np.allclose(shown, output / m)   # the map on the correlations' scale
    assert "6x6 feature map" in style.description(fig)
    plt.close(fig)


def test_filter_bank_one_column_per_filter():
    image = np.random.default_rng(1).uniform(0, 255, (10, 10, 3))
    kernels = np.random.default_rng(2).normal(size=(3, 3, 3, 4))
    maps = conv2d(image, kernels)
    fig = channels.filter_bank(image, kernels, maps, ["a", "b", "c", "a long name"])
    assert len(fig.axes) == 2 * 5   # a row of filters above a row of maps, image first
    assert fig.axes[6].get_title() == "map 0\n" + f"±{np.abs(maps[:, :, 0]).max():.0f}"
    assert fig.axes[4].get_title() == "a long\nname"   # wrapped, so neighbours do not overlap
    plt.close(fig)


def test_shapes_that_do_not_fit_are_refused():
    image = np.zeros((8, 8, 3))
    kernel, per_channel, output = _red_filter_on(image)
    with pytest.raises(ValueError, match="expected image"):
        channels.channel_sum(image[:, :, 0], kernel, 0.0, per_channel, output)
    with pytest.raises(ValueError, match="3 channels"):
        channels.channel_sum(image, kernel[:, :, :2], 0.0, per_channel, output)
    with pytest.raises(ValueError, match="4 filters"):
        channels.filter_bank(image, np.zeros((3, 3, 3, 4)), np.zeros((6, 6, 3)), list("abcd"))
    with pytest.raises(ValueError, match="colour image"):
        channels.filter_bank(image[:, :, :1], np.zeros((3, 3, 1, 2)), np.zeros((6, 6, 2)), "ab")
