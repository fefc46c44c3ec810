"""The NumPy reference convolution against Keras and SciPy, the course's worked numbers, errors."""

from __future__ import annotations

import functools
import importlib.util
import inspect
import math
import re
import subprocess
import sys
from pathlib import Path

import keras
import numpy as np
import pytest
import scipy.signal
from hypothesis import given, settings
from hypothesis import strategies as st

from convlab import convolution as conv
from convlab.convolution import (
    KERNELS,
    apply_with_keras,
    box_blur,
    conv2d,
    conv2d_gradients,
    convolve2d,
    display_range,
    kernel,
    output_size,
    pool2d,
)

FAST = settings(max_examples=25, deadline=None)
# Keras computes in float32; the reference in float64.
F32 = {"rtol": 1e-4, "atol": 1e-4}

seeds = st.integers(0, 2**32 - 1)
strides = st.integers(1, 3) | st.tuples(st.integers(1, 3), st.integers(1, 3))
paddings = st.sampled_from(["valid", "same"])


def _pair(value: int | tuple[int, int]) -> tuple[int, int]:
    return value if isinstance(value, tuple) else (value, value)


def _expected_hw(h: int, w: int, window: tuple[int, int], stride, padding: str) -> tuple[int, int]:
    """The output size Keras documents: valid floor((D - N) / S) + 1, same ceil(D / S)."""
    sh, sw = _pair(stride)
    if padding == "same":
        return math.ceil(h / sh), math.ceil(w / sw)
    return (h - window[0]) // sh + 1, (w - window[1]) // sw + 1


# --- Keras layers, built once per configuration and given fixed weights per example. ---


@functools.cache
def _keras_conv(kh: int, kw: int, c_in: int, filters: int, stride, padding: str):
    layer = keras.layers.Conv2D(filters, (kh, kw), strides=stride, padding=padding)
    layer.build((None, None, None, c_in))
    return layer


@functools.cache
def _keras_pool(mode: str, size, stride, padding: str):
    cls = keras.layers.MaxPooling2D if mode == "max" else keras.layers.AveragePooling2D
    return cls(pool_size=size, strides=stride, padding=padding)


def keras_conv2d(image, kernels, bias, stride, padding) -> np.ndarray:
    layer = _keras_conv(*kernels.shape, stride, padding)
    layer.set_weights([kernels.astype(np.float32), bias.astype(np.float32)])
    return keras.ops.convert_to_numpy(layer(image[None].astype(np.float32)))[0]


def keras_pool2d(x, size, stride, mode, padding) -> np.ndarray:
    layer = _keras_pool(mode, size, stride, padding)
    return keras.ops.convert_to_numpy(layer(x[None].astype(np.float32)))[0]


# --- Against Keras. ---


@st.composite
def conv_cases(draw):
    kh, kw = draw(st.integers(1, 4)), draw(st.integers(1, 4))  # odd and even sizes
    c_in, filters = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    stride, padding = draw(strides), draw(paddings)
    low_h, low_w = (1, 1) if padding == "same" else (kh, kw)  # "same" pads small images
    h, w = draw(st.integers(low_h, kh + 6)), draw(st.integers(low_w, kw + 6))
    rng = np.random.default_rng(draw(seeds))
    image = rng.uniform(-1, 1, (h, w, c_in))
    kernels = rng.uniform(-1, 1, (kh, kw, c_in, filters))
    bias = rng.uniform(-1, 1, filters)
    return image, kernels, bias, stride, padding


@FAST
@given(conv_cases())
def test_conv2d_matches_keras_conv2d(case):
    image, kernels, bias, stride, padding = case
    ours = conv2d(image, kernels, bias, stride=stride, padding=padding)
    expected = keras_conv2d(image, kernels, bias, stride, padding)
    h, w = _expected_hw(*image.shape[:2], kernels.shape[:2], stride, padding)
    assert ours.shape == expected.shape == (h, w, kernels.shape[3])
    assert ours.dtype == np.float64
    np.testing.assert_allclose(ours, expected, **F32)


