"""Convolution from scratch: NumPy reference versions of what a Conv2D layer computes.

The lessons read these functions as plain loops, one output position at a time, and check
them against Keras and SciPy.

**Cross-correlation or convolution?** A "convolutional" layer slides a kernel over the image
and, at every position, multiplies the window it covers element by element with the kernel
and adds the products up. That is *cross-correlation*: the kernel is used as written.
*Convolution*, as mathematics defines it (and :func:`scipy.signal.convolve2d` computes it),
first flips the kernel on both axes (upside down and left to right), then does the same
sliding sum. For a
symmetric kernel (a blur, the Laplacian) the two agree; for an asymmetric one (Sobel) they
differ by a sign or a mirror image. Deep-learning libraries skip the flip because the kernel
is learned anyway: a network that needs the flipped kernel simply learns it.

* :func:`conv2d` is cross-correlation, exactly what ``keras.layers.Conv2D`` computes.
* :func:`convolve2d` is true convolution: :func:`conv2d` with the kernel flipped.
* :func:`pool2d` is max or average pooling (``MaxPooling2D`` / ``AveragePooling2D``).
* :func:`conv2d_gradients` is backpropagation through :func:`conv2d`: how a loss changes with
  the kernels, the bias and the input, given how it changes with the output.
* :func:`output_size` is the size arithmetic: ``floor((D + 2P - N) / S) + 1``.
* :data:`KERNELS` / :func:`kernel` is a bank of classic hand-made filters.
* :func:`apply_with_keras` runs one of those filters through a real Keras layer.
* :func:`display_range` turns a filter's output into 0..255 pixels for showing.

Images are (H, W) greyscale or (H, W, C) with channels last, as Keras has them; sizes are
in pixels. Everything is computed in float64.
"""

from __future__ import annotations

import difflib
import math
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

PADDINGS = ("valid", "same")
POOL_MODES = ("max", "average")


def output_size(d: int, n: int, padding: int = 0, stride: int = 1) -> int:
    """How many positions a window of ``n`` pixels takes along an input of ``d`` pixels.

    ``padding`` pixels of zeros are added on *each* side; the window moves ``stride``
    pixels at a time. The result is ``floor((d + 2*padding - n) / stride) + 1``.
    For example a 3-pixel kernel on a 302-pixel row gives 300 positions.
    """
    for name, value in (("d", d), ("n", n), ("padding", padding)):
        _check_int(value, name, minimum=0)
    _check_int(stride, "stride", minimum=1)
    if n < 1 or n > d + 2 * padding:
        raise ValueError(
            f"the window must fit in the padded input: expected 1 <= n <= d + 2*padding "
            f"= {d + 2 * padding}, got n={n} (d={d}, padding={padding})"
        )
    return (d + 2 * padding - n) // stride + 1


def conv2d(
    image: ArrayLike,
    kernels: ArrayLike,
    bias: ArrayLike | None = None,
    *,
    stride: int | tuple[int, int] = 1,
    padding: str = "valid",
) -> np.ndarray:
    """Cross-correlate ``image`` with ``kernels``: what ``keras.layers.Conv2D`` computes.

    image: (H, W) or (H, W, C_in). kernels: (kh, kw) for one filter on a one-channel image,
    or (kh, kw, C_in, C_out) in Keras's layout. bias: a number or one per filter (C_out,).
    stride: pixels the window moves each step (an int, or (down, across)).
    padding: "valid" (no padding, the output shrinks) or "same" (zeros around the image so
    that the output is ceil(H / stride) by ceil(W / stride), as in Keras).
    Returns (H', W') for a 2-D image and a 2-D kernel, else (H', W', C_out).
    """
    x = _as_image(image, "image")  # (H, W, C_in)
    k = _as_kernels(kernels, channels=x.shape[2])  # (kh, kw, C_in, C_out)
    b = _as_bias(bias, filters=k.shape[3])  # (C_out,)
    sh, sw = _pair(stride, "stride")
    kh, kw = k.shape[:2]
    x, (out_h, out_w) = _pad_for_windows(x, (kh, kw), (sh, sw), padding, fill=0.0)
    out = np.zeros((out_h, out_w, k.shape[3]))
    for i in range(out_h):
        for j in range(out_w):
            window = x[i * sh : i * sh + kh, j * sw : j * sw + kw]  # (kh, kw, C_in)
            # Multiply the window by each filter element-wise and add everything up.
            out[i, j] = (window[..., None] * k).sum(axis=(0, 1, 2)) + b
    if np.ndim(image) == 2 and np.ndim(kernels) == 2:
        return out[:, :, 0]
    return out


