"""The CIFAR-10 explorer: pick a test image (or drop a photo) and watch a small CNN read it.

Lesson 10 shows it with ``cifar_explorer.show(model, x_test, y_test)``, for this network (any
Dropout layers between are allowed, and are off, as when Keras predicts)::

    Input (32, 32, 3) -> Conv2D(16, 3, same, relu) -> Conv2D(16, 3, same, relu) -> MaxPooling2D(2)
    -> Conv2D(32, 3, same, relu) -> Conv2D(32, 3, same, relu) -> MaxPooling2D(2)
    -> Conv2D(64, 3, same, relu) -> GlobalAveragePooling2D -> Dense(10, softmax)

The page then holds a ``<div class="cifar-explorer">`` (written by
:func:`convlab.explorer.widget`) carrying the weights, quantised to int8 with one scale per
output channel, and a few dozen test images (uint8 pixels) with the probabilities Keras gave
them (``model.predict``) and, for a few, Keras's saliency map. ``theme/cifar-explorer.js`` runs
the same network in the reader's browser: the forward pass (each convolution's feature maps,
the ten probabilities) and the backward pass for the saliency map.

The saliency map (Simonyan et al., 2014) is the gradient of the predicted class's score, its
logit before the softmax, with respect to the input image, reduced over the colour channels by
the largest absolute value: a pixel is bright where a small change would move the score most.
:func:`keras_saliency` computes it with ``tf.GradientTape``; :func:`saliency` (and the page)
by the chain rule through the dense layer, the average pooling, the max pooling (the gradient
goes to the window's largest input), the ReLUs (to the positive pre-activations) and the
convolutions (the same-padded convolution with the kernel turned 180° and its channels
swapped).

The tolerances. Rounding a weight to the nearest of 255 steps of ``scale = max|w| / 127``
(one scale per output channel) moves it by at most ``scale / 2``; the errors are independent
and mostly cancel in each sum of 27 to 288 products, but they add up over the six layers, so
a logit moves by a few hundredths, at most about 0.2 (:func:`logit_error`; measured on 300 test
images for this network trained 10 to 18 epochs on 10,000 images: 0.05 to 0.19). The softmax
moves no probability by more than half the largest logit change (its Jacobian
``diag(p) - p pᵀ`` has rows summing, in absolute value, to at most 1/2), a bound reached only
when two classes share the probability and their logits move apart; measured over all 10,000
test images, the largest change of a probability was 0.026 after 14 epochs and 0.031 after 18
(99 % of the images under 0.02). :data:`TOLERANCE` = 0.05 bounds ``|p_page - p_keras|`` with
that margin. The samples are chosen with a margin of more than ``2 * TOLERANCE`` between
Keras's two largest probabilities, so agreeing within the tolerance implies the same answer.

The saliency map is a gradient, less smooth than the forward pass: a unit whose
pre-activation is within the rounding error of zero can switch its ReLU, and a max-pooling
window whose two largest inputs are that close can send the gradient elsewhere. Each switch
moves the map locally, not its overall picture; so the page's map is compared with Keras's
after dividing each by its largest value, by their Pearson correlation over the 1,024 pixels,
which must be at least :data:`SALIENCY_CORRELATION` = 0.9. Measured on 300 test images (the
same trained networks), it was at least 0.967 whenever both networks predict the same class
(the samples' margin ensures they do; where the rounding changes the answer, the maps are of
two different classes' scores and may differ entirely). Keras's maps travel as 8-bit values
of the normalised map; rounding to 1/255 changes the correlation by less than 0.001.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

import numpy as np

from convlab import explorer
from convlab.data import DATASETS

TOLERANCE = 0.05             # max |p_page - p_keras| allowed, for every class of every sample
SALIENCY_CORRELATION = 0.9   # min correlation of the page's saliency map with Keras's
PAYLOAD_LIMIT = 200_000      # bytes of the widget's data
SIDE, CHANNELS, CLASSES = 32, 3, 10
CLASS_NAMES = DATASETS["cifar10"].class_names
SAMPLES_PER_CLASS, WRONG_SAMPLES, SALIENCY_SAMPLES = 2, 6, 6
# The network: its layers (Dropout aside) and each convolution's filters.
LAYERS = ("Conv2D", "Conv2D", "MaxPooling2D", "Conv2D", "Conv2D", "MaxPooling2D", "Conv2D",
          "GlobalAveragePooling2D", "Dense")
FILTERS = (16, 16, 32, 32, 64)
# The input scalings a lesson may use: x = pixels / divisor + offset.
SCALINGS = ((255, -0.5), (255, 0.0), (1, 0.0))


def _layers(model: Any) -> tuple[list[Any], Any]:
    """The model's five Conv2D layers and its Dense layer, once its architecture is checked to
    be lesson 10's (see the module's docstring)."""
    kinds = [type(layer).__name__ for layer in model.layers]
    core = [layer for layer in model.layers if type(layer).__name__ != "Dropout"]
    if tuple(type(layer).__name__ for layer in core) != LAYERS:
        raise ValueError(f"the CIFAR-10 explorer runs lesson 10's network ({' -> '.join(LAYERS)},"
                         f" Dropout anywhere between); this model's layers are "
                         f"{' -> '.join(kinds) or 'none'}")
    convs = [layer for layer in core if type(layer).__name__ == "Conv2D"]
    pools = [layer for layer in core if type(layer).__name__ == "MaxPooling2D"]
    dense = core[-1]
    problems = []
    if tuple(model.input_shape[1:]) != (SIDE, SIDE, CHANNELS):
        problems.append(f"input shape {tuple(model.input_shape[1:])}, not (32, 32, 3)")
    inputs = CHANNELS
    for k, (conv, filters) in enumerate(zip(convs, FILTERS, strict=True)):
        shape = tuple(conv.kernel.shape)
        if shape != (3, 3, inputs, filters):
            problems.append(f"convolution {k + 1}'s kernel shape {shape}, not "
                            f"(3, 3, {inputs}, {filters})")
        if (tuple(conv.strides) != (1, 1) or conv.padding != "same" or not conv.use_bias
                or conv.activation.__name__ != "relu" or tuple(conv.dilation_rate) != (1, 1)):
            problems.append(f"convolution {k + 1} is not stride 1, same padding, with bias, ReLU")
        inputs = filters
    for pool in pools:
        if (tuple(pool.pool_size) != (2, 2) or tuple(pool.strides) != (2, 2)
                or pool.padding != "valid"):
            problems.append("a pooling is not 2 x 2, stride 2, valid")
    if tuple(dense.kernel.shape) != (FILTERS[-1], CLASSES) or not dense.use_bias:
        problems.append(f"dense kernel shape {tuple(dense.kernel.shape)}, not (64, 10)")
    if dense.activation.__name__ != "softmax":
        problems.append("the dense layer's activation is not softmax")
    if problems:
        raise ValueError("the CIFAR-10 explorer runs lesson 10's network; this model has "
                         + "; ".join(problems))
    return convs, dense


def quantise(weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """int8 values and one scale per output channel (the last axis) such that
    ``values * scales`` approximates ``weights`` (symmetric: ``max|w| / 127`` per channel)."""
    weights = np.asarray(weights, np.float64)
    high = np.abs(weights).reshape(-1, weights.shape[-1]).max(axis=0)
    scales = np.where(high > 0, high / 127, 1.0)
    return np.clip(np.round(weights / scales), -127, 127).astype(np.int8), scales


def export(model: Any) -> list[dict[str, Any]]:
    """The model's weights for the page, one entry per layer with weights (the five
    convolutions, then the dense layer): the kernel as base64 int8 (C order, Keras's shape
    (3, 3, in, out) or (64, 10)) with one scale per output channel, the biases as numbers."""
    convs, dense = _layers(model)
    out = []
    for layer in [*convs, dense]:
        values, scales = quantise(layer.kernel.numpy())
        out.append({"shape": list(values.shape), "kernel": explorer.base64_bytes(values),
                    "scales": [float(s) for s in np.float32(scales)],
                    "bias": [float(b) for b in np.asarray(layer.bias.numpy(), np.float32)]})
    return out


def dequantised(weights: list[dict[str, Any]]) -> list[tuple[np.ndarray, np.ndarray]]:
    """The exported weights as float64 (kernel, bias) pairs, as the page decodes them."""
    arrays = []
    for part in weights:
        raw = np.frombuffer(base64.b64decode(part["kernel"]), np.int8).reshape(part["shape"])
        arrays.append((raw.astype(np.float64) * np.asarray(part["scales"], np.float64),
                       np.asarray(part["bias"], np.float64)))
    return arrays


def _conv(x: np.ndarray, kernel: np.ndarray, bias: np.ndarray | float = 0.0) -> np.ndarray:
    """Keras's Conv2D with same padding, stride 1 (cross-correlation): (n, h, w, in) ->
    (n, h, w, out)."""
    n, h, w, _ = x.shape
    padded = np.pad(x, ((0, 0), (1, 1), (1, 1), (0, 0)))
    out = np.zeros((n, h, w, kernel.shape[-1])) + bias
    for a in range(3):
        for b in range(3):
            out += padded[:, a:a + h, b:b + w] @ kernel[a, b]
    return out


def _pool(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """2 × 2 max pooling and, for the backward pass, which of each window's four inputs
    (row by row) was the largest (the first of equal ones)."""
    n, h, w, c = x.shape
    windows = x.reshape(n, h // 2, 2, w // 2, 2, c).transpose(0, 1, 3, 5, 2, 4)
    windows = windows.reshape(n, h // 2, w // 2, c, 4)
    return windows.max(axis=-1), windows.argmax(axis=-1)


def _unpool(grad: np.ndarray, which: np.ndarray) -> np.ndarray:
    """The gradient of 2 × 2 max pooling: each window's gradient to its largest input."""
    n, h, w, c = grad.shape
    spread = (np.arange(4) == which[..., None]) * grad[..., None]   # (n, h, w, c, 4)
    return spread.reshape(n, h, w, c, 2, 2).transpose(0, 1, 4, 2, 5, 3).reshape(
        n, 2 * h, 2 * w, c)


