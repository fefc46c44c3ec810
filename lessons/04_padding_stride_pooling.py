# %% [markdown]
# # Padding, stride and pooling
#
# [The previous lesson](../convolution/) slid a kernel one pixel at a time and let the image
# shrink at the border. Three more choices shape what a convolutional layer produces: whether
# to *pad* the border, how far the window *strides* between positions, and whether to *pool*
# the result into a smaller map. At the end we measure what convolution and pooling do when a
# digit moves: a shift moves a layer's feature maps with it, 2 × 2 max pooling forgives part
# of a 1-pixel shift, and global pooling forgives shifts of several pixels, at the price of
# forgetting where things were.

# %%
import inspect

import keras
import matplotlib.pyplot as plt
import numpy as np
import scipy.ndimage
import scipy.signal

from convlab import convolution, data, report, style, viz
from convlab.claims import claim
from convlab.exercises import check
from convlab.expectations import expect


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
# ### Why small images get same padding
#
# Each valid 3 × 3 convolution takes 1 pixel off each edge, 2 off the length of each side. On a
# photograph of hundreds of pixels that hardly matters; on MNIST's 28 × 28 or CIFAR-10's 32 × 32 it
# adds up fast, and the tutorials' advice is to use same padding on small images so that the maps
# keep their size and only pooling (a choice) shrinks them. Here is the side after 1 to 8
# convolutions, by the formula, checked against a Keras stack of eight `Conv2D(8, (3, 3))` layers:

# %%
depths = range(1, 9)
valid_sides = {}   # input side -> the side after each of 8 valid 3x3 convolutions
stack_mismatches = 0
for side in (28, 32):
    stack = keras.Sequential([keras.Input(shape=(side, side, 1))]
                             + [keras.layers.Conv2D(8, (3, 3), padding="valid") for _ in depths])
    sides, d = [], side
    for layer in stack.layers:
        d = convolution.output_size(d, 3)
        sides.append(d)
        stack_mismatches += layer.output.shape[1] != d
    valid_sides[side] = sides
same_stack = keras.Sequential([keras.Input(shape=(32, 32, 1))]
                              + [keras.layers.Conv2D(8, (3, 3), padding="same") for _ in depths])
same_side = same_stack.output_shape[1]
kept_28 = valid_sides[28][-1] ** 2 / 28 ** 2

# %% tags=["hide-input"]
report.markdown(report.markdown_table(
    ["3 × 3 convolutions", *map(str, depths)],
    [[f"valid, from {side} × {side}", *map(str, valid_sides[side])] for side in (28, 32)]
    + [["same, from 32 × 32", *([str(same_side)] * len(depths))]]))

# %% tags=["hide-input"]
claim("valid_shrinks_fast",
      "after eight valid 3 × 3 convolutions a 28 × 28 input keeps fewer than a fifth of its "
      "positions",
      holds=kept_28 < 0.2 and stack_mismatches == 0,
      evidence=f"28 → {valid_sides[28][-1]} per side: {valid_sides[28][-1] ** 2} of 784 "
               f"positions ({kept_28:.0%}); Keras and the formula differ on {stack_mismatches} "
               f"of 16 layers")

# %% [markdown]
# Eight valid layers take 28 × 28 down to {{ valid_sides[28][-1] }} × {{ valid_sides[28][-1] }},
# {{ kept_28:.0% }} of the positions {{ claim valid_shrinks_fast }}, and 32 × 32 to
# {{ valid_sides[32][-1] }} × {{ valid_sides[32][-1] }}; with same padding every layer keeps
# {{ same_side }} × {{ same_side }}. Valid mode also visits border pixels less: a corner pixel
# lies under one position of a 3 × 3 window, a pixel inside under nine, so whatever lies at the
# edge of a small image counts less. Same padding lets a network be as deep as it needs to be,
# and leaves the shrinking to the pooling layers, each 2 × 2 pooling halving the side.

# %% tags=["hide-input"]
side_shown = 8   # how many 3 x 3 window positions cover each pixel of an 8 x 8 input
positions = {"valid": np.ones((side_shown - 2, side_shown - 2)),   # window centres that fit
             "same": np.ones((side_shown, side_shown))}            # one centre per pixel
coverage = {"valid": scipy.signal.convolve2d(positions["valid"], np.ones((3, 3))),   # 8 x 8
            "same": scipy.signal.convolve2d(positions["same"], np.ones((3, 3)), mode="same")}
fig, axes = plt.subplots(1, 2, figsize=(5.2, 2.6), layout="constrained")
for ax, (mode, counts) in zip(axes, coverage.items()):
    viz.show_matrix(ax, counts, title=f"{mode}: windows per pixel", fmt="{:g}",
                    cmap="Greens", limits=(0, 9))
