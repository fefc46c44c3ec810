# %% [markdown]
# # Padding, stride and pooling
#
# [The previous lesson](../convolution/) slid a kernel one pixel at a time and let the image
# shrink at the border. Three more choices shape what a convolutional layer produces: whether
# to *pad* the border, how far the window *strides* between positions, and whether to *pool*
# the result into a smaller map. At the end we measure what convolution and pooling do when a
# digit moves: what a shift does to a layer's feature maps before and after pooling, and how
# a small CNN and a dense network fare on digits moved 1 to 6 pixels. The CNN copes far
# better, and it too fails once the digit has moved far.

# %% [markdown]
# How big a run this page makes. These are the values of the full run; a quick build of the
# site uses fewer images and epochs, and the box at the top of the page says which ran.

# %% tags=["parameters"]
train_size = None   # MNIST training images (None: all 60,000)
test_size = None    # test images shifted and classified (None: all 10,000)
epochs = 5

# %%
import inspect

import keras
import matplotlib.pyplot as plt
import numpy as np
import scipy.ndimage

from convlab import convolution, data, metrics, report, training, viz
from convlab.claims import claim
from convlab.exercises import check
from convlab.expectations import expect

keras.utils.set_random_seed(1234)   # the same run every time

# %% [markdown]
# ## Valid and same padding
#
# In *valid* mode the window only visits positions where it fits entirely inside the input,
# so a $D \times D$ input and an $N \times N$ kernel give $D - N + 1$ positions per side: a
# 5 × 5 input and a 3 × 3 kernel give 3 × 3. In *same* mode the input is first surrounded by
# $P$ rings of zeros, just enough for the output to keep the input's size ($P = 1$ for a
# 3 × 3 kernel).
#
# The *stride* $S$ is how many pixels the window moves each step. With both, the number of
# positions along a side is
#
# $$D' = \left\lfloor \frac{D + 2P - N}{S} \right\rfloor + 1.$$
#
# We try valid, same and a stride of 2 on the same 5 × 5 input with a 3 × 3 kernel, computing
# each output with NumPy (`convolution.conv2d`) and with a Keras `Conv2D` layer
# (`convolution.apply_with_keras`), and its size with the formula (`convolution.output_size`).

# %%
x = np.array([
    [3, 1, 0, 2, 5],
    [4, 6, 1, 0, 2],
    [0, 2, 7, 3, 1],
    [1, 0, 3, 8, 2],
    [2, 4, 1, 0, 6],
])
k = convolution.kernel("laplacian")
settings = [  # (padding, zeros added per side P, stride S)
    ("valid", 0, 1),
    ("same", 1, 1),
    ("valid", 0, 2),
    ("same", 1, 2),
]
rows, outputs, mismatches = [], {}, 0
for padding, p, s in settings:
    by_numpy = convolution.conv2d(x, k, padding=padding, stride=s)
    by_keras = convolution.apply_with_keras(x, k, padding=padding, stride=s)
    size = convolution.output_size(5, 3, padding=p, stride=s)
    agree = by_numpy.shape == by_keras.shape == (size, size) and np.allclose(by_numpy, by_keras)
    mismatches += not agree
    outputs[padding, s] = by_numpy
    rows.append([padding, p, s, f"⌊(5 + {2 * p} - 3) / {s}⌋ + 1 = {size}",
                 by_numpy.shape, by_keras.shape, "yes" if agree else "**no**"])
report.markdown(report.markdown_table(
    ["padding", "P", "stride S", "formula", "NumPy", "Keras", "same values"], rows))

# %% [markdown]
# Here are the input, with the ring of zeros that same padding adds, and the four outputs:

# %%
fig, axes = plt.subplots(1, 5, figsize=(7.4, 2.8), width_ratios=[7, 3, 5, 2, 3],
                         layout="constrained")
viz.show_matrix(axes[0], np.pad(x, 1), title="input, padded", fmt="{:g}")
for ax, (padding, s) in zip(axes[1:], outputs):
    viz.show_matrix(ax, outputs[padding, s], title=f"{padding}, S={s}", cmap="Greens")
fig.suptitle("one 5x5 input, a 3x3 Laplacian: valid, same and stride 2")
plt.show()