def _scaled(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, np.float64)
    if x.shape[1:] != (SIDE, SIDE, CHANNELS):
        raise ValueError(f"images must be (n, 32, 32, 3), got {x.shape}")
    return x


def _run(arrays: list[tuple[np.ndarray, np.ndarray]], x: np.ndarray
         ) -> tuple[np.ndarray, list[np.ndarray], list[Any]]:
    """Logits, the five convolutions' feature maps (after ReLU) and what the backward pass
    needs (each convolution's positive pre-activations, each pooling's largest inputs)."""
    maps, saved, h = [], [], _scaled(x)
    for k, (kernel, bias) in enumerate(arrays[:5]):
        pre = _conv(h, kernel, bias)
        h = np.maximum(pre, 0)
        maps.append(h)
        saved.append(pre > 0)
        if k in (1, 3):
            h, which = _pool(h)
            saved.append(which)
    kernel, bias = arrays[5]
    return h.mean(axis=(1, 2)) @ kernel + bias, maps, saved


def _softmax(logits: np.ndarray) -> np.ndarray:
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def forward(arrays: list[tuple[np.ndarray, np.ndarray]], x: np.ndarray
            ) -> tuple[np.ndarray, list[np.ndarray]]:
    """The page's forward pass in NumPy: (probabilities (n, 10), the five convolutions' feature
    maps after ReLU: (n, 32, 32, 16) twice, (n, 16, 16, 32) twice, (n, 8, 8, 64)) for images
    ``x`` (n, 32, 32, 3), scaled as the model was trained."""
    logits, maps, _ = _run(arrays, x)
    return _softmax(logits), maps