fig.suptitle("an 8x8 input under a 3x3 window")
plt.show()
claim("valid_neglects_corners",
      "in valid mode a corner pixel lies under one window position and an inner pixel under "
      "nine; same padding raises the corner to four",
      holds=bool(coverage["valid"][0, 0] == 1 and coverage["valid"][4, 4] == 9
                 and coverage["same"][0, 0] == 4),
      evidence=f"valid: corner {coverage['valid'][0, 0]:g}, edge {coverage['valid'][0, 4]:g}, "
               f"inside {coverage['valid'][4, 4]:g}; same: corner {coverage['same'][0, 0]:g}, "
               f"edge {coverage['same'][0, 4]:g}, inside {coverage['same'][4, 4]:g}")

# %% [markdown]
# Counted on an 8 × 8 input: in valid mode a corner pixel counts once, an edge pixel
# {{ coverage["valid"][0, 4]:g }} times and an inner one {{ coverage["valid"][4, 4]:g }}
# times; same padding lifts the corner to {{ coverage["same"][0, 0]:g }} and the edge to
# {{ coverage["same"][0, 4]:g }} {{ claim valid_neglects_corners }}, still fewer than
# inside: the zeros outside the image take the other places.
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
# ## Shifted digits: equivariance and invariance
#
# A kernel uses the same weights at every position, so it finds a stroke wherever the stroke
# is: shift the input by a pixel and the feature map shifts by the same pixel. The map does
# not stay the same; it moves *with* the input. That is called *equivariance*. Max pooling
# can make a small shift vanish: a window's maximum stays the same as long as the largest
# value stays inside the window and nothing larger moves in. That is *invariance*, but only
# *local*: to shifts smaller than the window, and not always then. *Global* pooling, one value per
# whole map, goes further.
#
# To measure all three we need a convolutional layer and digits to shift. The layer: four
# 3 × 3 filters written by hand, lesson 03's Sobel kernels for vertical and horizontal edges
# and their negatives (so that after ReLU each map finds edges of one direction: dark to
# light, or light to dark), followed by 2 × 2 max pooling. The digits: MNIST's handwritten
# digits, centred in a 28 × 28 frame with a black margin.

# %%
digits = data.load("mnist")
sample = digits.x_test[:1000, :, :, None] / 255           # (1000, 28, 28, 1)

edges = keras.layers.Conv2D(4, (3, 3), activation="relu")      # 26 x 26 x 4, valid
edges.build((None, 28, 28, 1))
bank = np.stack([convolution.kernel("sobel_x"), -convolution.kernel("sobel_x"),
                 convolution.kernel("sobel_y"), -convolution.kernel("sobel_y")], axis=-1)
# Keras slides a kernel without flipping it, as conv2d does: the weights go in as they are.
edges.set_weights([bank[:, :, None, :].astype("float32"), np.zeros(4, dtype="float32")])
pool = keras.layers.MaxPooling2D(2)                            # 13 x 13 x 4

# %% [markdown]
# Shifting a digit: every image moves by the same number of pixels right, left, down or up,
# and the pixels that move in at the border are black (`scipy.ndimage.shift`). Here is one
# test digit, its four edge maps, and the same digit moved 2 pixels right:

# %%
directions = {"right": (0, 1), "left": (0, -1), "down": (1, 0), "up": (-1, 0)}


def shifted(images, pixels, direction):
    """``images`` (n, 28, 28, 1) moved ``pixels`` towards ``direction``, black filled in."""
    dy, dx = directions[direction]
    return scipy.ndimage.shift(images, (0, dy * pixels, dx * pixels, 0), order=0, cval=0)


# %% tags=["hide-input"]
fig, axes = plt.subplots(2, 5, figsize=(4.1, 2.1), layout="constrained")
for row, (name, digit) in enumerate((("digit", sample[:1]),
                                     ("moved 2 px", shifted(sample[:1], 2, "right")))):
    maps_shown = keras.ops.convert_to_numpy(edges(digit))[0]
    axes[row, 0].imshow(digit[0, :, :, 0], cmap="gray")
    axes[row, 0].set_ylabel(name, fontsize=9)
    for f, title in enumerate(("Sobel x", "−Sobel x", "Sobel y", "−Sobel y")):
        axes[row, f + 1].imshow(maps_shown[:, :, f], cmap="viridis")
        if row == 0:
            axes[row, f + 1].set_title(title, fontsize=8)