@st.composite
def pool_cases(draw):
    size = draw(st.integers(1, 3) | st.tuples(st.integers(1, 3), st.integers(1, 3)))
    stride = draw(st.none() | strides)
    mode, padding = draw(st.sampled_from(["max", "average"])), draw(paddings)
    ph, pw = _pair(size)
    low_h, low_w = (1, 1) if padding == "same" else (ph, pw)
    h, w = draw(st.integers(low_h, ph + 6)), draw(st.integers(low_w, pw + 6))
    x = np.random.default_rng(draw(seeds)).uniform(-1, 1, (h, w, draw(st.integers(1, 3))))
    return x, size, stride, mode, padding


@FAST
@given(pool_cases())
def test_pool2d_matches_keras_pooling(case):
    x, size, stride, mode, padding = case
    ours = pool2d(x, size, stride=stride, mode=mode, padding=padding)
    expected = keras_pool2d(x, size, stride, mode, padding)
    h, w = _expected_hw(*x.shape[:2], _pair(size), size if stride is None else stride, padding)
    assert ours.shape == expected.shape == (h, w, x.shape[2])
    np.testing.assert_allclose(ours, expected, **F32)


def test_average_pooling_same_ignores_padded_cells():
    x = np.ones((3, 3))
    # Windows hanging over the edge would average in zeros if padding counted.
    np.testing.assert_array_equal(pool2d(x, 2, mode="average", padding="same"), np.ones((2, 2)))
    np.testing.assert_array_equal(pool2d(-x, 2, mode="max", padding="same"), -np.ones((2, 2)))


@pytest.mark.parametrize("padding", ["valid", "same"])
@pytest.mark.parametrize("stride", [1, 2])
def test_apply_with_keras_matches_conv2d(padding, stride):
    rng = np.random.default_rng(3)
    image = rng.uniform(0, 255, (12, 10))
    for k in (rng.normal(size=(3, 3)), rng.normal(size=(4, 2))):
        ours = conv2d(image, k, 1.5, stride=stride, padding=padding)
        theirs = apply_with_keras(image, k, padding=padding, stride=stride, bias=1.5)
        assert theirs.shape == ours.shape and theirs.dtype == np.float64
        np.testing.assert_allclose(theirs, ours, rtol=1e-5, atol=1e-3)


# --- Against SciPy, and the kernel flip. ---


@st.composite
def image_and_kernel(draw, odd: bool = False):
    sizes = st.sampled_from([1, 3, 5]) if odd else st.integers(1, 4)
    kh, kw = draw(sizes), draw(sizes)
    h, w = draw(st.integers(kh, kh + 7)), draw(st.integers(kw, kw + 7))
    rng = np.random.default_rng(draw(seeds))
    return rng.normal(size=(h, w)), rng.normal(size=(kh, kw))


@FAST
@given(image_and_kernel())
def test_conv2d_is_scipy_correlate2d(case):
    image, k = case
    np.testing.assert_allclose(conv2d(image, k), scipy.signal.correlate2d(image, k, "valid"))


@FAST
@given(image_and_kernel(odd=True), st.sampled_from(["valid", "same"]))
def test_convolve2d_is_scipy_convolve2d(case, mode):
    image, k = case
    np.testing.assert_allclose(convolve2d(image, k, mode), scipy.signal.convolve2d(image, k, mode))


@FAST
@given(image_and_kernel())
def test_convolution_is_correlation_with_the_kernel_flipped(case):
    image, k = case
    np.testing.assert_allclose(conv2d(image, k), convolve2d(image, np.flip(k)))
    np.testing.assert_allclose(convolve2d(image, k), conv2d(image, k[::-1, ::-1]))