# %% [markdown]
# Valid mode gives {{ outputs["valid", 1].shape[0] }} × {{ outputs["valid", 1].shape[1] }},
# same keeps {{ outputs["same", 1].shape[0] }} × {{ outputs["same", 1].shape[1] }}, and a
# stride of 2 visits every other position, roughly halving each side
# ({{ outputs["valid", 2].shape[0] }} × {{ outputs["valid", 2].shape[1] }} valid,
# {{ outputs["same", 2].shape[0] }} × {{ outputs["same", 2].shape[1] }} same).
# NumPy, Keras and the formula agree in every case. The formula, as
# `convlab.convolution.output_size` computes it:

# %% tags=["hide-input"]
report.markdown("```python\n" + inspect.getsource(convolution.output_size) + "```")

# %% [markdown]
# Keras's own rule for same padding is "output size $\lceil D / S \rceil$", with any odd pixel
# of padding added at the bottom and right; for odd kernels and stride 1 it is the formula
# above with $P = (N - 1) / 2$.
#
# ## Pooling
#
# A *pooling* layer has no weights. It cuts each feature map into windows, usually
# non-overlapping ($M \times M$ windows moving $M$ pixels), and keeps one number per window:
# the largest (*max pooling*) or the mean (*average pooling*). `convlab.convolution.pool2d`:

# %% tags=["hide-input"]
report.markdown("```python\n" + inspect.getsource(convolution.pool2d) + "```")

# %%
feature_map = np.array([
    [1, 0, 4, 2, 7, 3],
    [8, 2, 5, 1, 0, 6],
    [20, 13, 25, 3, 9, 4],
    [2, 6, 1, 0, 5, 11],
    [7, 3, 9, 4, 2, 8],
    [0, 12, 5, 6, 1, 3],
])
pooled = {
    "max 2x2": convolution.pool2d(feature_map, 2, mode="max"),
    "average 2x2": convolution.pool2d(feature_map, 2, mode="average"),
    "max 3x3, stride 3": convolution.pool2d(feature_map, 3, stride=3, mode="max"),
}
fig, axes = plt.subplots(1, 4, figsize=(7.4, 2.8), width_ratios=[6, 3, 3, 2], layout="constrained")
viz.show_matrix(axes[0], feature_map, title="6x6 feature map", highlight=(0, 0, 3, 3))
for ax, (name, values) in zip(axes[1:], pooled.items()):
    viz.show_matrix(ax, values, title=name, cmap="Greens", fmt="{:.3g}")
fig.suptitle("max and average pooling of one feature map")
plt.show()

# %% [markdown]
# The outlined 3 × 3 window holds {{ ", ".join(str(v) for v in feature_map[:3, :3].ravel()) }}:
# 3 × 3 max pooling with stride 3 keeps **{{ pooled["max 3x3, stride 3"][0, 0]:g }}** from it.
# Keras's pooling layers give the same numbers:

# %%
batch = feature_map.reshape(1, 6, 6, 1).astype("float32")   # (batch, height, width, channels)
pool_layers = {
    "max 2x2": keras.layers.MaxPooling2D(pool_size=2),
    "average 2x2": keras.layers.AveragePooling2D(pool_size=2),
    "max 3x3, stride 3": keras.layers.MaxPooling2D(pool_size=3, strides=3),
}
pooled_by_keras = {name: keras.ops.convert_to_numpy(layer(batch))[0, :, :, 0]
                   for name, layer in pool_layers.items()}
for name in pooled:
    print(f"{name:18} NumPy {pooled[name].tolist()}")
    print(f"{'':18} Keras {pooled_by_keras[name].tolist()}")
pool_difference = max(np.abs(pooled[n] - pooled_by_keras[n]).max() for n in pooled)

# %% [markdown]
# ### Pooling divides the pixel count by M²
#
# With $M \times M$ windows that do not overlap, each side shrinks $M$ times and the map
# holds $M^2$ times fewer values, in every channel. A CIFAR-10 image of 32 × 32 × 3 becomes
# 16 × 16 × 3 after 2 × 2 max pooling and 8 × 8 × 3 after 4 × 4:

