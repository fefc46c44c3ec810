# %% [markdown]
# # How a filter learns
#
# The filters of [lesson 03](../convolution/) were written by hand: a Sobel kernel for edges,
# a box for blur. A trained network writes its own. It starts from random numbers and changes
# every weight, step after step, in the direction that lowers its loss. That direction is the
# *gradient*, and for a convolution it has a short, exact form: it is itself a convolution.
#
# This page derives that gradient, checks it against TensorFlow's automatic differentiation,
# uses it to recover a Sobel filter from nothing but examples of its output, and then watches
# the first layer of a small network grow out of random filters. On the way it defines three
# things every later lesson relies on: the ReLU activation, the cross-entropy loss and one step
# of an optimiser. Last, it sets the trained network beside a dense network on digits moved a
# few pixels, where sharing one kernel across the image pays off.

# %% [markdown]
# How big a run this page makes: the lesson's own values; a quick build uses fewer steps and
# images, and the box at the top of the page says which ran.

# %% tags=["parameters"]
descent_steps = 1000  # gradient-descent steps that recover the Sobel kernel
train_size = None     # MNIST training images for the small network (None: all 60,000)
epochs = 3            # epochs for the small network (and the dense network beside it)
shifted_size = None   # test digits shifted and classified (None: all 10,000)

# %%
import keras
import matplotlib.pyplot as plt
import numpy as np
import scipy.ndimage
import scipy.signal
import tensorflow as tf

from convlab import convolution, data, metrics, report, style, viz
from convlab.claims import claim
from convlab.exercises import check
from convlab.expectations import expect

keras.utils.set_random_seed(1234)   # the same random filters and batches every run
rng = np.random.default_rng(1234)

# %% [markdown]
# ## The gradient of a convolution
#
# Take one channel and one filter. The layer computes, at every output position $(i, j)$,
#
# $$Y_{ij} = \sum_{u,v} X_{i+u,\,j+v}\, K_{uv} + b,$$
#
# the sliding sum of lesson 03 (a cross-correlation; $u, v$ run over the kernel). Somewhere
# above, a loss $L$ reads $Y$. Backpropagation brings down $G_{ij} = \partial L / \partial
# Y_{ij}$, how the loss moves when one output moves, and asks for three things.
#
# **The kernel.** $K_{uv}$ multiplies $X_{i+u,j+v}$ in *every* output, so by the chain rule
# its gradient adds up all those contributions:
#
# $$\frac{\partial L}{\partial K_{uv}} = \sum_{i,j} G_{ij}\, X_{i+u,\,j+v}.$$
#
# That is the same sliding sum again, with $G$ as the kernel: **the kernel's gradient is the
# input cross-correlated with the upstream gradient**, $\partial L / \partial K = X \star G$.
# It has the kernel's shape, because $G$ fits on $X$ in exactly as many positions as $K$ has
# weights.
#
# **The bias** is added to every output: $\partial L / \partial b = \sum_{ij} G_{ij}$.
#
# **The input**, which the layer below needs in turn. The pixel $X_{pq}$ sits under weight
# $K_{p-i,\,q-j}$ in the output $(i, j)$ whenever that index is inside the kernel, so
#
# $$\frac{\partial L}{\partial X_{pq}} = \sum_{i,j} G_{ij}\, K_{p-i,\,q-j},$$
#
# a true convolution (the kernel flipped, lesson 03's distinction) of $G$ with $K$, in *full*
# mode: $G$ padded so that every pixel of $X$, border pixels included, gets its share. With
# several channels and filters nothing new happens: the slice $(c, f)$ of the kernel's
# gradient is $X_c \star G_f$, and the input's gradient in channel $c$ sums the
# contributions of all filters $f$.
#
# `convolution.conv2d_gradients` computes the three with plain loops, one output position at
# a time. Here it is on a random 3-channel image and 4 filters, beside the two formulas and
# beside TensorFlow's `GradientTape`, which differentiates any computation automatically.

# %%
image = rng.normal(size=(9, 9, 3))            # H x W x C_in
kernels = rng.normal(size=(3, 3, 3, 4))        # kh x kw x C_in x C_out, Keras's layout
output = convolution.conv2d(image, kernels)    # 7 x 7 x 4
upstream = rng.normal(size=output.shape)       # G: pretend a loss above sent this down

d_image, d_kernels, d_bias = convolution.conv2d_gradients(image, kernels, upstream)