def test_flip_matters_for_an_asymmetric_kernel_only():
    image = np.random.default_rng(0).normal(size=(8, 8))
    sobel = kernel("sobel_x")  # flipping it on both axes negates it
    assert not np.allclose(conv2d(image, sobel), convolve2d(image, sobel))
    np.testing.assert_allclose(conv2d(image, sobel), -convolve2d(image, sobel))
    blur = kernel("box_blur_3")  # symmetric: no difference
    np.testing.assert_allclose(conv2d(image, blur), convolve2d(image, blur))


# --- Sizes. ---


@FAST
@given(st.integers(1, 12), st.integers(1, 5), st.integers(0, 3), st.integers(1, 4), seeds)
def test_output_size_counts_window_positions(d, n, p, s, seed):
    if n > d + 2 * p:
        with pytest.raises(ValueError, match="expected"):
            output_size(d, n, p, s)
        return
    positions = len(range(0, d + 2 * p - n + 1, s))  # every start that leaves room for n
    assert output_size(d, n, p, s) == positions
    image = np.random.default_rng(seed).normal(size=(d, d + 1))
    padded = np.pad(image, p)
    assert conv2d(padded, np.ones((n, n)), stride=s).shape == (
        positions,
        output_size(d + 1, n, p, s),
    )


@pytest.mark.parametrize("d, n, s", [(7, 3, 1), (7, 3, 2), (8, 2, 3), (5, 5, 1), (9, 4, 2)])
def test_output_size_agrees_with_keras_shapes(d, n, s):
    size = output_size(d, n, stride=s)
    layer = _keras_conv(n, n, 1, 1, s, "valid")
    assert layer.compute_output_shape((1, d, d, 1)) == (1, size, size, 1)
    out = keras_conv2d(np.zeros((d, d, 1)), np.zeros((n, n, 1, 1)), np.zeros(1), s, "valid")
    assert out.shape == conv2d(np.zeros((d, d)), np.zeros((n, n)), stride=s).shape + (1,)
    assert out.shape == (size, size, 1)


def test_output_size_rejects_bad_values():
    for args in [(5, 6), (5, 3, 0, 0), (5, 3, -1), (-1, 1), (5, 0), (5.0, 3)]:
        with pytest.raises(ValueError, match="got"):
            output_size(*args)


def test_return_ranks():
    image, k = np.ones((5, 6)), np.ones((3, 3))
    assert conv2d(image, k).shape == (3, 4)
    assert conv2d(image[..., None], k).shape == (3, 4, 1)
    assert conv2d(image, np.ones((3, 3, 1, 4))).shape == (3, 4, 4)
    assert pool2d(image).shape == (2, 3) and pool2d(image[..., None]).shape == (2, 3, 1)


# --- The course's worked numbers. ---


def test_worked_example_top_left_is_35():
    image = np.zeros((4, 4))
    image[:3, :3] = [[10, 2, 0], [50, 7, 7], [0, 0, 25]]
    out = conv2d(image, kernel("example"))
    assert out.shape == (2, 2)
    assert out[0, 0] == 35


def test_worked_example_max_pool_3x3_stride_3_gives_25():
    rng = np.random.default_rng(0)
    feature_map = rng.integers(0, 30, (6, 6)).astype(float)
    feature_map[3:, 3:] = [[1, 0, 4], [8, 2, 5], [20, 13, 25]]
    pooled = pool2d(feature_map, 3, stride=3)
    assert pooled.shape == (2, 2)
    assert pooled[1, 1] == 25
    assert pooled[0, 0] == feature_map[:3, :3].max()


def test_302_by_403_image_sizes():
    image = np.random.default_rng(0).uniform(0, 255, (302, 403))
    assert conv2d(image, kernel("box_blur_3")).shape == (300, 401)
    assert conv2d(image, kernel("box_blur_7")).shape == (296, 397)
    assert (output_size(302, 3), output_size(403, 3)) == (300, 401)
    assert (output_size(302, 7), output_size(403, 7)) == (296, 397)
    for name in ("box_blur_3", "box_blur_7"):  # "same" keeps the size
        assert apply_with_keras(image, kernel(name), padding="same").shape == (302, 403)
    assert conv2d(image[:30, :41], kernel("box_blur_7"), padding="same").shape == (30, 41)