# %%
cifar = data.load("cifar10")
photo = cifar.x_train[:1].astype("float32")               # (1, 32, 32, 3)
halved = keras.layers.MaxPooling2D(2)(photo)
quartered = keras.layers.MaxPooling2D(4)(photo)
for name, tensor in (("input", photo), ("max pool 2x2", halved), ("max pool 4x4", quartered)):
    print(f"{name:13} shape {tuple(tensor.shape)}  values {np.prod(tensor.shape[1:]):>5,}")
reduction_2 = photo[0].size / np.prod(halved.shape[1:])
reduction_4 = photo[0].size / np.prod(quartered.shape[1:])

fig, axes = plt.subplots(1, 3, figsize=(7.4, 2.6), layout="constrained")
for ax, tensor, title in zip(axes, (photo, halved, quartered), ("32x32", "16x16", "8x8")):
    ax.imshow(keras.ops.convert_to_numpy(tensor)[0].astype("uint8"), interpolation="nearest")
    ax.set_title(title)
    ax.axis("off")
fig.suptitle(f"a CIFAR-10 {cifar.class_names[cifar.y_train[0, 0]]}, max pooled")
plt.show()

# %% [markdown]
# {{ reduction_2:g }} times fewer values after 2 × 2 pooling, {{ reduction_4:g }} times after
# 4 × 4. Fewer values mean less computation in the layers that follow, and each later
# kernel sees a wider part of the original image.
#
# ### Flatten
#
# At the end of a convolutional network, the last feature maps are laid out as one long
# vector for the dense layers that classify. The 2 × 2 map from 3 × 3 pooling above becomes
# a vector of 4:

# %%
flat = keras.layers.Flatten()(pooled_by_keras["max 3x3, stride 3"].reshape(1, 2, 2, 1))
print(pooled_by_keras["max 3x3, stride 3"].shape, "->", tuple(flat.shape[1:]), ":",
      keras.ops.convert_to_numpy(flat)[0])
flat_length = flat.shape[1]

# %% [markdown]
# ## Shifted digits: equivariance and local invariance
#
# A kernel uses the same weights at every position, so it finds a stroke wherever the stroke
# is: shift the input by a pixel and the feature map shifts by the same pixel. The map does
# not stay the same; it moves *with* the input. That is called *equivariance*. Max pooling
# can make a small shift vanish: a window's maximum stays the same as long as the largest
# value stays inside the window. That is *invariance*, but only *local*: to shifts smaller
# than the window, and not always then. A dense layer has a separate weight for every pixel:
# a digit moved a few pixels lands on weights that never saw it there.
#
# To measure both we train two small networks on MNIST digits, which are centred in their
# 28 × 28 frame, then look at the CNN's first layer, and test both networks on test digits
# moved 0, 1, 2, … pixels.

# %%
digits = data.load("mnist")
x_train = digits.x_train[:train_size, :, :, None] / 255   # (n, 28, 28, 1)
y_train = keras.utils.to_categorical(digits.y_train[:train_size], 10)
x_test = digits.x_test[:test_size, :, :, None] / 255
y_test = digits.y_test[:test_size]
print("training", x_train.shape, "test", x_test.shape)

# %% [markdown]
# The dense network has one hidden layer of 128 units. The CNN has two 3 × 3 convolutions,
# each followed by 2 × 2 max pooling, and a dense output layer. Both train the same way:
# Adam, batches of 64, the same number of epochs, on the centred training digits only.

# %%
dense = keras.Sequential([
    keras.Input(shape=(28, 28, 1)),
    keras.layers.Flatten(),
    keras.layers.Dense(128, activation="relu"),
    keras.layers.Dense(10, activation="softmax"),
])
cnn = keras.Sequential([
    keras.Input(shape=(28, 28, 1)),
    keras.layers.Conv2D(16, (3, 3), activation="relu"),   # 26 x 26 x 16
    keras.layers.MaxPooling2D(2),                          # 13 x 13 x 16
    keras.layers.Conv2D(32, (3, 3), activation="relu"),   # 11 x 11 x 32
    keras.layers.MaxPooling2D(2),                          # 5 x 5 x 32
    keras.layers.Flatten(),                                # 800
    keras.layers.Dense(10, activation="softmax"),
])
for name, model in (("dense", dense), ("CNN", cnn)):
    print(f"{name}: {model.count_params():,} parameters")
    model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
    model.fit(x_train, y_train, epochs=epochs, batch_size=64, verbose=0,
              callbacks=[training.EpochLog()])