# The two formulas, channel c by filter f: the input correlated with G for the kernel; G
# convolved in full mode with the kernel, summed over the filters, for the input.
d_kernels_formula = np.zeros_like(kernels)
d_image_formula = np.zeros_like(image)
for c in range(3):
    for f in range(4):
        d_kernels_formula[:, :, c, f] = scipy.signal.correlate2d(image[:, :, c], upstream[:, :, f],
                                                                 mode="valid")
        d_image_formula[:, :, c] += scipy.signal.convolve2d(upstream[:, :, f], kernels[:, :, c, f],
                                                            mode="full")

# TensorFlow: a loss whose gradient with respect to the output is exactly `upstream`.
x = tf.Variable(image[None].astype("float32"))
k = tf.Variable(kernels.astype("float32"))
with tf.GradientTape() as tape:
    y = tf.nn.conv2d(x, k, strides=1, padding="VALID")
    loss = tf.reduce_sum(y * upstream.astype("float32"))
tf_image, tf_kernels = (g.numpy() for g in tape.gradient(loss, [x, k]))

formula_gap = max(np.abs(d_kernels - d_kernels_formula).max(),
                  np.abs(d_image - d_image_formula).max())
tf_gap = max(np.abs(d_kernels - tf_kernels).max(), np.abs(d_image - tf_image[0]).max())
print("shapes: d_image", d_image.shape, " d_kernels", d_kernels.shape, " d_bias", d_bias.shape)
print(f"loops against the two formulas: largest difference {formula_gap:.1e}")
print(f"loops against TensorFlow (float32): largest difference {tf_gap:.1e}")
claim("gradients_match_tensorflow",
      "the NumPy gradients equal TensorFlow's to float32 precision",
      holds=tf_gap < 1e-4 and formula_gap < 1e-9,
      evidence=f"largest difference {tf_gap:.1e} against TensorFlow and {formula_gap:.1e} "
               f"against the two formulas, over {d_image.size + d_kernels.size:,} numbers")

# %% tags=["hide-input"]
# The input's gradient drawn small: a 5 x 5 input, a 3 x 3 kernel, so G is 3 x 3. Padded by
# k - 1 = 2 on every side, G is correlated with the flipped kernel: a full convolution.
small_k = np.arange(1, 10, dtype=float).reshape(3, 3)
small_g = np.array([[1.0, 0, 0], [0, 2, 0], [0, 0, -1]])
padded_g = np.pad(small_g, 2)
small_dx = scipy.signal.correlate2d(padded_g, small_k[::-1, ::-1], mode="valid")   # 5 x 5
assert np.allclose(small_dx, scipy.signal.convolve2d(small_g, small_k, mode="full"))
fig, axes = plt.subplots(1, 3, figsize=(7.4, 2.5), width_ratios=[7, 3, 5],
                         layout="constrained")
viz.show_matrix(axes[0], padded_g, title="G, padded by k - 1 = 2", fmt="{:.0f}",
                highlight=(0, 0, 3, 3), cmap="RdBu_r", limits=(-2, 2))
viz.show_matrix(axes[1], small_k[::-1, ::-1], title="K, flipped", fmt="{:.0f}")
reach = np.abs(small_dx).max()
viz.show_matrix(axes[2], small_dx, title="dL/dX (5 x 5)", fmt="{:.0f}", highlight=(0, 0, 1, 1),
                cmap="RdBu_r", limits=(-reach, reach))
style.describe(fig, "the input's gradient as a full convolution: the 3 x 3 upstream gradient "
                    "G padded with two rings of zeros, the flipped 3 x 3 kernel sliding over it, "
                    "and the 5 x 5 result, one value per input pixel; the outlined window "
                    "gives the outlined value")
plt.show()