def saliency(arrays: list[tuple[np.ndarray, np.ndarray]], x: np.ndarray) -> np.ndarray:
    """The page's saliency maps in NumPy (n, 32, 32): the gradient of the predicted class's
    logit with respect to the input, its largest absolute value over the colour channels."""
    logits, maps, saved = _run(arrays, x)
    kernel = arrays[5][0]
    top = logits.argmax(axis=1)
    size = maps[4].shape[1] * maps[4].shape[2]
    grad = np.broadcast_to((kernel[:, top].T / size)[:, None, None, :], maps[4].shape)
    for k in range(4, -1, -1):
        if k in (1, 3):
            grad = _unpool(grad, saved.pop())
        grad = grad * saved.pop()                       # ReLU: positive pre-activations
        flipped = arrays[k][0][::-1, ::-1].transpose(0, 1, 3, 2)
        grad = _conv(grad, flipped)                     # back through the convolution
    return np.abs(grad).max(axis=-1)


def keras_saliency(model: Any, x: np.ndarray) -> np.ndarray:
    """Keras's saliency maps (n, 32, 32), by ``tf.GradientTape``: the predicted class's logit
    (the dense layer before its softmax) differentiated with respect to the input."""
    import tensorflow as tf

    _, dense = _layers(model)
    images = tf.constant(_scaled(x), tf.float32)
    with tf.GradientTape() as tape:
        tape.watch(images)
        h = images
        for layer in model.layers[:-1]:
            h = layer(h, training=False)
        logits = tf.matmul(h, dense.kernel) + dense.bias
        score = tf.reduce_max(logits, axis=1)          # the predicted class's logit
    grad = tape.gradient(score, images).numpy()
    return np.abs(grad).max(axis=-1)