# %% [markdown]
# The CNN has {{ cnn.count_params():, }} parameters, the dense network
# {{ dense.count_params():, }}: a convolution's weights are shared by every position.
#
# Shifting a digit: every image moves by the same number of pixels right, left, down or up,
# and the pixels that move in at the border are black (`scipy.ndimage.shift`).
# Here is one test digit at each shift to the right:

# %%
directions = {"right": (0, 1), "left": (0, -1), "down": (1, 0), "up": (-1, 0)}
shifts = list(range(7))


def shifted(images, pixels, direction):
    """``images`` (n, 28, 28, 1) moved ``pixels`` towards ``direction``, black filled in."""
    dy, dx = directions[direction]
    return scipy.ndimage.shift(images, (0, dy * pixels, dx * pixels, 0), order=0, cval=0)


fig, axes = plt.subplots(1, len(shifts), figsize=(7.4, 1.8), layout="constrained")
for ax, s in zip(axes, shifts):
    ax.imshow(shifted(x_test[:1], s, "right")[0, :, :, 0], cmap="gray")
    ax.set_title(f"{s} px", fontsize=9)
    ax.axis("off")
fig.suptitle("a test digit moved right by 0 to 6 pixels")
plt.show()

# %% [markdown]
# ### What a shift does to the first layer
#
# We pass 1,000 test digits, and the same digits shifted by 1 and by 2 pixels, through the
# trained CNN's first convolution and its 2 × 2 max pooling, and count how many of the values
# that respond to the digit (that differ from what a blank image gives) are exactly unchanged.
# Each shift goes in all four directions. We compare the maps twice: at the same positions
# (invariance) and with the shifted map moved back by the shift (equivariance; for the
# pooled maps only the 2-pixel shift, one whole pooling window, can be moved back).

# %%
conv1, pool1 = cnn.layers[0], cnn.layers[1]
sample = x_test[:1000]


def first_layer(images):
    """The CNN's first feature maps, before and after pooling, as NumPy arrays."""
    feature_maps = conv1(images)
    return (keras.ops.convert_to_numpy(feature_maps),
            keras.ops.convert_to_numpy(pool1(feature_maps)))


def unchanged(before, after, blank, dy=0, dx=0):
    """(unchanged, responding) counts: values of ``after`` equal to those of ``before``
    moved (dy, dx) cells, among those that differ from a blank image's."""
    h, w = before.shape[1:3]
    before = before[:, max(0, -dy):h - max(0, dy), max(0, -dx):w - max(0, dx)]
    after = after[:, max(0, dy):h - max(0, -dy), max(0, dx):w - max(0, -dx)]
    blank = blank[:, :before.shape[1], :before.shape[2]]   # the same value everywhere
    responding = ~np.isclose(before, blank) | ~np.isclose(after, blank)
    same = np.isclose(before, after, rtol=1e-5, atol=1e-6) & responding
    return same.sum(), responding.sum()


blank_maps, blank_pooled = first_layer(np.zeros((1, 28, 28, 1)))
maps, pooled_maps = first_layer(sample)
share = {}   # (what, shift) -> share of responding values unchanged
for s in (1, 2):
    counts = {"maps, same place": [0, 0], "maps, moved back": [0, 0],
              "pooled, same place": [0, 0], "pooled, moved back": [0, 0]}
    for d, (dy, dx) in directions.items():
        maps_s, pooled_s = first_layer(shifted(sample, s, d))
        tallies = {"maps, same place": unchanged(maps, maps_s, blank_maps),
                   "maps, moved back": unchanged(maps, maps_s, blank_maps, dy * s, dx * s),
                   "pooled, same place": unchanged(pooled_maps, pooled_s, blank_pooled)}
        if s == 2:
            tallies["pooled, moved back"] = unchanged(pooled_maps, pooled_s, blank_pooled,
                                                      dy, dx)
        for what, (same, responding) in tallies.items():
            counts[what][0] += same
            counts[what][1] += responding
    for what, (same, responding) in counts.items():
        if responding:
            share[what, s] = same / responding