# %% [markdown]
# The figure draws the input's gradient on a small case: a 5 × 5 input and a 3 × 3 kernel
# give a 3 × 3 $G$. Padded with $k - 1 = 2$ rings of zeros, $G$ becomes 7 × 7, and the
# flipped kernel fits on it at 5 × 5 positions: one value for every pixel of the input. At
# the corner (outlined) only one entry of $G$ is under the window, as the corner pixel of
# $X$ took part in only one output.
#
# The loops, the two formulas and TensorFlow agree {{ claim gradients_match_tensorflow }}:
# TensorFlow computes in 32-bit floats, about seven significant digits, and that is the size
# of the difference. (The course's tests repeat this check on hundreds of random shapes,
# strides and paddings.) Two things follow. Backpropagating through a convolution costs about
# *twice* what the forward pass costs: it is made of the same sliding sums, but two of them,
# one for the kernel's gradient and one for the input's. And a weight shared by every position
# gets a gradient from every position: a kernel learns from the whole image at once.
#
# ## Recovering a Sobel filter by gradient descent
#
# Suppose we have pictures and what some unknown 3 × 3 filter made of them, and want the
# filter. Here the unknown is the Sobel kernel that finds horizontal edges; the pictures are
# MNIST digits. We start from a kernel of zeros, measure the mean squared error between what
# our kernel makes and the target,
#
# $$L(K) = \frac{1}{N}\sum_{n,i,j} \big((X_n \star K)_{ij} - Y_{n,ij}\big)^2,\qquad
# G = \frac{2}{N}\,(X \star K - Y),$$
#
# where $N$ is the number of output values, 16 pictures × 26 × 26 positions (`error.size` in
# the code),
# and take steps against the gradient, $K \leftarrow K - \eta\, \partial L / \partial K$ with
# a *learning rate* $\eta$. That update is *gradient descent*, the whole of what "training"
# means; everything else (momentum, Adam, schedules) changes only the size and direction of
# the step.

# %%
digits = data.load("mnist")
pictures = digits.x_train[:16] / 255            # 16 digits, 28 x 28, values 0..1
sobel = convolution.kernel("sobel_y")          # the filter to find: horizontal edges
targets = np.stack([convolution.conv2d(p, sobel) for p in pictures])   # 16 x 26 x 26


def descend(steps, learning_rate):
    """Gradient descent on the mean squared error, from a kernel of zeros; the kernel's path."""
    kernel = np.zeros((3, 3))
    path, losses = [kernel.copy()], []
    for _ in range(steps):
        made = np.stack([scipy.signal.correlate2d(p, kernel, mode="valid") for p in pictures])
        error = made - targets
        losses.append(float(np.mean(error ** 2)))
        upstream = 2 * error / error.size                         # G = dL/dY
        gradient = sum(scipy.signal.correlate2d(p, g, mode="valid")   # X correlated with G
                       for p, g in zip(pictures, upstream))
        kernel = kernel - learning_rate * gradient
        path.append(kernel.copy())
    return np.array(path), np.array(losses)


learning_rate = 1.0
path, losses = descend(descent_steps, learning_rate)
found = path[-1]
print("the kernel found after", descent_steps, "steps:\n", found.round(3))
print("largest error of any weight:", f"{np.abs(found - sobel).max():.1e}")

# %% tags=["hide-input"]
fig, (ax_loss, ax_path) = plt.subplots(1, 2, figsize=(7.4, 3), layout="constrained")
ax_loss.semilogy(np.arange(1, len(losses) + 1), losses)
ax_loss.set_xlabel("step")
ax_loss.set_ylabel("mean squared error")
ax_loss.set_title("the loss")
for (u, v), target in np.ndenumerate(sobel):
    line, = ax_path.plot(path[:, u, v], lw=1.2)
    ax_path.axhline(target, color=line.get_color(), ls=":", lw=0.8)
ax_path.set_xlabel("step")
ax_path.set_ylabel("weight")
ax_path.set_title("the nine weights (dotted: Sobel's)")
style.describe(fig, "left: the mean squared error falling over the descent, on a log scale; "
                    "right: each of the kernel's nine weights moving from 0 to its Sobel value")
plt.show()
snapshots = [0, 5, 20, 100, descent_steps]
fig, axes = plt.subplots(1, len(snapshots) + 1, figsize=(7.4, 1.9), layout="constrained")
for ax, step in zip(axes, snapshots):
    viz.show_matrix(ax, path[step], fmt="{:.1f}", cmap="RdBu_r", title=f"step {step}",
                    limits=(-2.5, 2.5))
viz.show_matrix(axes[-1], sobel, fmt="{:.0f}", cmap="RdBu_r", title="Sobel", limits=(-2.5, 2.5))
style.describe(fig, "the kernel at steps " + ", ".join(map(str, snapshots)) +
               ", beside the Sobel kernel it converges to")
plt.show()
sobel_error = float(np.abs(found - sobel).max())
claim("descent_recovers_sobel",
      "gradient descent from a kernel of zeros recovers the Sobel kernel",
      holds=sobel_error < 0.01,
      evidence=f"after {descent_steps} steps of learning rate {learning_rate} on 16 digits, "
               f"no weight is more than {sobel_error:.1e} from Sobel's; the error fell from "
               f"{losses[0]:.3g} to {losses[-1]:.2g}")
# The step at which each non-zero weight first comes within 10% of its target.
arrival = {(u, v): int(np.argmax(np.abs(path[:, u, v] - sobel[u, v]) <= 0.1 * abs(sobel[u, v])))
           for (u, v), target in np.ndenumerate(sobel) if target != 0}