# --- The kernel bank. ---


def test_kernel_bank_sums_and_shapes():
    for name, k in KERNELS.items():
        assert k.ndim == 2 and k.dtype == np.float64, name
    for name in ("edge", "laplacian", "sobel_x", "sobel_y", "example"):
        assert KERNELS[name].sum() == 0, name
    for name in ("box_blur_3", "box_blur_7", "sharpen"):
        assert KERNELS[name].sum() == pytest.approx(1), name
    np.testing.assert_array_equal(KERNELS["laplacian"], [[0, 1, 0], [1, -4, 1], [0, 1, 0]])
    np.testing.assert_array_equal(KERNELS["edge"][1, 1], 8)
    np.testing.assert_array_equal(KERNELS["box_blur_7"], box_blur(7))
    assert box_blur(4).shape == (4, 4) and np.all(box_blur(4) == 1 / 16)


def test_kernel_returns_a_copy():
    k = kernel("sharpen")
    k[1, 1] = 0
    assert KERNELS["sharpen"][1, 1] == 5
    assert not KERNELS["sharpen"].flags.writeable


def test_unknown_kernel_names_the_available_ones():
    with pytest.raises(ValueError, match="sobelx") as error:
        kernel("sobelx")
    assert "Did you mean 'sobel_x'" in str(error.value)
    for name in KERNELS:
        assert name in str(error.value)
    with pytest.raises(ValueError, match="expected one of"):
        kernel("nothing like it")


def test_display_range():
    out = display_range([-300, -0.4, 0, 127.6, 300], offset=128)
    assert out.dtype == np.uint8
    np.testing.assert_array_equal(out, [0, 128, 128, 255, 255])
    np.testing.assert_array_equal(display_range([[-5.0, 42.4, 999]]), [[0, 42, 255]])


# --- Bad input: a ValueError that says what was expected and what was given. ---

IMG, K3 = np.ones((5, 5)), np.ones((3, 3))
BAD = {
    "kernel larger than image": (lambda: conv2d(np.ones((2, 2)), K3), "at most 2 x 2", "3 x 3"),
    "kernel larger, rgb": (
        lambda: conv2d(np.ones((2, 9, 3)), np.ones((3, 3, 3, 1))),
        "at most",
        "3 x 3",
    ),
    "pool window too big": (lambda: pool2d(np.ones((2, 2)), 3), "at most 2 x 2", "3 x 3"),
    "stride zero": (lambda: conv2d(IMG, K3, stride=0), "positive integer", "got 0"),
    "stride negative": (lambda: pool2d(IMG, stride=-1), "positive integer", "got -1"),
    "stride float": (lambda: conv2d(IMG, K3, stride=1.5), "positive integer", "got 1.5"),
    "stride triple": (lambda: conv2d(IMG, K3, stride=(1, 1, 1)), "pair", r"\(1, 1, 1\)"),
    "pool size zero": (lambda: pool2d(IMG, 0), "positive integer", "got 0"),
    "4-D image": (lambda: conv2d(np.ones((1, 5, 5, 1)), K3), "2-D or 3-D", "4-D"),
    "1-D image": (lambda: pool2d(np.ones(5)), "2-D or 3-D", "1-D"),
    "3-D kernel": (lambda: conv2d(IMG, np.ones((3, 3, 1))), "2-D or 4-D", "3-D"),
    "channels": (lambda: conv2d(np.ones((5, 5, 3)), K3), r"\(kh, kw, 3, C_out\)", r"\(3, 3\)"),
    "channels 4-D": (
        lambda: conv2d(np.ones((5, 5, 3)), np.ones((3, 3, 2, 4))),
        r"\(kh, kw, 3, C_out\)",
        r"\(3, 3, 2, 4\)",
    ),
    "bias shape": (lambda: conv2d(IMG, np.ones((3, 3, 1, 2)), [1, 2, 3]), r"\(2,\)", r"\(3,\)"),
    "padding": (lambda: conv2d(IMG, K3, padding="full"), "'valid', 'same'", "'full'"),
    "padding upper": (lambda: pool2d(IMG, padding="SAME"), "'valid', 'same'", "'SAME'"),
    "pool mode": (lambda: pool2d(IMG, mode="min"), "'max', 'average'", "'min'"),
    "convolve mode": (lambda: convolve2d(IMG, K3, "full"), "'valid', 'same'", "'full'"),
    "convolve 3-D": (lambda: convolve2d(np.ones((5, 5, 1)), K3), "2-D", "3-D"),
    "empty image": (lambda: conv2d(np.ones((0, 5)), K3), "not be empty", r"\(0, 5\)"),
    "empty kernel": (lambda: conv2d(IMG, np.ones((0, 3))), "not be empty", r"\(0, 3\)"),
    "strings": (lambda: conv2d([["a", "b"], ["c", "d"]], K3), "real numbers", "<U1"),
    "none": (lambda: pool2d(None), "real numbers", "object"),
    "complex": (lambda: conv2d(IMG * 1j, K3), "real numbers", "complex"),
    "ragged": (lambda: conv2d([[1, 2], [3]], K3), "numeric array", "inhomogeneous"),
    "keras 3-D": (lambda: apply_with_keras(np.ones((5, 5, 1)), K3), "2-D", "3-D"),
    "keras padding": (lambda: apply_with_keras(IMG, K3, padding="full"), "'same'", "'full'"),
    "keras stride": (lambda: apply_with_keras(IMG, K3, stride=0), "positive integer", "got 0"),
    "box blur size": (lambda: box_blur(0), ">= 1", "got 0"),
}