# %% tags=["hide-input"]
report.markdown(report.markdown_table(
    ["responding values unchanged", "1-pixel shift", "2-pixel shift"],
    [[what, *(f"{share[what, s]:.1%}" if (what, s) in share else "(not a whole cell)"
              for s in (1, 2))]
     for what in ("maps, same place", "pooled, same place", "maps, moved back",
                  "pooled, moved back")]))

# %%
moved_back = [share["maps, moved back", 1], share["maps, moved back", 2],
              share["pooled, moved back", 2]]
claim("maps_shift_with_the_digit",
      "the feature maps of a shifted digit are its feature maps shifted: at least 99% of the "
      "responding values match once moved back (the pooled maps for a 2-pixel shift)",
      holds=min(moved_back) >= 0.99,
      evidence=f"maps {share['maps, moved back', 1]:.1%} (1 px) and "
               f"{share['maps, moved back', 2]:.1%} (2 px), pooled maps "
               f"{share['pooled, moved back', 2]:.1%} (2 px, one cell)")
claim("pooling_absorbs_some_1px",
      "in place, a 1-pixel shift leaves more responding values unchanged after pooling than "
      "before it", holds=share["pooled, same place", 1] > share["maps, same place", 1] + 0.02,
      evidence=f"{share['pooled, same place', 1]:.1%} unchanged after pooling, "
               f"{share['maps, same place', 1]:.1%} before")
claim("pooling_not_2px",
      "in place, a 2-pixel shift leaves fewer than a tenth of the pooled values unchanged",
      holds=share["pooled, same place", 2] < 0.1,
      evidence=f"{share['pooled, same place', 2]:.1%} of the responding pooled values")

# %% [markdown]
# Moved back by the shift, the maps of a shifted digit are the original maps: equivariance,
# {{ share["maps, moved back", 1]:.1% }} of the responding values equal
# {{ claim maps_shift_with_the_digit }}. In place, a 1-pixel shift leaves
# {{ share["maps, same place", 1]:.0% }} of them unchanged before pooling (where a map
# happens to hold the same value at neighbouring positions) and
# {{ share["pooled, same place", 1]:.0% }} after {{ claim pooling_absorbs_some_1px }}: pooling
# absorbs some of a 1-pixel shift, not most of it. A 2-pixel shift moves every pooled map by
# exactly one cell (the last row of the table), so in place it changes nearly all of them:
# {{ share["pooled, same place", 2]:.0% }} stay {{ claim pooling_not_2px }}. One pooling
# layer forgives part of a shift smaller than its window; a shift of a whole window it
# passes on, as a shift of one cell of the pooled map.
#
# ### Accuracy on shifted digits
#
# Now the whole networks. At each shift, both classify the same shifted test digits (all four
# directions; at 0 pixels, one copy of each digit). To say whether one is better beyond
# chance we use a *paired* test (`metrics.paired_comparison`, the exact McNemar test): digits
# both networks get right, or both wrong, say nothing about which is better; it counts the
# digits only one of them gets right and asks how likely so uneven a split would be if the
# two were equally good.

# %%
accuracy = {"dense": [], "CNN": []}
versus = {}   # shift -> paired comparison, CNN against dense
for s in shifts:
    right = {"dense": [], "CNN": []}
    for d in directions if s else ["right"]:      # a 0-pixel shift is the same every way
        moved = shifted(x_test, s, d)
        for name, model in (("dense", dense), ("CNN", cnn)):
            right[name].append(model.predict(moved, batch_size=500, verbose=0).argmax(axis=1)
                               == y_test)
    cnn_right, dense_right = np.concatenate(right["CNN"]), np.concatenate(right["dense"])
    accuracy["CNN"].append(float(cnn_right.mean()))
    accuracy["dense"].append(float(dense_right.mean()))
    versus[s] = metrics.paired_comparison(cnn_right, dense_right)
dense_curve, cnn_curve = np.array(accuracy["dense"]), np.array(accuracy["CNN"])
far = np.array(shifts) >= 3

# %% tags=["hide-input"]
viz.accuracy_curves(shifts, accuracy, xlabel="shift (pixels, average of 4 directions)",
                    title="accuracy on MNIST test digits moved away from the centre")