corners = [arrival[u, v] for (u, v) in arrival if abs(sobel[u, v]) == 1]
middles = [arrival[u, v] for (u, v) in arrival if abs(sobel[u, v]) == 2]
corner_arrival, middle_arrival = max(corners), min(middles)
claim("smooth_direction_first",
      "the corner weights (±1) come within 10% of their targets before the middle ones (±2)",
      holds=all(np.abs(path[-1][sobel != 0] - sobel[sobel != 0]) <= 0.1 * np.abs(sobel[sobel != 0]))
      and corner_arrival < middle_arrival,
      evidence=f"first within 10%: the four corners at steps {sorted(corners)}, the two ±2 "
               f"at steps {sorted(middles)}")

# %% [markdown]
# The loss falls steadily, and the kernel walks to the Sobel kernel
# {{ claim descent_recovers_sobel }}. The weights do not arrive together, and not biggest
# first. Each row of three moves almost as a block: the corners come within 10% of their
# targets by step {{ corner_arrival }}, overshoot and come back, while the ±2 in the middle
# column need {{ middle_arrival }} steps {{ claim smooth_direction_first }}. Neighbouring
# pixels of a digit are nearly equal, so a change spread evenly along a row changes the output
# a lot (a direction of large curvature, where a step makes fast progress), while the 1 : 2 : 1
# shape *within* a row changes it little (small curvature, slow progress). Gradient descent
# settles the directions of large curvature first. The figure on the left is drawn on a log
# scale: each equal drop is the error shrinking by the same factor, the signature of gradient
# descent on a quadratic loss.
#
# Nothing here knew about edges. The data alone fixed the kernel: sixteen pictures and what
# the filter made of them determine nine weights many times over. A network's first layer is
# in the same position, except that nobody hands it the target maps; its targets are the
# labels, many layers up, and the gradient reaches the kernel through every layer between.
#
# ## Three definitions for everything that follows
#
# **ReLU.** After a convolution comes an *activation*, applied to every number on its own.
# The rectified linear unit keeps positive values and zeroes the rest:
# $\mathrm{relu}(z) = \max(0, z)$. Its gradient is 1 where $z > 0$ and 0 elsewhere, so
# backpropagation passes $G$ through where a unit was active and stops it where it was not.
# Without an activation, two convolutions in a row are one convolution (a sum of sums), and
# depth would buy nothing.
#
# **Cross-entropy.** The last layer of a classifier gives a score per class (*logits*)
# $z_k$; the *softmax* turns them into probabilities $p_k = e^{z_k} / \sum_j e^{z_j}$, and
# the loss of an image of class $y$ is $L = -\log p_y$: zero when the network is certain
# and right, large when it is confident and wrong. Its gradient with respect to the logits
# is strikingly simple, $\partial L / \partial z_k = p_k - [k = y]$: the predicted
# probabilities minus the one-hot label.
#
# **One optimiser step.** Stochastic gradient descent (SGD) averages the gradient over a
# *batch* of images and takes the step $w \leftarrow w - \eta\, g$ for every weight $w$.
# *Momentum* keeps a running sum of past steps, $v \leftarrow \mu v - \eta g$,
# $w \leftarrow w + v$, so steps that agree add up. *Adam* divides each weight's step by a
# running estimate of that gradient's typical size, so every weight moves at a similar pace;
# it is the default of most tutorials.
#
# Both formulas are easy to check against Keras: the gradient of its cross-entropy on random
# logits, and one step of its SGD optimiser on one weight.

# %%
logits = tf.Variable(rng.normal(size=(1, 10)).astype("float32"))
label = np.array([3])
with tf.GradientTape() as tape:
    loss = keras.losses.sparse_categorical_crossentropy(label, logits, from_logits=True)
tf_gradient = tape.gradient(loss, logits).numpy()[0]
p = np.exp(logits.numpy()[0]) / np.exp(logits.numpy()[0]).sum()   # softmax
by_formula = p - np.eye(10)[3]                                      # p minus the one-hot label
print(f"cross-entropy gradient: largest difference from p - onehot: "
      f"{np.abs(tf_gradient - by_formula).max():.1e}")

weight = keras.Variable(np.float32(0.8))
optimizer = keras.optimizers.SGD(learning_rate=0.1)
optimizer.apply([np.float32(0.25)], [weight])                     # gradient 0.25
print(f"one SGD step: 0.8 - 0.1 * 0.25 = {0.8 - 0.1 * 0.25:.3f}; Keras gives "
      f"{float(weight.numpy()):.3f}")

