"""convlab.viz.images: the right number of panels, and clear errors for bad input."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from convlab import style  # noqa: E402
from convlab.viz import images  # noqa: E402


def test_image_grid_layout_and_titles():
    pictures = np.zeros((6, 8, 8, 3), dtype=np.uint8)
    fig = images.image_grid(pictures, [f"t{i}" for i in range(6)], ncols=4)
    assert len(fig.axes) == 8  # two rows of four; the last two empty
    assert [ax.get_title() for ax in fig.axes[:6]] == [f"t{i}" for i in range(6)]
    assert len(fig.axes[6].images) == 0
    grey = images.image_grid(np.zeros((2, 5, 5, 1)), ncols=2)
    assert grey.axes[0].images[0].get_cmap().name == "gray"


def test_image_grid_rejects_bad_input():
    with pytest.raises(ValueError, match="shape"):
        images.image_grid(np.zeros((4, 4)))
    with pytest.raises(ValueError, match="2 images but 1 titles"):
        images.image_grid(np.zeros((2, 4, 4)), ["one"])


def test_show_matrix_writes_values_and_outlines_a_window():

    fig, ax = plt.subplots()
    values = np.array([[1.0, 2.0], [np.nan, 4.0]])
    images.show_matrix(ax, values, title="m", highlight=(0, 0, 1, 2))
    assert sorted(t.get_text() for t in ax.texts) == ["1", "2", "4"]  # NaN left blank
    assert len(ax.patches) == 1 and ax.get_title() == "m"
    with pytest.raises(ValueError, match="2-D"):
        images.show_matrix(ax, np.zeros(3))
    plt.close(fig)


def test_show_matrix_panels_share_a_colour_scale_when_given_one():
    fig, (a, b) = plt.subplots(1, 2)
    images.show_matrix(a, np.zeros((2, 2)), limits=(-2, 2))
    images.show_matrix(b, np.full((2, 2), 2.0), limits=(-2, 2))
    assert a.images[0].get_clim() == b.images[0].get_clim() == (-2, 2)
    plt.close(fig)


def test_show_matrix_writes_light_text_on_dark_cells_at_both_ends_of_a_diverging_map():
    fig, ax = plt.subplots()
    images.show_matrix(ax, np.array([[-2.0, 0.0, 2.0]]), cmap="RdBu_r", limits=(-2, 2))
    colour = {t.get_text(): t.get_color() for t in ax.texts}
    assert colour["-2"] == colour["2"] == style.TEXT_ON_DARK
    assert colour["0"] == style.TEXT_ON_LIGHT
    plt.close(fig)


def test_filter_rows_one_row_per_filter():
    image = np.zeros((10, 20))
    kernel = np.ones((3, 3)) / 9
    fig = images.filter_rows(image, {"blur": (kernel, np.zeros((8, 18))),
                                  "edge": (np.eye(3), np.full((8, 18), 300.0))}, title="t")
    assert len(fig.axes) == 5  # the original once, then kernel and output per filter
    assert fig.axes[0].get_title() == "original 10x20"
    assert fig.axes[4].get_title() == "edge: 8x18"
    assert fig.axes[4].images[0].get_array().max() == 255  # clipped like a 0..255 image
    with pytest.raises(ValueError, match="at least one"):
        images.filter_rows(image, {})


def test_filter_grid_one_panel_per_filter():
    fig = images.filter_grid(np.random.default_rng(0).normal(size=(3, 3, 1, 10)), ncols=4)
    drawn = [ax for ax in fig.axes if ax.images]
    assert len(fig.axes) == 12 and len(drawn) == 10
    assert drawn[0].images[0].get_array().shape == (3, 3)
    rgb = images.filter_grid(np.ones((3, 3, 3, 2)))
    assert rgb.axes[0].images[0].get_array().shape == (3, 3, 3)
    with pytest.raises(ValueError, match="kh, kw, c_in, c_out"):
        images.filter_grid(np.zeros((3, 3, 4)))


def test_activation_grid_one_panel_per_channel():
    fig = images.activation_grid(np.zeros((26, 26, 5)), ncols=4, title="maps")
    assert sum(1 for ax in fig.axes if ax.images) == 5
    assert fig.get_suptitle() == "maps" and "5 maps of 26x26" in fig.get_label()
    with pytest.raises(ValueError, match="one image's"):
        images.activation_grid(np.zeros((1, 26, 26, 5)))


def test_filter_rows_crop_titles_say_what_is_shown_and_scale_keeps_every_value():
    image = np.arange(200.0).reshape(10, 20)
    output = np.arange(144.0).reshape(8, 18) - 700          # valid mode, 3x3: one pixel less
    fig = images.filter_rows(image, {"random": (np.eye(3), output)},
                             crop=(slice(2, 7), slice(4, 14)), scale=True)
    assert fig.axes[0].get_title() == "original: 5x10 of 10x20"
    assert fig.axes[2].get_title() == "random: 5x10 of 8x18\nblack -700, white +700"
    shown = fig.axes[2].images[0].get_array()
    np.testing.assert_allclose(shown, output[1:6, 3:13] / 700)   # the same scene, unclipped
    assert fig.axes[2].images[0].get_clim() == (-1, 1)           # 0 is mid-grey
    plt.close(fig)