@pytest.mark.parametrize("name", BAD)
def test_bad_input_raises_value_error_saying_expected_and_given(name):
    call, expected, given_ = BAD[name]
    with pytest.raises(ValueError) as error:
        call()
    message = str(error.value)
    assert "got" in message, message
    assert re.search(expected, message), (expected, message)
    assert re.search(given_, message), (given_, message)


@st.composite
def anything_shaped(draw):
    image = draw(st.lists(st.integers(0, 5), min_size=1, max_size=4))
    k = draw(st.lists(st.integers(0, 4), min_size=1, max_size=5))
    stride = draw(st.integers(-1, 3) | st.tuples(st.integers(-1, 3), st.integers(-1, 3)))
    padding = draw(st.sampled_from(["valid", "same", "full"]))
    return tuple(image), tuple(k), stride, padding


@FAST
@given(anything_shaped())
def test_random_shapes_work_with_the_right_shape_or_raise_value_error(case):
    image_shape, k_shape, stride, padding = case
    sh, sw = _pair(stride)
    h, w = image_shape[:2] if len(image_shape) > 1 else (0, 0)
    channels = image_shape[2] if len(image_shape) == 3 else 1
    well_formed = (
        len(image_shape) in (2, 3)
        and len(k_shape) in (2, 4)
        and 0 not in image_shape + k_shape
        and (len(k_shape) == 2 and channels == 1 or len(k_shape) == 4 and k_shape[2] == channels)
        and min(sh, sw) >= 1
        and padding != "full"
    )
    fits = padding == "same" or (well_formed and k_shape[0] <= h and k_shape[1] <= w)
    try:
        out = conv2d(np.ones(image_shape), np.ones(k_shape), stride=stride, padding=padding)
    except ValueError as error:
        assert not (well_formed and fits), f"unexpected ValueError: {error}"
        assert "got" in str(error)
        return
    assert well_formed and fits
    filters = k_shape[3] if len(k_shape) == 4 else 1
    extra = () if len(image_shape) == 2 and len(k_shape) == 2 else (filters,)
    assert out.shape == _expected_hw(h, w, k_shape[:2], stride, padding) + extra