# %% [markdown]
# ## A network's first layer learns its filters
#
# Now the real thing, on MNIST's handwritten digits: one convolution of eight 5 × 5 filters
# with ReLU, 2 × 2 max pooling, and a dense layer that reads the pooled maps and gives ten
# logits. Keras draws the eight filters at random (the *Glorot uniform* initialiser: small
# values whose range shrinks with the layer's size). We keep a copy, train with Adam and the
# cross-entropy above, and compare.

# %%
x_train = digits.x_train[:train_size, :, :, np.newaxis] / 255
y_train = digits.y_train[:train_size]
x_test = digits.x_test[:, :, :, np.newaxis] / 255
y_test = digits.y_test

model = keras.Sequential([
    keras.Input(shape=(28, 28, 1)),
    keras.layers.Conv2D(8, (5, 5), activation="relu"),      # 24 x 24 x 8
    keras.layers.MaxPooling2D((2, 2)),                       # 12 x 12 x 8
    keras.layers.Flatten(),                                  # 1,152
    keras.layers.Dense(10),                                  # logits
])
model.compile(optimizer="adam",
              loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
              metrics=["accuracy"])
before = model.layers[0].get_weights()[0].copy()             # 5 x 5 x 1 x 8
correct_before = model.predict(x_test, verbose=0).argmax(axis=1) == y_test
model.fit(x_train, y_train, epochs=epochs, batch_size=64, verbose=0)
after = model.layers[0].get_weights()[0]
correct_after = model.predict(x_test, verbose=0).argmax(axis=1) == y_test

# %% tags=["hide-input"]
limit = max(np.abs(before).max(), np.abs(after).max())
fig, axes = plt.subplots(2, 8, figsize=(7.4, 2.4), layout="constrained")
for row, (name, bank) in enumerate((("random start", before), ("after training", after))):
    for f in range(8):
        axes[row, f].imshow(bank[:, :, 0, f], cmap="RdBu_r", vmin=-limit, vmax=limit)
        axes[row, f].set_xticks([])
        axes[row, f].set_yticks([])
        axes[row, f].spines[:].set_visible(False)
    axes[row, 0].set_ylabel(name, fontsize=8)
style.describe(fig, "the eight 5 x 5 filters of the first layer at their random start (top) "
                    "and after training (bottom), red positive, blue negative, one scale")
plt.show()
moved = np.abs(after - before).mean() / np.abs(before).mean()
versus = metrics.paired_comparison(correct_after, correct_before)
report.record("test_accuracy", correct_after.mean())
report.record("filter_change", moved, quantity="number")


def neighbour_correlation(bank):
    """How alike neighbouring weights are within a filter: for each filter, the correlation of
    each weight with the next one along a row and a column; the mean over the filters (0 for
    noise, towards 1 for smooth patterns). Correlating within each filter keeps filters that
    differ only in their mean from counting as smooth."""
    per_filter = []
    for f in range(bank.shape[-1]):
        w = bank[:, :, 0, f]
        a = np.concatenate([w[:, :-1].ravel(), w[:-1].ravel()])
        b = np.concatenate([w[:, 1:].ravel(), w[1:].ravel()])
        per_filter.append(np.corrcoef(a, b)[0, 1])
    return float(np.mean(per_filter))


smooth_before, smooth_after = neighbour_correlation(before), neighbour_correlation(after)
claim("training_beats_random_filters",
      "the trained network labels far more test digits correctly than the same network "
      "before training",
      holds=versus.winner == "a",
      evidence=versus.evidence("trained", "untrained"))
claim("filters_moved", "training moved the filters far from their random start",
      holds=moved > 0.5,
      evidence=f"the mean change of a weight is {moved:.0%} of its mean starting size")
claim("filters_became_smoother",
      "within each filter, neighbouring weights agree more after training than at the start",
      holds=smooth_after > smooth_before + 0.1,
      evidence=f"neighbouring weights of a filter correlate {smooth_after:.2f} after training, "
               f"{smooth_before:.2f} at the start (the mean over the 8 filters)")