plt.axhline(0.1, color="grey", ls="--", lw=1, label="guessing")
plt.legend()
plt.show()
report.markdown(report.markdown_table(
    ["shift (px)", *map(str, shifts)],
    [[name, *(f"{a:.1%}" for a in accuracy[name])] for name in ("CNN", "dense")]
    + [["CNN alone right", *(f"{versus[s].only_a:,}" for s in shifts)],
       ["dense alone right", *(f"{versus[s].only_b:,}" for s in shifts)],
       ["paired test", *("CNN better" if versus[s].winner == "a" else
                         "dense better" if versus[s].winner == "b" else "tie"
                         for s in shifts)]]))

# %%
claim("cnn_beats_dense_shifted",
      "at every shift from 1 to 6 pixels the CNN labels more of the same shifted digits "
      "correctly than the dense network",
      holds=all(versus[s].winner == "a" for s in shifts[1:]),
      evidence="; ".join(f"{s} px: {versus[s].evidence('CNN', 'dense')}" for s in shifts[1:]))
claim("cnn_fails_far",
      f"moved {shifts[-1]} pixels, the CNN labels fewer than half of the digits correctly",
      holds=cnn_curve[-1] < 0.5,
      evidence=f"CNN {cnn_curve[-1]:.1%} at {shifts[-1]} px, {cnn_curve[0]:.1%} centred")

# %% [markdown]
# On centred digits the dense network scores {{ dense_curve[0]:.1% }} and the CNN
# {{ cnn_curve[0]:.1% }}. Moved 2 pixels, the dense network drops to {{ dense_curve[2]:.1% }}
# and the CNN to {{ cnn_curve[2]:.1% }}; moved 3, to {{ dense_curve[3]:.1% }} and
# {{ cnn_curve[3]:.1% }}. At every shift the CNN is right on more of the same digits
# {{ claim cnn_beats_dense_shifted }}.
#
# But the CNN is not invariant to shifts, only less sensitive. Moved {{ shifts[-1] }}
# pixels, it labels {{ cnn_curve[-1]:.1% }} of the digits correctly, against
# {{ cnn_curve[0]:.1% }} centred {{ claim cnn_fails_far }} (the dense network:
# {{ dense_curve[-1]:.1% }}). The measurements above say why: the convolutions move their maps
# with the digit, the two poolings absorb only part of a small shift, and the last layer is
# again dense, with a weight for each position of the 5 × 5 maps, trained only on digits in
# the centre. Training on shifted copies of the digits (*data augmentation*, which
# [lesson 10](../regularisation/) applies to CIFAR-10) is the usual remedy.
#
# ## What we have
#
# * One formula gives a convolution's or a pooling's output side,
#   $\lfloor (D + 2P - N) / S \rfloor + 1$; NumPy, Keras and the formula agreed on all
#   {{ len(settings) }} settings tried ({{ mismatches }} mismatches).
# * $M \times M$ pooling keeps one value per window and divides the number of values by $M^2$
#   ({{ reduction_2:g }} for $M = 2$); Flatten lays the last maps out as one vector.
# * A convolution is equivariant: shift the digit and its feature maps shift with it
#   {{ claim maps_shift_with_the_digit }}. Pooling adds a little local invariance: a 1-pixel
#   shift leaves {{ share["pooled, same place", 1]:.0% }} of the pooled values unchanged
#   {{ claim pooling_absorbs_some_1px }}.
# * On shifted digits the CNN beats the dense network at every shift
#   {{ claim cnn_beats_dense_shifted }}: averaged over shifts of 3 to 6 pixels, it scores
#   {{ cnn_curve[far].mean():.1% }} and the dense network {{ dense_curve[far].mean():.1% }};
#   but at {{ shifts[-1] }} pixels it is down to {{ cnn_curve[-1]:.1% }}
#   {{ claim cnn_fails_far }}.
#
# ## Exercises
#
# Predict first, then set your answers in the cell below and run the check cell after it: it
# says whether you are right, and under each, folded, the answer and why.
#
# 1. A 32 × 32 image, a 5 × 5 kernel, $P = 2$ zeros on each side, stride 2: what side does
#    the output have? Set `answer_1`.
# 2. Move the 6 × 6 feature map above one column to the right (its left column becomes 0,
#    its right column drops out). Of the four values of 3 × 3 max pooling with stride 3, how
#    many change? Set `answer_2`.
# 3. 3 × 3 max pooling that moves 1 pixel at a time (overlapping windows) on the same map:
#    what side does the result have? Set `answer_3`.