for ax in axes.ravel():
    ax.set_xticks([])
    ax.set_yticks([])
    ax.grid(False)
style.describe(fig, "a test digit and its four edge maps (top), and the same digit moved 2 "
                    "pixels right with its maps, moved the same way (bottom)")
plt.show()

# %% [markdown]
# ### Before and after pooling
#
# We pass 1,000 test digits, and the same digits shifted by 1 and by 2 pixels, through the
# edge filters and the 2 × 2 max pooling, and count how many of the values that respond to
# the digit (that are not zero, as they are for a blank image) stay exactly unchanged. Each
# shift goes in all four directions. We compare the maps twice: at the same positions
# (invariance) and with the shifted map moved back by the shift (equivariance; for the
# pooled maps only the 2-pixel shift, one whole pooling window, can be moved back).

# %% tags=["hide-input"]
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


# %%
def first_layer(images):
    """The edge maps of ``images``, before and after pooling, as NumPy arrays."""
    feature_maps = edges(images)
    return (keras.ops.convert_to_numpy(feature_maps),
            keras.ops.convert_to_numpy(pool(feature_maps)))


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

# %% tags=["hide-input"]
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
      "before it, but fewer than half of them",
      holds=share["maps, same place", 1] + 0.02 < share["pooled, same place", 1] < 0.5,
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
# **Predict, then run.** Replace the 2 × 2 *max* pooling of the edge maps by 2 × 2 *average*
# pooling and shift the 1,000 digits by 1 pixel, in place, as above. Will more or fewer of
# the responding pooled values stay unchanged than with max pooling? Set `answer_average` to
# `"more"` or `"fewer"`; the check cell measures it.

# %%
answer_average = None   # your answer: "more" or "fewer" unchanged with average pooling

# %% tags=["hide-input"]
average = keras.layers.AveragePooling2D(2)
blank_average = keras.ops.convert_to_numpy(average(edges(np.zeros((1, 28, 28, 1)))))
averaged = keras.ops.convert_to_numpy(average(edges(sample)))
moved_averages = [keras.ops.convert_to_numpy(average(edges(shifted(sample, 1, d))))
                  for d in directions]
tally = np.sum([unchanged(averaged, m, blank_average) for m in moved_averages], axis=0)
average_share = tally[0] / tally[1]
check("average pooling", answer_average,
      "more" if average_share > share["pooled, same place", 1] else "fewer",
      explain=f"Average pooling keeps {average_share:.1%} of the responding values unchanged, "
              f"max pooling {share['pooled, same place', 1]:.1%}. A window's mean changes as "
              f"soon as any of its four values changes; its maximum only when the largest one "
              f"does.")

# %% [markdown]
# ### Global pooling
#
# `GlobalMaxPooling2D` and `GlobalAveragePooling2D` pool each whole map into one number: the
# largest value of the map, or its mean. Four edge maps give four numbers per digit, and
# where in the frame an edge was is gone. Wherever the digit moves, as long as nothing it
# makes leaves the map, the largest value is the same, and so is the sum of the values, so
# neither number changes. Only at the border can they: a 26 × 26 valid map ends 1 pixel
# inside the frame, and a digit moved far enough loses edges over it. We shift the same
# 1,000 digits by 1, 2 and 4 pixels, all four ways:

# %%
global_layers = {"global max": keras.layers.GlobalMaxPooling2D(),
                 "global average": keras.layers.GlobalAveragePooling2D()}
global_shifts = [1, 2, 4]
global_share = {}   # (kind, shift) -> share of the pooled values unchanged
global_same = {}    # (kind, shift, direction) -> (1000, 4): which values stayed the same
for kind, layer in global_layers.items():
    before = keras.ops.convert_to_numpy(layer(edges(sample)))            # (1000, 4)
    for s in global_shifts:
        for d in directions:
            after = keras.ops.convert_to_numpy(layer(edges(shifted(sample, s, d))))
            global_same[kind, s, d] = np.isclose(after, before, rtol=1e-5, atol=1e-6)
        global_share[kind, s] = float(np.mean([global_same[kind, s, d] for d in directions]))

# %% tags=["hide-input"]
report.markdown(report.markdown_table(
    ["values unchanged, in place", *(f"{s}-pixel shift" for s in global_shifts)],
    [["2 × 2 max pooling (above)",
      *(f"{share['pooled, same place', s]:.1%}" if ("pooled, same place", s) in share
        else "(not measured)" for s in global_shifts)]]
    + [[kind, *(f"{global_share[kind, s]:.1%}" for s in global_shifts)]
       for kind in global_layers]))