# %% [markdown]
# Before training the network labels {{ correct_before.mean():.0%}} of the
# {{ len(y_test):, }} test digits correctly, about what guessing gives; after
# {{ epochs }} epochs on {{ len(x_train):, }} images it labels **{{ correct_after.mean():.1%}}**
# {{ claim training_beats_random_filters }}. The filters moved far from where they started
# {{ claim filters_moved }}, and they changed in kind: the random ones are speckle, each weight
# unrelated to its neighbour, while within a trained filter neighbouring weights tend to agree
# (they correlate {{ smooth_after:.2f }}, against {{ smooth_before:.2f }} at the start)
# {{ claim filters_became_smoother }}: the filters grow patches of positive and negative
# weight a few pixels across, about the width of a pen stroke.
#
# Nobody told the layer to find strokes. The gradient of the loss reached each kernel through
# the dense layer, the pooling (which passes it only to the pixel that won each window) and
# the ReLU (which passes it only where a unit was active), and each kernel moved, step after
# step, towards whatever pattern helped the dense layer tell digits apart. That is all
# "learned filters are chosen by training (backpropagation)" means.
#
# ## What weight sharing buys: shifted digits
#
# [Lesson 04](../padding_stride_pooling/) measured what a shift does inside a convolutional
# layer: its maps move with the digit, and 2 × 2 max pooling forgives part of a 1-pixel shift.
# Here is what that is worth to a whole trained network. Beside ours we train a *dense*
# network, which has a separate weight for every pixel: one hidden layer of 128 ReLU units
# and ten logits, with the same recipe (Adam, cross-entropy, batches of 64, the same epochs
# and images). Both learn from MNIST's digits as they come, centred in their frame; then
# both classify test digits moved 0 to 6 pixels.

# %%
dense = keras.Sequential([
    keras.Input(shape=(28, 28, 1)),
    keras.layers.Flatten(),                                  # 784
    keras.layers.Dense(128, activation="relu"),
    keras.layers.Dense(10),                                  # logits
])
dense.compile(optimizer="adam",
              loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
              metrics=["accuracy"])
dense.fit(x_train, y_train, epochs=epochs, batch_size=64, verbose=0)
print(f"CNN: {model.count_params():,} parameters; dense: {dense.count_params():,}")

# %% [markdown]
# Shifting a digit: every image moves by the same number of pixels right, left, down or up,
# and the pixels that move in at the border are black (`scipy.ndimage.shift`). One test digit
# at each shift to the right:

# %%
directions = {"right": (0, 1), "left": (0, -1), "down": (1, 0), "up": (-1, 0)}
shifts = list(range(7))
x_shift, y_shift = x_test[:shifted_size], y_test[:shifted_size]


def shifted(images, pixels, direction):
    """``images`` (n, 28, 28, 1) moved ``pixels`` towards ``direction``, black filled in."""
    dy, dx = directions[direction]
    return scipy.ndimage.shift(images, (0, dy * pixels, dx * pixels, 0), order=0, cval=0)


# %% tags=["hide-input"]
fig, axes = plt.subplots(1, len(shifts), figsize=(4.1, 1.0), layout="constrained")
for ax, pixels in zip(axes, shifts):
    ax.imshow(shifted(x_shift[:1], pixels, "right")[0, :, :, 0], cmap="gray")
    ax.set_title(f"{pixels} px", fontsize=9)
    ax.axis("off")
style.describe(fig, "a test digit moved right by 0 to 6 pixels")
plt.show()

# %% [markdown]
# At each shift both networks classify the same shifted digits (all four directions; at 0
# pixels, one copy of each). To say whether one is better beyond chance we use the *paired*
# test of `metrics.paired_comparison` (the exact McNemar test): digits both networks get
# right, or both wrong, say nothing about which is better; it counts the digits only one of
# them gets right and asks how likely so uneven a split would be if the two were equally
# good.

# %%
accuracy = {"CNN": [], "dense": []}
shift_versus = {}   # shift -> paired comparison, CNN against dense
for pixels in shifts:
    right = {"CNN": [], "dense": []}
    for d in directions if pixels else ["right"]:    # a 0-pixel shift is the same every way
        moved_digits = shifted(x_shift, pixels, d)
        for name, network in (("CNN", model), ("dense", dense)):
            right[name].append(network.predict(moved_digits, batch_size=500, verbose=0)
                               .argmax(axis=1) == y_shift)
    cnn_right, dense_right = np.concatenate(right["CNN"]), np.concatenate(right["dense"])
    accuracy["CNN"].append(float(cnn_right.mean()))
    accuracy["dense"].append(float(dense_right.mean()))
    shift_versus[pixels] = metrics.paired_comparison(cnn_right, dense_right)
cnn_curve, dense_curve = np.array(accuracy["CNN"]), np.array(accuracy["dense"])
far = np.array(shifts) >= 3

