"""The digit explorer: draw a digit and watch the network the lesson trained read it.

Lesson 09 shows it with ``digit_explorer.show(model, x_test, y_test, predicted)``. The page
then holds a ``<div class="digit-explorer">`` (written by :func:`convlab.explorer.widget`)
carrying the trained model's weights, quantised to int8 with one scale per tensor, and a few
dozen test digits with the probabilities Keras gave them (``model.predict``);
``convlab/publish/theme/digit-explorer.js`` runs the same forward pass in the reader's
browser: convolution + ReLU, 2 × 2 max pooling, dense + softmax (dropout is off, as when
Keras predicts).

The tolerance. Rounding a weight to the nearest of 255 steps of ``scale = max|w| / 127`` moves
it by at most ``scale / 2``; each logit is a sum of thousands of such products, whose rounding
errors are independent and mostly cancel, so a logit moves by about
``scale / sqrt(12) * ||inputs||`` (a few hundredths for this network and these digits, see
:func:`logit_error`). The softmax moves no probability by more than half the largest logit
change (its Jacobian ``diag(p) - p pᵀ`` has rows summing, in absolute value, to at most 1/2).
:data:`TOLERANCE` = 0.02 is therefore a comfortable bound on ``|p_page - p_keras|``. The
sample digits are chosen with a margin of more than ``2 * TOLERANCE`` between Keras's two
largest probabilities, so agreeing within the tolerance implies the same answer.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

import numpy as np

from convlab import explorer

TOLERANCE = 0.02            # max |p_page - p_keras| allowed, for every class of every sample
PAYLOAD_LIMIT = 200_000     # bytes of the widget's data
SIDE, KERNEL, FILTERS, CLASSES = 28, 3, 32, 10
SAMPLES_PER_CLASS, WRONG_SAMPLES = 2, 10


def _layers(model: Any) -> tuple[Any, Any]:
    """The model's Conv2D and Dense layers, once its architecture is checked to be lesson 09's:
    Conv2D(32, 3 × 3, relu, valid) on 28 × 28 × 1, MaxPooling2D(2 × 2), Flatten,
    Dense(10, softmax), with any Dropout layers between."""
    kinds = [type(layer).__name__ for layer in model.layers]
    core = [kind for kind in kinds if kind != "Dropout"]
    expected = ["Conv2D", "MaxPooling2D", "Flatten", "Dense"]
    if core != expected:
        raise ValueError(f"the digit explorer runs lesson 09's network ({' -> '.join(expected)},"
                         f" Dropout anywhere between); this model's layers are "
                         f"{' -> '.join(kinds) or 'none'}")
    conv, pool = [layer for layer in model.layers if type(layer).__name__ != "Dropout"][:2]
    dense = model.layers[kinds.index("Dense")]
    problems = []
    if tuple(model.input_shape[1:]) != (SIDE, SIDE, 1):
        problems.append(f"input shape {model.input_shape[1:]}, not (28, 28, 1)")
    kernel = conv.kernel.numpy()
    if kernel.shape != (KERNEL, KERNEL, 1, FILTERS):
        problems.append(f"convolution kernel shape {kernel.shape}, not (3, 3, 1, 32)")
    if (tuple(conv.strides) != (1, 1) or conv.padding != "valid" or not conv.use_bias
            or conv.activation.__name__ != "relu" or tuple(conv.dilation_rate) != (1, 1)):
        problems.append("the convolution is not stride 1, valid padding, with bias, ReLU")
    if (tuple(pool.pool_size) != (2, 2) or tuple(pool.strides) != (2, 2)
            or pool.padding != "valid"):
        problems.append("the pooling is not 2 x 2, stride 2, valid")
    pooled = ((SIDE - KERNEL + 1) // 2) ** 2 * FILTERS
    if dense.kernel.shape != (pooled, CLASSES) or not dense.use_bias:
        problems.append(f"dense kernel shape {tuple(dense.kernel.shape)}, not ({pooled}, 10)")
    if dense.activation.__name__ != "softmax":
        problems.append("the dense layer's activation is not softmax")
    if problems:
        raise ValueError("the digit explorer runs lesson 09's network; this model has "
                         + "; ".join(problems))
    return conv, dense


def quantise(weights: np.ndarray) -> tuple[np.ndarray, float]:
    """int8 values and the scale such that ``values * scale`` approximates ``weights``
    (symmetric, one scale for the whole tensor: ``max|w| / 127``)."""
    weights = np.asarray(weights, np.float64)
    scale = float(np.abs(weights).max()) / 127 or 1.0
    return np.clip(np.round(weights / scale), -127, 127).astype(np.int8), scale


def export(model: Any) -> dict[str, Any]:
    """The model's weights for the page: kernels as base64 int8 with their scales, biases as
    numbers (C order; the conv kernel (3, 3, 1, 32), the dense kernel (5408, 10))."""
    conv, dense = _layers(model)
    out = {}
    for name, layer in (("conv", conv), ("dense", dense)):
        values, scale = quantise(layer.kernel.numpy())
        out[name] = {"shape": list(values.shape), "scale": scale,
                     "kernel": explorer.base64_bytes(values),
                     "bias": [float(b) for b in np.asarray(layer.bias.numpy(), np.float32)]}
    return out


def dequantised(weights: dict[str, Any]) -> dict[str, np.ndarray]:
    """The exported weights as float64 arrays, as the page decodes them."""
    arrays = {}
    for name in ("conv", "dense"):
        part = weights[name]
        raw = np.frombuffer(base64.b64decode(part["kernel"]), np.int8)
        arrays[f"{name}_kernel"] = raw.astype(np.float64).reshape(part["shape"]) * part["scale"]
        arrays[f"{name}_bias"] = np.asarray(part["bias"], np.float64)
    return arrays


def forward(arrays: dict[str, np.ndarray], x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The page's forward pass in NumPy: (probabilities (n, 10), activation maps
    (n, 26, 26, 32)) for inputs ``x`` of shape (n, 28, 28) or (n, 28, 28, 1), scaled as the
    model was trained."""
    x = np.asarray(x, np.float64).reshape(-1, SIDE, SIDE)
    n, out = len(x), SIDE - KERNEL + 1
    kernel = arrays["conv_kernel"][:, :, 0, :]
    maps = np.zeros((n, out, out, FILTERS)) + arrays["conv_bias"]
    for a in range(KERNEL):
        for b in range(KERNEL):
            maps += x[:, a:a + out, b:b + out, None] * kernel[a, b]
    maps = np.maximum(maps, 0)
    logits = _pooled(maps) @ arrays["dense_kernel"] + arrays["dense_bias"]
    logits -= logits.max(axis=1, keepdims=True)
    p = np.exp(logits)
    return p / p.sum(axis=1, keepdims=True), maps