def correlation(a: np.ndarray, b: np.ndarray) -> float:
    """Pearson correlation of two saliency maps (each is first divided by its largest
    value, which changes nothing in the correlation but says what the page compares)."""
    a = np.ravel(a) / (np.max(a) or 1)
    b = np.ravel(b) / (np.max(b) or 1)
    return float(np.corrcoef(a, b)[0, 1])


def logit_error(model: Any, x: np.ndarray) -> float:
    """The largest change, over images ``x``, of a logit when the weights are rounded to int8:
    the quantised network's logits (NumPy) against the float network's (NumPy too)."""
    convs, dense = _layers(model)
    exact = [(layer.kernel.numpy().astype(np.float64), layer.bias.numpy().astype(np.float64))
             for layer in [*convs, dense]]
    rounded, _, _ = _run(dequantised(export(model)), x)
    float_logits, _, _ = _run(exact, x)
    return float(np.abs(rounded - float_logits).max())


def input_scaling(x: np.ndarray) -> tuple[int, float]:
    """How the lesson scaled the 0..255 pixels: (divisor, offset) with
    ``x = pixels / divisor + offset``, one of :data:`SCALINGS` (anything else is refused)."""
    x = np.asarray(x)
    low, high, some = float(x.min()), float(x.max()), np.asarray(x[:100], np.float64)
    for divisor, offset in SCALINGS:
        pixels = (some - offset) * divisor   # whole numbers (on the first 100 images)
        if ((low - offset) * divisor > -1e-3 and (high - offset) * divisor < 255 + 1e-3
                and np.allclose(pixels, pixels.round(), atol=2e-3)):
            return divisor, offset
    raise ValueError("the CIFAR-10 explorer needs test images scaled as pixels / 255 - 0.5, "
                     "pixels / 255 or 0..255 pixels")


def choose(labels: np.ndarray, probabilities: np.ndarray) -> list[int]:
    """Sample images: the first two labelled right of each class and the first six labelled
    wrong, each with a margin of more than 2 × TOLERANCE between its two largest probabilities
    (and when fewer than ten images are that clear, the ten clearest)."""
    predicted = probabilities.argmax(axis=1)
    top2 = np.sort(probabilities, axis=1)[:, -2:]
    clear = top2[:, 1] - top2[:, 0] > 2 * TOLERANCE
    right = [np.flatnonzero(clear & (labels == c) & (predicted == c))[:SAMPLES_PER_CLASS]
             for c in range(CLASSES)]
    wrong = np.flatnonzero(clear & (labels != predicted))[:WRONG_SAMPLES]
    samples = sorted(int(i) for i in np.concatenate(right + [wrong]))
    if len(samples) < CLASSES:  # a network that has barely learned (a tiny test run)
        clearest = np.argsort(top2[:, 0] - top2[:, 1], kind="stable")[:CLASSES]
        samples = sorted({*samples, *(int(i) for i in clearest)})
    return samples