# %%
answer_1 = None   # your answer: output side, D = 32, N = 5, P = 2, S = 2
answer_2 = None   # your answer: how many of the 4 pooled values change
answer_3 = None   # your answer: output side of 3x3 max pooling with stride 1

# %% tags=["hide-input"]
hint = "work it out with the formula again."
side_1 = convolution.output_size(32, 5, padding=2, stride=2)
check("exercise 1", answer_1, side_1, hint=hint,
      explain=f"⌊(32 + 4 − 5) / 2⌋ + 1 = {(32 + 4 - 5) // 2} + 1 = {side_1}: with P = 2 a "
              f"5 × 5 kernel keeps the side (same padding), and stride 2 halves it.")
moved_map = np.pad(feature_map, ((0, 0), (1, 0)))[:, :6]           # one column to the right
before = convolution.pool2d(feature_map, 3, stride=3, mode="max")
after = convolution.pool2d(moved_map, 3, stride=3, mode="max")
check("exercise 2", answer_2, int((before != after).sum()),
      explain=f"Before {before.astype(int).tolist()}, after {after.astype(int).tolist()}. A "
              f"window keeps its value only when its largest value is not in its right "
              f"column (which moves out) and nothing larger moves in from the left.")
overlapping = keras.layers.MaxPooling2D(3, strides=1)(batch)       # Keras, on the 6 x 6 map
check("exercise 3", answer_3, int(overlapping.shape[1]), hint=hint,
      explain=f"The formula with N = 3, S = 1, P = 0: 6 − 3 + 1 = {int(overlapping.shape[1])}. "
              f"Overlapping windows shrink the map only as much as a valid convolution.")

# %% [markdown]
# Previous: [convolution](../convolution/). Next: [tracing shapes through a
# network](../tracing_shapes/), layer by layer.
#
# ## What this page checks

# %%
report.record("padding_stride_mismatches", mismatches)
report.record("valid_output_size", outputs["valid", 1].shape[0])
report.record("valid_output_size_by_formula", convolution.output_size(5, 3))
report.record("pool_window_max", pooled["max 3x3, stride 3"][0, 0])
report.record("pool_window_max_keras", pooled_by_keras["max 3x3, stride 3"][0, 0])
report.record("pool_numpy_keras_largest_difference", pool_difference)
report.record("pool_2x2_reduction", reduction_2)
report.record("flatten_length", flat_length)
report.compare({
    "dense_centred_accuracy": dense_curve[0],
    "cnn_centred_accuracy": cnn_curve[0],
    "dense_shifted_accuracy": dense_curve[far].mean(),
    "cnn_shifted_accuracy": cnn_curve[far].mean(),
})
report.record("cnn_minus_dense_worst_shift", (cnn_curve - dense_curve)[1:].min())
report.record("conv_maps_moved_back_equal", min(moved_back))
expect("conv_maps_moved_back_equal").at_least(0.99)   # equivariance: shifted maps match
expect("padding_stride_mismatches").equals(0)      # formula, NumPy and Keras: 4 settings
expect("valid_output_size").equals(3)              # 5x5 input, 3x3 kernel, valid
expect("valid_output_size").equals("valid_output_size_by_formula")
expect("pool_window_max").equals(25)
expect("pool_window_max").equals("pool_window_max_keras")
expect("pool_numpy_keras_largest_difference").at_most(1e-5)
expect("pool_2x2_reduction").equals(4)             # M^2 for M = 2
expect("flatten_length").equals(4)                 # 2x2 -> 4
expect("cnn_shifted_accuracy").at_least("dense_shifted_accuracy", plus=0.05,
                                        profile=("quick", "full"))
expect("cnn_minus_dense_worst_shift").at_least(-0.01, profile=("quick", "full"))
expect("cnn_centred_accuracy").at_least(0.85, profile=("quick", "full"))