# %% tags=["hide-input"]
ink = sample[:, :, :, 0] > 0
ink_rows, ink_columns = ink.any(axis=2), ink.any(axis=1)      # (1000, 28) each
room = {"up": ink_rows.argmax(1), "down": ink_rows[:, ::-1].argmax(1),   # blank lines between
        "left": ink_columns.argmax(1), "right": ink_columns[:, ::-1].argmax(1)}   # ink, frame
box_height = 28 - room["up"] - room["down"]
box_width = 28 - room["left"] - room["right"]
near_frame = (np.minimum.reduce(list(room.values())) <= 3).mean()
opposite = {"up": "down", "down": "up", "left": "right", "right": "left"}
far = {}   # (kind, shift) -> (unchanged, counted) over digits whose ink stays 2 px inside
for kind in global_layers:
    for s in global_shifts:
        kept = [global_same[kind, s, d][(room[d] >= s + 2) & (room[opposite[d]] >= 2)]
                for d in directions]
        far[kind, s] = (sum(int(k.sum()) for k in kept), sum(k.size for k in kept))
far_cases = {s: far["global average", s][1] // 4 for s in global_shifts}   # digit-directions
far_share = {key: unchanged_ / max(counted, 1) for key, (unchanged_, counted) in far.items()}
claim("far_from_border_invariant",
      "for every digit whose ink stays at least 2 pixels inside the frame before and after the "
      "shift, both global poolings are unchanged (to rounding) at every shift",
      holds=all(unchanged_ == counted > 0 for unchanged_, counted in far.values()),
      evidence="; ".join(f"{s} px: {far_cases[s]:,} digit-and-direction cases, global max "
                         f"{far_share['global max', s]:.1%}, global average "
                         f"{far_share['global average', s]:.1%}"
                         for s in global_shifts))
claim("global_beats_local",
      "shifted by 2 pixels, both global poolings keep far more of their values unchanged than "
      "2 × 2 max pooling",
      holds=min(global_share["global max", 2], global_share["global average", 2])
      > share["pooled, same place", 2] + 0.5,
      evidence=f"global max {global_share['global max', 2]:.1%}, global average "
               f"{global_share['global average', 2]:.1%}, 2 × 2 max pooling "
               f"{share['pooled, same place', 2]:.1%}")
claim("global_max_invariant",
      "global max pooling leaves at least 95% of its values unchanged by shifts of 1, 2 and 4 "
      "pixels",
      holds=min(global_share["global max", s] for s in global_shifts) >= 0.95,
      evidence="; ".join(f"{global_share['global max', s]:.1%} at {s} px" for s in global_shifts))
claim("average_feels_the_border",
      "global average pooling keeps fewer values unchanged than global max pooling at every "
      "shift",
      holds=all(global_share["global average", s] < global_share["global max", s]
                for s in global_shifts),
      evidence="; ".join(f"{s} px: average {global_share['global average', s]:.1%}, max "
                         f"{global_share['global max', s]:.1%}" for s in global_shifts))

# %% [markdown]
# Shifted by 2 pixels, 2 × 2 max pooling keeps {{ share["pooled, same place", 2]:.0% }} of
# its values, global max pooling {{ global_share["global max", 2]:.0% }} and global average
# pooling {{ global_share["global average", 2]:.0% }} {{ claim global_beats_local }}. Global
# max pooling stays put even at 4 pixels, {{ global_share["global max", 4]:.0% }} of its values
# unchanged {{ claim global_max_invariant }}: a digit's strongest edge lies well inside the
# frame. Global average pooling is less forgiving, {{ global_share["global average", 4]:.0% }}
# at 4 pixels {{ claim average_feels_the_border }}.
#
# The border is why. The ink of these digits fills a box of
# {{ box_height.mean():.1f }} × {{ box_width.mean():.1f }} pixels on average (height × width)
# in the 28 × 28 frame, and the ink of {{ near_frame:.0% }} of them comes within 3 pixels of
# the frame's edge. A valid 3 × 3 map keeps every response to ink that lies at least 2 pixels
# inside the frame (a pixel's edges reach the map's positions beside it, and the map's first
# position is centred 1 pixel in); move the ink closer and its outermost edge responses fall
# off the map. A *mean* changes as soon as any value, however faint, falls off, where a
# maximum changes only when the largest one does. Where the ink stays at least 2 pixels
# inside the frame, before the shift and after it, nothing falls off or comes in, and both
# poolings are unchanged (to rounding), at every shift: {{ far_cases[1]:, }}, {{ far_cases[2]:, }}
# and {{ far_cases[4]:, }} such digit-and-direction cases at 1, 2 and 4 pixels
# {{ claim far_from_border_invariant }}.
#
# Global pooling buys that invariance by throwing away *where*: four numbers cannot say
# whether an edge was at the top of the digit or the bottom. Networks therefore use it at the
# end, after layers whose maps already say *what* is there (many channels, each a whole part
# of an object), in place of Flatten; both networks of [lesson 12](../reference_architectures/)
# end that way.
#
# ## What we have
#
# * One formula gives a convolution's or a pooling's output side,
#   $\lfloor (D + 2P - N) / S \rfloor + 1$; NumPy, Keras and the formula agreed on all
#   {{ len(settings) }} settings tried ({{ mismatches }} mismatches).
# * $M \times M$ pooling keeps one value per window and divides the number of values by $M^2$
#   ({{ reduction_2:g }} for $M = 2$); Flatten lays the last maps out as one vector.
# * Valid 3 × 3 convolutions shrink a small image 2 pixels a layer, 28 × 28 to
#   {{ valid_sides[28][-1] }} × {{ valid_sides[28][-1] }} in eight {{ claim valid_shrinks_fast }};
#   same padding keeps the side and leaves the shrinking to pooling.
# * A convolution is equivariant: shift the digit and its feature maps shift with it
#   {{ claim maps_shift_with_the_digit }}. Pooling adds a little local invariance: a 1-pixel
#   shift leaves {{ share["pooled, same place", 1]:.0% }} of the 2 × 2 pooled values unchanged
#   {{ claim pooling_absorbs_some_1px }}. Global pooling is invariant to shifts of several
#   pixels except at the border {{ claim global_max_invariant }}, a mean more easily upset
#   there than a maximum {{ claim average_feels_the_border }}; where the ink stays 2 pixels
#   inside the frame, both are unchanged {{ claim far_from_border_invariant }}. It forgets
#   where.
# * How much a whole network gains from this, a CNN against a dense network on digits moved
#   1 to 6 pixels, is measured in [lesson 06](../filter_learning/), once we have seen how a
#   network is trained.
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
# 4. Valid 5 × 5 convolutions, one after another, on a 28 × 28 digit: after how many is the
#    map smaller than 10 × 10? Set `answer_4`.

# %%
answer_1 = None   # your answer: output side, D = 32, N = 5, P = 2, S = 2
answer_2 = None   # your answer: how many of the 4 pooled values change
answer_3 = None   # your answer: output side of 3x3 max pooling with stride 1
answer_4 = None   # your answer: how many valid 5x5 convolutions until the side is below 10

# %% tags=["hide-input"]
hint = "work it out with the formula again."
side_1 = convolution.output_size(32, 5, padding=2, stride=2)
check("exercise 1", answer_1, side_1, hint=hint,
      explain=f"⌊(32 + 4 − 5) / 2⌋ + 1 = {(32 + 4 - 5) // 2} + 1 = {side_1}: stride 2 "
              f"halves the side, the same size as Keras's same padding gives "
              f"(⌈32 / 2⌉ = 16), though Keras pads this case 1 before and 2 after rather "
              f"than 2 and 2.")
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
side, layers_5x5 = 28, 0
while side >= 10:
    side, layers_5x5 = convolution.output_size(side, 5), layers_5x5 + 1
check("exercise 4", answer_4, layers_5x5, hint=hint,
      explain=f"Each valid 5 × 5 layer takes 4 pixels off the side: 28, 24, 20, 16, 12, then "
              f"{side}. With same padding (P = 2) the side would stay 28 however deep.")

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
report.record("valid_28_after_8", valid_sides[28][-1])
report.record("valid_stack_mismatches", stack_mismatches)
report.record("conv_maps_moved_back_equal", min(moved_back))
report.record("global_max_least_unchanged",
              min(global_share["global max", s] for s in global_shifts))
expect("conv_maps_moved_back_equal").at_least(0.99)   # equivariance: shifted maps match
expect("padding_stride_mismatches").equals(0)      # formula, NumPy and Keras: 4 settings
expect("valid_output_size").equals(3)              # 5x5 input, 3x3 kernel, valid
expect("valid_output_size").equals("valid_output_size_by_formula")
expect("pool_window_max").equals(25)
expect("pool_window_max").equals("pool_window_max_keras")
expect("pool_numpy_keras_largest_difference").at_most(1e-5)
expect("pool_2x2_reduction").equals(4)             # M^2 for M = 2
expect("flatten_length").equals(4)                 # 2x2 -> 4
expect("valid_28_after_8").equals(12)              # 28 - 8 x 2
expect("valid_stack_mismatches").equals(0)         # formula and Keras, 16 layers