# %% tags=["hide-input"]
fig = viz.accuracy_curves(shifts, accuracy, xlabel="shift (pixels, 4 directions)",
                          title="MNIST test digits, moved")
fig.axes[0].axhline(0.1, color=style.GREY, ls="--", lw=1, label="guessing")
fig.axes[0].legend()
fig.set_size_inches(4.1, 3.0)
plt.show()
report.markdown(report.markdown_table(
    ["shift (px)", *map(str, shifts)],
    [[name, *(f"{a:.1%}" for a in accuracy[name])] for name in ("CNN", "dense")]
    + [["CNN alone right", *(f"{shift_versus[p].only_a:,}" for p in shifts)],
       ["dense alone right", *(f"{shift_versus[p].only_b:,}" for p in shifts)]]))

# %%
claim("cnn_beats_dense_shifted",
      "at every shift from 1 to 6 pixels the CNN labels more of the same shifted digits "
      "correctly than the dense network",
      holds=all(shift_versus[p].winner == "a" for p in shifts[1:]),
      evidence="; ".join(f"{p} px: {shift_versus[p].evidence('CNN', 'dense')}"
                         for p in shifts[1:]))
claim("cnn_fails_far",
      f"moved {shifts[-1]} pixels, the CNN labels fewer than half of the digits correctly",
      holds=cnn_curve[-1] < 0.5,
      evidence=f"CNN {cnn_curve[-1]:.1%} at {shifts[-1]} px, {cnn_curve[0]:.1%} centred")

# %% [markdown]
# The CNN has {{ model.count_params():, }} parameters, the dense network
# {{ dense.count_params():, }}. On centred digits they score {{ cnn_curve[0]:.1% }} and
# {{ dense_curve[0]:.1% }}. Moved 2 pixels, the dense network drops to
# {{ dense_curve[2]:.1% }} and the CNN to {{ cnn_curve[2]:.1% }}; moved 3, to
# {{ dense_curve[3]:.1% }} and {{ cnn_curve[3]:.1% }}. At every shift the CNN is right on
# more of the same digits {{ claim cnn_beats_dense_shifted }}.
#
# But the CNN is not invariant to shifts, only less sensitive. Moved {{ shifts[-1] }}
# pixels, it labels {{ cnn_curve[-1]:.1% }} of the digits correctly, against
# {{ cnn_curve[0]:.1% }} centred {{ claim cnn_fails_far }} (the dense network:
# {{ dense_curve[-1]:.1% }}). Lesson 04's measurements say why. The convolution moves its
# maps with the digit, so its filters find the strokes wherever they are; the pooling absorbs
# only part of a small shift; and then the last layer is dense again, with a weight for each
# of the 12 × 12 positions of the pooled maps, trained only on digits in the centre. A stroke
# that arrives 6 pixels off lands 3 cells away, on weights that never saw it there. Training
# on shifted copies of the digits (*data augmentation*, which
# [lesson 11](../regularisation/) applies to CIFAR-10), or ending the network in global
# pooling, are the usual remedies.
#
# ## Summary
#
# * The gradient of a convolution with respect to its kernel is the input cross-correlated
#   with the upstream gradient; with respect to its input, a full convolution of the upstream
#   gradient with the kernel; with respect to the bias, the sum of the upstream gradient.
# * Gradient descent, $K \leftarrow K - \eta\,\partial L/\partial K$, recovers a filter from
#   examples of its output; a network's layers learn the same way from labels.
# * ReLU passes gradients only where a unit is active; softmax with cross-entropy gives the
#   gradient $p - \text{onehot}(y)$; SGD, momentum and Adam differ in the step they take.
# * Trained on centred digits, the CNN copes with shifted ones better than a dense network
#   at every shift from 1 to 6 pixels {{ claim cnn_beats_dense_shifted }}: averaged over
#   shifts of 3 to 6 pixels, {{ cnn_curve[far].mean():.1% }} against
#   {{ dense_curve[far].mean():.1% }}; but far from the centre it fails too
#   {{ claim cnn_fails_far }}.
#
# ## Exercises
#
# **1. Predict, then run: a learning rate too large.** The descent above used a learning rate
# of {{ learning_rate }}. With half as much again, does the error still fall, or does it grow
# without bound? Answer `"falls"` or `"grows"`, then run the check, which runs the descent.

# %%
my_answer = None   # "falls" or "grows"

# %% tags=["hide-input"]
_, fast_losses = descend(100, 1.5 * learning_rate)
windows = np.concatenate([np.lib.stride_tricks.sliding_window_view(p, (3, 3)).reshape(-1, 9)
                          for p in pictures])