def _pooled(maps: np.ndarray) -> np.ndarray:
    """2 × 2 max pooling of activation maps (n, 26, 26, 32), flattened as Keras's Flatten
    does: (n, 5408)."""
    n, half = len(maps), maps.shape[1] // 2
    windows = maps[:, :2 * half, :2 * half].reshape(n, half, 2, half, 2, FILTERS)
    return windows.max(axis=(2, 4)).reshape(n, -1)


def logit_error(model: Any, x: np.ndarray) -> float:
    """The expected size (one standard deviation) of the dense layer's logit change from
    rounding its weights, for inputs ``x``: ``scale / sqrt(12) * ||pooled||``, largest over x."""
    _, dense = _layers(model)
    _, maps = forward(dequantised(export(model)), x)
    pooled = _pooled(maps)
    _, scale = quantise(dense.kernel.numpy())
    return float(scale / np.sqrt(12) * np.linalg.norm(pooled, axis=1).max())


def input_divisor(x: np.ndarray) -> int:
    """What the lesson divided the 0..255 pixels by: 255 when ``x`` holds k/255, 1 when it
    holds whole numbers 0..255 (anything else is refused)."""
    x = np.asarray(x, np.float64)
    for divisor in (255, 1):
        scaled = x * divisor
        if scaled.min() >= 0 and scaled.max() <= 255 and np.allclose(scaled, scaled.round(),
                                                                      atol=1e-4):
            return divisor
    raise ValueError("the digit explorer needs test digits scaled as pixels / 255 or as "
                     "0..255 pixels")