@FAST
@given(anything_shaped())
def test_random_pooling_shapes_work_or_raise_value_error(case):
    x_shape, window, stride, padding = case
    size = tuple(window[:2]) if len(window) >= 2 else window[0]
    (ph, pw), (sh, sw) = _pair(size), _pair(stride)
    well_formed = (
        len(x_shape) in (2, 3)
        and 0 not in x_shape
        and min(ph, pw, sh, sw) >= 1
        and padding != "full"
        and (padding == "same" or ph <= x_shape[0] and pw <= x_shape[1])
    )
    try:
        out = pool2d(np.ones(x_shape), size, stride=stride, padding=padding)
    except ValueError as error:
        assert not well_formed, f"unexpected ValueError: {error}"
        assert "got" in str(error)
        return
    assert well_formed
    assert out.shape == _expected_hw(*x_shape[:2], _pair(size), stride, padding) + x_shape[2:]


# --- How the module reads on a lesson page. ---


def test_module_imports_without_tensorflow():
    path = Path(conv.__file__)
    code = (
        "import importlib.util, sys\n"
        f"spec = importlib.util.spec_from_file_location('convolution', {str(path)!r})\n"
        "spec.loader.exec_module(importlib.util.module_from_spec(spec))\n"
        "assert 'tensorflow' not in sys.modules and 'keras' not in sys.modules, 'TF loaded'\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert importlib.util.find_spec("convlab.convolution") is not None


@pytest.mark.parametrize(
    "function", [output_size, conv2d, convolve2d, pool2d, kernel, apply_with_keras, display_range]
)
def test_public_functions_are_short_and_documented(function):
    source = inspect.getsource(function)
    assert len(source.splitlines()) <= 40, f"{function.__name__} is too long to read on a page"
    assert function.__doc__ and function.__annotations__


# --- Backpropagation through a convolution, against TensorFlow's automatic gradients. ---


@FAST
@given(conv_cases())
def test_conv2d_gradients_match_tensorflow(case):
    import tensorflow as tf

    image, kernels, bias, stride, padding = case
    out_shape = conv2d(image, kernels, bias, stride=stride, padding=padding).shape
    upstream = np.random.default_rng(1).uniform(-1, 1, out_shape)
    x, k, b = (tf.Variable(a.astype(np.float32)) for a in (image[None], kernels, bias))
    with tf.GradientTape() as tape:
        out = tf.nn.conv2d(x, k, strides=_pair(stride), padding=padding.upper()) + b
        loss = tf.reduce_sum(out * upstream[None].astype(np.float32))  # d loss / d out = upstream
    expected = [g.numpy() for g in tape.gradient(loss, [x, k, b])]
    ours = conv2d_gradients(image, kernels, upstream, stride=stride, padding=padding)
    for mine, theirs, name in zip(ours, (expected[0][0], *expected[1:]), ("image", "kernels",
                                                                          "bias"), strict=True):
        assert mine.shape == theirs.shape, name
        np.testing.assert_allclose(mine, theirs, **F32, err_msg=name)


@FAST
@given(image_and_kernel())
def test_with_stride_one_the_gradients_are_two_correlations(case):
    image, k = case   # one channel, one filter
    out = conv2d(image, k)
    upstream = np.random.default_rng(2).uniform(-1, 1, out.shape)
    d_image, d_kernels, d_bias = conv2d_gradients(image[..., None], k[:, :, None, None],
                                                  upstream[..., None])
    np.testing.assert_allclose(d_kernels[:, :, 0, 0], conv2d(image, upstream))
    np.testing.assert_allclose(d_image[..., 0],
                               scipy.signal.convolve2d(upstream, k, mode="full"))
    assert d_bias.shape == (1,) and np.isclose(d_bias[0], upstream.sum())


def test_a_gradient_of_the_wrong_shape_is_refused():
    with pytest.raises(ValueError, match=r"upstream must have the output's shape \(3, 3, 1\)"):
        conv2d_gradients(np.zeros((5, 5, 1)), np.zeros((3, 3, 1, 1)), np.zeros((5, 5, 1)))