curvature = np.linalg.eigvalsh(2 * windows.T @ windows / targets.size).max()
check("exercise 1", my_answer, "grows" if fast_losses[-1] > fast_losses[0] else "falls",
      explain=f"with learning rate {1.5 * learning_rate} the error went from "
              f"{fast_losses[0]:.3g} to {fast_losses[-1]:.3g} in 100 steps. On this quadratic "
              f"loss a step is stable only below 2 / (the largest curvature) = "
              f"{2 / curvature:.2f}: a longer one overshoots the minimum by more than it "
              "started from, and every step makes it worse.")

# %% [markdown]
# **2. The shape of the upstream gradient.** A 7 × 7 kernel slides over a 32 × 32 image in
# valid mode, with stride 1. What shape (height, width) does $G$, the gradient arriving at its
# output, have?

# %%
my_answer = None   # a pair, e.g. (10, 10)

# %% tags=["hide-input"]
seven_by_seven = keras.layers.Conv2D(1, (7, 7))
check("exercise 2", my_answer, tuple(seven_by_seven(np.zeros((1, 32, 32, 1))).shape[1:3]),
      explain="G has the output's shape: 32 - 7 + 1 = 26 positions each way. Correlating the "
              "32 x 32 input with a 26 x 26 G gives 7 x 7 positions: the kernel's shape.")

# %% [markdown]
# **3. What a dead unit learns.** Suppose one of the eight filters had a large negative bias,
# so that ReLU zeroed its output at every position of every training image. How much would
# its kernel change in training? Answer with the size of its gradient (a number).

# %%
my_answer = None   # a number

# %% tags=["hide-input"]
check("exercise 3", my_answer, 0.0,
      explain="ReLU's gradient is 0 wherever its input was negative, so G is 0 at every "
              "position and the kernel's gradient X correlated with G is 0: the filter never "
              "changes. Such a 'dead' unit is one reason initialisations and learning rates "
              "matter.")

# %% [markdown]
# **4. Predict, then run: a diagonal shift.** Move the test digits 3 pixels right *and* 3
# pixels down. Will the CNN label more or fewer of them correctly than the digits moved 3
# pixels in one direction (its {{ cnn_curve[3]:.1% }} above)? Answer `"more"` or `"fewer"`; the
# check cell classifies the diagonally moved digits.

# %%
my_answer = None   # "more" or "fewer"

# %% tags=["hide-input"]
diagonal = scipy.ndimage.shift(x_shift, (0, 3, 3, 0), order=0, cval=0)
diagonal_accuracy = float(np.mean(model.predict(diagonal, batch_size=500, verbose=0)
                                  .argmax(axis=1) == y_shift))
check("exercise 4", my_answer, "more" if diagonal_accuracy > cnn_curve[3] else "fewer",
      explain=f"moved diagonally the CNN scores {diagonal_accuracy:.1%}, against "
              f"{cnn_curve[3]:.1%} moved 3 pixels straight. The digit is now "
              f"{np.hypot(3, 3):.1f} pixels from the centre and off in both directions, so "
              "more of the dense layer's weights meet strokes where training never put "
              "any.")

# %% [markdown]
# Next, [lesson 07](../cifar10_cnn/) trains a deep CNN on CIFAR-10's photographs, with
# everything on this page running inside `model.fit`.
#
# ## What this page checks

# %%
expect("test_accuracy").at_least(0.80, profile="quick")
expect("test_accuracy").at_least(0.97, profile="full")
expect("filter_change").at_least(0.5, profile=("quick", "full"))
report.record("dense_centred_accuracy", dense_curve[0])
report.record("cnn_centred_accuracy", cnn_curve[0])
report.record("dense_shifted_accuracy", dense_curve[far].mean())
report.record("cnn_shifted_accuracy", cnn_curve[far].mean())
report.record("cnn_minus_dense_worst_shift", (cnn_curve - dense_curve)[1:].min())
# Shifts of 3 to 6 pixels: a lead of 13 points in a full run made while writing this page;
# the quick run's 10,000 images and 2 epochs leave the CNN a lead of about 3.
expect("cnn_shifted_accuracy").at_least("dense_shifted_accuracy", plus=0.05, profile="full")
expect("cnn_shifted_accuracy").at_least("dense_shifted_accuracy", plus=0.01, profile="quick")
expect("cnn_minus_dense_worst_shift").at_least(-0.01, profile=("quick", "full"))
expect("cnn_centred_accuracy").at_least(0.85, profile=("quick", "full"))