def choose(labels: np.ndarray, predicted: np.ndarray, probabilities: np.ndarray
           ) -> tuple[list[int], list[int]]:
    """Sample digits: the first two read right of each class and the first ten read wrong,
    each with a margin of more than 2 × TOLERANCE between its two largest probabilities (and
    when fewer than ten digits are that clear, the ten clearest).
    Returns (all samples, the ones for the page's buttons: one right of each class, four
    wrong)."""
    top2 = np.sort(probabilities, axis=1)[:, -2:]
    clear = top2[:, 1] - top2[:, 0] > 2 * TOLERANCE
    right = [np.flatnonzero(clear & (labels == c) & (predicted == c))[:SAMPLES_PER_CLASS]
             for c in range(CLASSES)]
    wrong = np.flatnonzero(clear & (labels != predicted))[:WRONG_SAMPLES]
    samples = sorted(int(i) for i in np.concatenate(right + [wrong]))
    buttons = [int(r[0]) for r in right if len(r)] + [int(i) for i in wrong[:4]]
    if len(samples) < CLASSES:  # a network that has barely learned (a tiny test run): few
        # digits are clear, so the clearest ones are taken, whatever their margin
        clearest = np.argsort(top2[:, 0] - top2[:, 1], kind="stable")[:CLASSES]
        samples = sorted({*samples, *(int(i) for i in clearest)})
        buttons = buttons or samples[:4]
    return samples, buttons


@dataclass
class Agreement:
    """How the page's network (the quantised weights, in NumPy as in the page) compares with
    Keras on the sample digits."""

    samples: int
    same_answer: int
    max_difference: float
    page_accuracy: float        # of the quantised network on all test digits given
    payload_bytes: int


def markup(model: Any, x_test: np.ndarray, y_test: np.ndarray, predicted: np.ndarray
           ) -> tuple[str, Agreement]:
    """The widget's HTML and how its network agrees with Keras."""
    weights = export(model)
    x = np.asarray(x_test)
    if x.ndim == 3:
        x = x[..., np.newaxis]
    if x.shape[1:] != (SIDE, SIDE, 1):
        raise ValueError(f"test digits must be (n, 28, 28) or (n, 28, 28, 1), got {x.shape}")
    labels = np.asarray(y_test)
    labels = labels.argmax(axis=1) if labels.ndim == 2 else labels.astype(int)
    predicted = np.asarray(predicted).astype(int)
    if not len(labels) == len(predicted) == len(x):
        raise ValueError("x_test, y_test and predicted must hold the same number of digits")
    divisor = input_divisor(x)
    arrays = dequantised(weights)
    page_all = np.concatenate([forward(arrays, x[k:k + 500])[0]
                               for k in range(0, len(x), 500)])
    # Candidates: read right and wrong, before asking Keras for the chosen ones' probabilities.
    first = np.r_[np.flatnonzero(labels == predicted)[:400], np.flatnonzero(labels != predicted)]
    first = np.unique(first)
    keras_first = np.asarray(model.predict(x[first], verbose=0), np.float64)
    chosen, buttons = choose(labels[first], predicted[first], keras_first)
    keras_p = keras_first[chosen]
    index = first[chosen]
    page_p = page_all[index]
    pixels = np.round(x[index, :, :, 0] * divisor).astype(np.uint8)
    data = {
        "weights": weights,
        "input": {"side": SIDE, "divisor": divisor, "box": 20},
        "tolerance": TOLERANCE,
        "samples": [{"index": int(i), "label": int(labels[i]), "button": int(k) in buttons,
                     "pixels": explorer.base64_bytes(pixels[n]),
                     "keras": [round(float(v), 6) for v in keras_p[n]]}
                    for n, (k, i) in enumerate(zip(chosen, index, strict=True))],
    }
    html = explorer.widget("digit-explorer", data)
    agreement = Agreement(
        samples=len(index),
        same_answer=int((page_p.argmax(axis=1) == keras_p.argmax(axis=1)).sum()),
        max_difference=float(np.abs(page_p - keras_p).max()),
        page_accuracy=float((page_all.argmax(axis=1) == labels).mean()),
        payload_bytes=len(html.encode()))
    if agreement.payload_bytes > PAYLOAD_LIMIT:
        raise ValueError(f"the digit explorer's data is {agreement.payload_bytes:,} bytes, "
                         f"over its {PAYLOAD_LIMIT:,}")
    return html, agreement


def show(model: Any, x_test: np.ndarray, y_test: np.ndarray, predicted: np.ndarray
         ) -> Agreement:
    """Display the digit explorer in a notebook (or print a note in a script); return how
    the page's network agrees with Keras on the sample digits."""
    html, agreement = markup(model, x_test, y_test, predicted)
    explorer.display(html, "digit explorer")
    return agreement