def conv2d_gradients(
    image: ArrayLike,
    kernels: ArrayLike,
    upstream: ArrayLike,
    *,
    stride: int | tuple[int, int] = 1,
    padding: str = "valid",
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The gradients of a loss through :func:`conv2d`: ``(d_image, d_kernels, d_bias)``.

    image: (H, W, C_in); kernels: (kh, kw, C_in, C_out); upstream: (H', W', C_out), the
    gradient of the loss with respect to the layer's output (what backpropagation brings from
    the layers above). Returns arrays shaped like image, kernels and the bias (C_out,).

    Each output ``out[i, j, f]`` is a sum of ``window * kernels[..., f]`` plus ``bias[f]``, so
    by the chain rule every position adds ``upstream[i, j, f]`` times the window to the
    kernel's gradient, times the kernel to the window's gradient, and itself to the bias's.
    With stride 1 and "valid" padding these sums are two correlations: ``d_kernels[:, :, c, f]
    = conv2d(image[:, :, c], upstream[:, :, f])`` (the input correlated with the upstream
    gradient) and ``d_image[:, :, c] = sum over f of the full convolution of upstream[:, :, f]
    with kernels[:, :, c, f]`` (the upstream gradient spread back through the flipped kernel).
    """
    x = _as_image(image, "image")  # (H, W, C_in)
    k = _as_kernels(kernels, channels=x.shape[2])  # (kh, kw, C_in, C_out)
    g = _as_array(upstream, "upstream", ndims=(3,))  # (H', W', C_out)
    sh, sw = _pair(stride, "stride")
    kh, kw = k.shape[:2]
    padded, (out_h, out_w) = _pad_for_windows(x, (kh, kw), (sh, sw), padding, fill=0.0)
    if g.shape != (out_h, out_w, k.shape[3]):
        raise ValueError(f"upstream must have the output's shape {(out_h, out_w, k.shape[3])}, "
                         f"got {g.shape}")
    d_padded = np.zeros_like(padded)
    d_kernels = np.zeros_like(k)
    for i in range(out_h):
        for j in range(out_w):
            rows, cols = slice(i * sh, i * sh + kh), slice(j * sw, j * sw + kw)
            window = padded[rows, cols]  # (kh, kw, C_in)
            d_kernels += window[..., None] * g[i, j]  # each filter f: window * g[i, j, f]
            d_padded[rows, cols] += (k * g[i, j]).sum(axis=3)  # back through every filter
    top, left = ((_same_padding(x.shape[0], kh, sh)[0], _same_padding(x.shape[1], kw, sw)[0])
                 if padding == "same" else (0, 0))
    d_image = d_padded[top:top + x.shape[0], left:left + x.shape[1]]
    return d_image, d_kernels, g.sum(axis=(0, 1))


def convolve2d(image: ArrayLike, kernel: ArrayLike, mode: str = "valid") -> np.ndarray:
    """True convolution of a 2-D image (H, W) with a 2-D kernel (kh, kw).

    Convolution flips the kernel on both axes (rows reversed, columns reversed; a 180-degree
    turn) and then slides it like :func:`conv2d` does. So ``convolve2d(img, k)`` equals
    ``conv2d(img, k[::-1, ::-1])``. mode: "valid" or "same"; for odd kernel sizes this
    matches ``scipy.signal.convolve2d`` (an even kernel has no centre, and SciPy places
    "same" differently from Keras). Returns (H', W').
    """
    image = _as_array(image, "image", ndims=(2,))
    kernel = _as_array(kernel, "kernel", ndims=(2,))
    flipped = kernel[::-1, ::-1]
    return conv2d(image, flipped, padding=mode)


def pool2d(
    x: ArrayLike,
    size: int | tuple[int, int] = 2,
    *,
    stride: int | tuple[int, int] | None = None,
    mode: str = "max",
    padding: str = "valid",
) -> np.ndarray:
    """Max or average pooling of ``x`` (H, W) or (H, W, C), each channel on its own.

    size: the window, an int or (height, width). stride: how far it moves; by default the
    window size, so windows do not overlap. mode: "max" keeps each window's largest value,
    "average" its mean. padding: "valid" or "same" as in Keras; padded cells never count
    (they hold NaN, which ``np.nanmax`` and ``np.nanmean`` skip).
    Returns (H', W') or (H', W', C), like ``MaxPooling2D`` / ``AveragePooling2D``.
    """
    reduce = _pool_function(mode)  # np.nanmax or np.nanmean
    values = _as_image(x, "x")  # (H, W, C)
    ph, pw = _pair(size, "size")
    sh, sw = _pair(size if stride is None else stride, "stride")
    values, (out_h, out_w) = _pad_for_windows(values, (ph, pw), (sh, sw), padding, fill=np.nan)
    out = np.zeros((out_h, out_w, values.shape[2]))
    for i in range(out_h):
        for j in range(out_w):
            window = values[i * sh : i * sh + ph, j * sw : j * sw + pw]  # (ph, pw, C)
            out[i, j] = reduce(window, axis=(0, 1))
    return out[:, :, 0] if np.ndim(x) == 2 else out


def box_blur(n: int) -> np.ndarray:
    """An n x n averaging kernel: every weight is 1 / n**2, so the weights sum to 1."""
    _check_int(n, "n", minimum=1)
    return np.full((n, n), 1.0 / n**2)


#: Classic hand-made 2-D filters, by name (read-only arrays; :func:`kernel` gives a copy).
#: "edge" and "laplacian" respond to change and sum to 0; the blurs average and sum to 1;
#: "sobel_x" finds vertical edges, "sobel_y" horizontal ones; "example" is the worked example.
KERNELS: dict[str, np.ndarray] = {
    "edge": np.array([[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]], dtype=np.float64),
    "laplacian": np.array([[0, 1, 0], [1, -4, 1], [0, 1, 0]], dtype=np.float64),
    "box_blur_3": np.full((3, 3), 1 / 3**2),
    "box_blur_7": np.full((7, 7), 1 / 7**2),
    "sharpen": np.array([[0, -1, 0], [-1, 5, -1], [0, -1, 0]], dtype=np.float64),
    "sobel_x": np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], dtype=np.float64),
    "sobel_y": np.array([[-1, -2, -1], [0, 0, 0], [1, 2, 1]], dtype=np.float64),
    "example": np.array([[1, 0, -1], [0, 0, 0], [-1, 0, 1]], dtype=np.float64),
}
for _weights in KERNELS.values():
    _weights.setflags(write=False)  # shared by everyone: kernel(name) gives a copy to change


def kernel(name: str) -> np.ndarray:
    """A copy of the kernel called ``name`` in :data:`KERNELS` (a 2-D float64 array)."""
    if not isinstance(name, str) or name not in KERNELS:
        close = difflib.get_close_matches(str(name), KERNELS, n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise ValueError(f"unknown kernel {name!r}: expected one of {', '.join(KERNELS)}.{hint}")
    return KERNELS[name].copy()


def apply_with_keras(
    image: ArrayLike,
    kernel: ArrayLike,
    *,
    padding: str = "valid",
    stride: int | tuple[int, int] = 1,
    bias: float = 0.0,
) -> np.ndarray:
    """Filter a greyscale image (H, W) with a fixed 2-D kernel through a Keras Conv2D layer.

    The layer has one filter whose weights are set to ``kernel`` instead of being learned.
    Keras works on batches of images with channels, so the image goes in as (1, H, W, 1)
    and the (H', W') result comes back as float64. Should equal :func:`conv2d`.
    """
    import keras  # here, so that importing this module does not start TensorFlow

    image = _as_array(image, "image", ndims=(2,))
    kernel = _as_array(kernel, "kernel", ndims=(2,))
    _check_padding(padding)
    stride = _pair(stride, "stride")
    height, width = image.shape
    model = keras.Sequential(
        [
            keras.Input((height, width, 1)),
            keras.layers.Conv2D(
                1,
                kernel.shape,
                strides=stride,
                padding=padding,
                kernel_initializer=keras.initializers.Constant(kernel[:, :, None, None]),
                bias_initializer=keras.initializers.Constant(bias),
            ),
        ]
    )
    batch = image[None, :, :, None]  # (1, H, W, 1): a batch of one one-channel image
    result = keras.ops.convert_to_numpy(model(batch))  # (1, H', W', 1)
    return result[0, :, :, 0].astype(np.float64)


def display_range(x: ArrayLike, offset: float = 0.0) -> np.ndarray:
    """Turn a filter output into 0..255 uint8 pixels: add ``offset``, round, then clip.

    Use offset=128 for outputs centred on zero (edge and Sobel filters) so that 0 shows as
    mid-grey, negative values darker and positive ones lighter. Values that end up below 0
    or above 255 are clipped to black or white.
    """
    values = _as_array(x, "x", ndims=None)
    return np.clip(np.rint(values + offset), 0, 255).astype(np.uint8)


# --- Checks behind the public functions: each says what was expected and what was given. ---


def _check_int(value: Any, name: str, *, minimum: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")


def _check_padding(padding: Any) -> None:
    if not isinstance(padding, str) or padding not in PADDINGS:
        raise ValueError(f"padding must be one of {PADDINGS}, got {padding!r}")


def _pair(value: Any, name: str) -> tuple[int, int]:
    """An int or a pair of ints, each >= 1, as (along height, along width)."""
    pair = tuple(value) if isinstance(value, tuple | list) else (value, value)
    ok = len(pair) == 2 and all(
        isinstance(v, int | np.integer) and not isinstance(v, bool) and v >= 1 for v in pair
    )
    if not ok:
        raise ValueError(f"{name} must be a positive integer or a pair of them, got {value!r}")
    return int(pair[0]), int(pair[1])


def _as_array(value: Any, name: str, *, ndims: tuple[int, ...] | None) -> np.ndarray:
    """``value`` as a non-empty float64 array with one of the ranks ``ndims`` (None: any)."""
    try:
        array = np.asarray(value)
    except (ValueError, TypeError) as error:  # ragged nested lists
        raise ValueError(
            f"{name} must be a numeric array, got {type(value).__name__}: {error}"
        ) from None
    if array.dtype.kind not in "biuf":
        raise ValueError(f"{name} must hold real numbers, got dtype {array.dtype}")
    if ndims is not None and array.ndim not in ndims:
        wanted = " or ".join(f"{n}-D" for n in ndims)
        raise ValueError(f"{name} must be {wanted}, got {array.ndim}-D shape {array.shape}")
    if array.size == 0:
        raise ValueError(f"{name} must not be empty, got shape {array.shape}")
    return array.astype(np.float64)


def _as_image(value: Any, name: str) -> np.ndarray:
    """(H, W) or (H, W, C) as float64 (H, W, C)."""
    array = _as_array(value, name, ndims=(2, 3))
    return array[:, :, None] if array.ndim == 2 else array


def _as_kernels(value: Any, *, channels: int) -> np.ndarray:
    """(kh, kw) or (kh, kw, C_in, C_out) as float64 (kh, kw, C_in, C_out)."""
    k = _as_array(value, "kernels", ndims=(2, 4))
    k = k[:, :, None, None] if k.ndim == 2 else k
    if k.shape[2] != channels:
        raise ValueError(
            f"kernels must have one input channel per image channel: expected shape "
            f"(kh, kw, {channels}, C_out) for a {channels}-channel image, got {np.shape(value)}"
        )
    return k


def _as_bias(value: Any, *, filters: int) -> np.ndarray:
    if value is None:
        return np.zeros(filters)
    b = _as_array(value, "bias", ndims=(0, 1))
    if b.ndim == 1 and b.shape != (filters,):
        raise ValueError(f"bias must be a number or shape ({filters},), got shape {b.shape}")
    return np.broadcast_to(b, (filters,))


def _pool_function(mode: Any) -> Any:
    if not isinstance(mode, str) or mode not in POOL_MODES:
        raise ValueError(f"mode must be one of {POOL_MODES}, got {mode!r}")
    return np.nanmax if mode == "max" else np.nanmean


def _same_padding(d: int, n: int, s: int) -> tuple[int, int]:
    """Keras/TensorFlow "same": pad so the output has ceil(d / s) positions; the odd pixel
    of padding goes after (bottom or right)."""
    total = max((math.ceil(d / s) - 1) * s + n - d, 0)
    return total // 2, total - total // 2


def _pad_for_windows(
    x: np.ndarray,
    window: tuple[int, int],
    stride: tuple[int, int],
    padding: Any,
    *,
    fill: float,
) -> tuple[np.ndarray, tuple[int, int]]:
    """Pad (H, W, C) for ``padding`` with ``fill``; return it and the output's (H', W')."""
    _check_padding(padding)
    if padding == "same":
        pads = [_same_padding(d, n, s) for d, n, s in zip(x.shape[:2], window, stride, strict=True)]
        x = np.pad(x, [*pads, (0, 0)], constant_values=fill)
    if window[0] > x.shape[0] or window[1] > x.shape[1]:
        raise ValueError(
            f"the window must fit in the image (padding {padding!r}): expected at most "
            f"{x.shape[0]} x {x.shape[1]}, got {window[0]} x {window[1]}"
        )
    sizes = zip(x.shape[:2], window, stride, strict=True)
    return x, tuple(output_size(d, n, stride=s) for d, n, s in sizes)