def _with_saliency(labels: np.ndarray, predicted: np.ndarray) -> list[int]:
    """Which samples carry Keras's saliency map: spread over the classes, one labelled wrong."""
    order = sorted(range(len(labels)), key=lambda k: (labels[k] != predicted[k], labels[k]))
    right = [k for k in order if labels[k] == predicted[k]]
    wrong = [k for k in order if labels[k] != predicted[k]]
    step = max(1, len(right) // (SALIENCY_SAMPLES - 1))
    chosen = right[::step][:SALIENCY_SAMPLES - 1] + wrong[:1]
    chosen += [k for k in order if k not in chosen][:SALIENCY_SAMPLES - len(chosen)]
    return sorted(chosen)


def _rounded_model(model: Any, arrays: list[tuple[np.ndarray, np.ndarray]]) -> Any:
    """A copy of the Keras model with the page's (int8-rounded) weights: the page's network at
    Keras's speed, for its accuracy on every test image."""
    import keras

    copy = keras.models.clone_model(model)
    convs, dense = _layers(copy)
    for layer, (kernel, bias) in zip([*convs, dense], arrays, strict=True):
        layer.set_weights([kernel.astype(np.float32), bias.astype(np.float32)])
    return copy


@dataclass
class Agreement:
    """How the page's network (the quantised weights, in NumPy as in the page) compares with
    Keras on the sample images."""

    samples: int
    same_answer: int
    max_difference: float       # largest |p_page - p_keras| over the samples and classes
    min_saliency_correlation: float   # over the samples that carry Keras's saliency map
    page_accuracy: float        # of the quantised network on all test images given
    payload_bytes: int


def markup(model: Any, x_test: np.ndarray, y_test: np.ndarray) -> tuple[str, Agreement]:
    """The widget's HTML and how its network agrees with Keras."""
    weights = export(model)
    x = np.asarray(x_test)
    if x.shape[1:] != (SIDE, SIDE, CHANNELS):
        raise ValueError(f"test images must be (n, 32, 32, 3), got {x.shape}")
    labels = np.asarray(y_test)
    labels = labels.argmax(axis=1) if labels.ndim == 2 and labels.shape[1] > 1 else (
        labels.reshape(-1).astype(int))
    if len(labels) != len(x):
        raise ValueError("x_test and y_test must hold the same number of images")
    divisor, offset = input_scaling(x)
    arrays = dequantised(weights)
    keras_all = np.asarray(model.predict(x, verbose=0, batch_size=250), np.float64)
    index = np.asarray(choose(labels, keras_all), int)
    keras_p, page_p = keras_all[index], forward(arrays, x[index])[0]
    predicted = keras_p.argmax(axis=1)
    pixels = np.round((x[index] - offset) * divisor).astype(np.uint8)
    marked = _with_saliency(labels[index], predicted)
    keras_maps = keras_saliency(model, x[index[marked]])
    page_maps = saliency(arrays, x[index[marked]])
    stored = {k: np.round(255 * m / (m.max() or 1)).astype(np.uint8)
              for k, m in zip(marked, keras_maps, strict=True)}
    samples = []
    for n, i in enumerate(index):
        sample = {"index": int(i), "label": int(labels[i]),
                  "pixels": explorer.base64_bytes(pixels[n]),
                  "keras": [round(float(v), 6) for v in keras_p[n]]}
        if n in stored:
            sample["saliency"] = explorer.base64_bytes(stored[n])
        samples.append(sample)
    data = {
        "weights": weights,
        "input": {"side": SIDE, "divisor": divisor, "offset": offset},
        "classes": list(CLASS_NAMES),
        "tolerance": {"probability": TOLERANCE, "saliency": SALIENCY_CORRELATION},
        "samples": samples,
    }
    html = explorer.widget("cifar-explorer", data)
    agreement = Agreement(
        samples=len(index),
        same_answer=int((page_p.argmax(axis=1) == predicted).sum()),
        max_difference=float(np.abs(page_p - keras_p).max()),
        min_saliency_correlation=min(correlation(stored[k], m)
                                     for k, m in zip(marked, page_maps, strict=True)),
        page_accuracy=float((_rounded_model(model, arrays).predict(
            x, verbose=0, batch_size=250).argmax(axis=1) == labels).mean()),
        payload_bytes=len(html.encode()))
    if agreement.payload_bytes > PAYLOAD_LIMIT:
        raise ValueError(f"the CIFAR-10 explorer's data is {agreement.payload_bytes:,} bytes, "
                         f"over its {PAYLOAD_LIMIT:,}")
    return html, agreement


def show(model: Any, x_test: np.ndarray, y_test: np.ndarray) -> Agreement:
    """Display the CIFAR-10 explorer in a notebook (or print a note in a script); return how
    the page's network agrees with Keras on the sample images."""
    html, agreement = markup(model, x_test, y_test)
    explorer.display(html, "CIFAR-10 explorer")
    return agreement
