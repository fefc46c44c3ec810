# %% [markdown]
# # Convolution, one window at a time
#
# A convolutional layer does one simple thing many times: it lays a small grid of weights,
# the *kernel* or *filter*, over a patch of the image, multiplies each pixel by the weight
# on top of it, and adds the products up. That sum is one pixel of the output. Then the
# window moves on. On this page we do that by hand on a 4 × 4 grid of numbers, then with
# NumPy and with a Keras layer, and then run classic hand-made filters over a photograph.
# Last, we go from one filter to a layer: a colour image's three channels, a bank of filters
# making a stack of feature maps, the ReLU that follows, and 1 × 1 convolutions.

# %%
import inspect

import keras
import matplotlib.pyplot as plt
import numpy as np
import scipy.signal
import skimage
from IPython.display import HTML, display

from convlab import convolution, data, explorer, report, viz
from convlab.claims import claim
from convlab.exercises import check
from convlab.expectations import expect
from convlab.references import tutorial

keras.utils.set_random_seed(1234)   # the random filters below are the same every run

# %% [markdown]
# ## One output, by hand
#
# Our input is a 4 × 4 grid of pixel values and our kernel a 3 × 3 grid of weights. The
# kernel fits on the input in four positions (two across, two down), so the output is 2 × 2.
# This is *valid* mode: the window never hangs over the edge.

# %%
x = np.array([
    [10, 2, 0, 3],
    [50, 7, 7, 1],
    [0, 0, 25, 4],
    [5, 8, 2, 9],
])
k = np.array([
    [1, 0, -1],
    [0, 0, 0],
    [-1, 0, 1],
])

# %% [markdown]
# In the first position the window covers the top-left 3 × 3 pixels. We multiply each of
# them by the weight on top of it and add up the nine products:

# %%
window = x[0:3, 0:3]
products = window * k
print("window:\n", window)
print("window * kernel, element by element:\n", products)
terms = " + ".join(f"{a}*{b}" for a, b in zip(window.ravel(), k.ravel()))
first_by_hand = products.sum()
print(terms, "=", first_by_hand)
zero_weights = int((k == 0).sum())                      # weights that add nothing
counting = int((k != 0).sum())                          # the weights that count
counting_on_zero = int(((k != 0) & (window == 0)).sum())   # ...of which cover a 0 pixel
off_corners = int((k != 0).sum() - (k[::2, ::2] != 0).sum())   # counting, but not a corner

# %% [markdown]
# {{ zero_weights }} of the {{ k.size }} weights are 0, so only the {{ counting }} corners
# count, and {{ counting_on_zero }} of those cover a 0: the first output is
# **{{ first_by_hand }}**. The other three outputs come from sliding the
# window one pixel right, one pixel down, and both:

# %%
by_hand = np.zeros((2, 2))
for i in range(2):          # output row: the window starts at input row i
    for j in range(2):      # output column: the window starts at input column j
        patch = x[i:i + 3, j:j + 3]
        nonzero = [f"{a}*{b}" for a, b in zip(patch.ravel(), k.ravel()) if a * b != 0]
        by_hand[i, j] = (patch * k).sum()
        print(f"output[{i}, {j}] = {' + '.join(nonzero)} = {by_hand[i, j]:g}")

# %% [markdown]
# Here is the window sliding over the input, one frame per output pixel; the line under
# each frame is the sum that fills the highlighted output cell.

# %%
display(HTML(viz.sliding_window_animation(
    x, k, alt="the 3x3 window sliding over the 4x4 input and filling the 2x2 output")))

# %% [markdown]
# ## The same in NumPy
#
# `convlab.convolution.conv2d` is the loop we just wrote, for any image, kernel, stride and
# padding. This is its code, as the course runs it:

# %% tags=["hide-input"]
report.markdown("```python\n" + inspect.getsource(convolution.conv2d) + "```")

# %% [markdown]
# The heart of it is one line: cut out the window, multiply it by the kernel, add everything
# up. Run on our grid:

# %%
by_numpy = convolution.conv2d(x, k)
print(by_numpy)

# %% [markdown]
# ## The same in Keras
#
# A `Conv2D` layer with one 3 × 3 filter computes exactly this. Normally its weights are
# learned; here we fix them to our kernel with a *kernel initializer* and never train.
# Keras works on batches of images with channels, so its input is 4-D,
# `(batch, height, width, channels)`: our one greyscale grid becomes shape `(1, 4, 4, 1)`,
# and the kernel `(3, 3, 1, 1)` (height, width, input channels, filters).

# %%
layer_model = keras.Sequential([
    keras.Input(shape=(4, 4, 1)),
    keras.layers.Conv2D(
        1, (3, 3),
        kernel_initializer=keras.initializers.Constant(k.reshape(3, 3, 1, 1)),
        bias_initializer="zeros",
    ),
])
batch = x.reshape(1, 4, 4, 1).astype("float32")
by_keras = keras.ops.convert_to_numpy(layer_model(batch))[0, :, :, 0]
print("input", batch.shape, "-> output", by_keras.shape)
print(by_keras)

# %% tags=["hide-input"]
report.markdown(report.markdown_table(
    ["output pixel", "by hand", "NumPy `conv2d`", "Keras `Conv2D`"],
    [[f"[{i}, {j}]", f"{by_hand[i, j]:g}", f"{by_numpy[i, j]:g}", f"{by_keras[i, j]:g}"]
     for i, j in np.ndindex(2, 2)],
))
worked_difference = max(abs(by_hand - by_numpy).max(), abs(by_hand - by_keras).max())
claim("three_ways_agree", "by hand, in NumPy and in Keras the worked example gives the same "
      "four outputs", holds=bool(worked_difference == 0),
      evidence=f"outputs {', '.join(f'{v:g}' for v in by_hand.ravel())} by hand; largest "
               f"difference between any "
               f"two of the three {worked_difference:g}")

# %% [markdown]
# All three agree: the first output is {{ by_keras[0, 0]:g }} in Keras, and the largest
# difference between any two of the three, over all four outputs, is {{ worked_difference:g }}
# {{ claim three_ways_agree }}.
#
# ### Convolution or cross-correlation?
#
# Strictly, what we computed is a *cross-correlation*. Mathematical convolution first turns
# the kernel by 180° (rows and columns reversed), then slides it. SciPy has both:

# %%
print("kernel turned by 180 degrees:\n", k[::-1, ::-1])
print("correlate2d:", scipy.signal.correlate2d(x, k, mode="valid").tolist(),
      " convolve2d:", scipy.signal.convolve2d(x, k, mode="valid").tolist())
sobel = convolution.kernel("sobel_x")
print("Sobel x:\n", sobel, "\nturned:\n", sobel[::-1, ::-1])
print("correlate2d:", scipy.signal.correlate2d(x, sobel, mode="valid").tolist(),
      " convolve2d:", scipy.signal.convolve2d(x, sobel, mode="valid").tolist())

# %% [markdown]
# Turned round, our example kernel is unchanged (each diagonal's two corners swap and carry
# the same weight), so both give the same numbers. The Sobel kernel, which responds to
# vertical edges, is not: turned, it changes sign, and so does every output. Deep-learning
# libraries compute the correlation and still call it convolution: their kernels are
# learned, and a network that needs the turned kernel simply learns that one. For kernels
# that turning leaves unchanged, like the blur and the Laplacian below, the two are the same.
#
# ## Filters on a photograph
#
# Hand-made kernels have been used in image processing for decades. We try them on Chelsea
# the cat, a photograph that ships with scikit-image, converted to greyscale with values
# 0..255.

# %%
cat = skimage.color.rgb2gray(skimage.data.chelsea()) * 255
print("image", cat.shape, f"values {cat.min():.0f}..{cat.max():.0f}")

# %% [markdown]
# The filters, from `convlab.convolution.KERNELS`:
#
# * **edge**: 8 in the centre and −1 around it. The weights sum to 0, so a flat patch gives
#   0 and only change (an edge) gives a large answer.
# * **7 × 7 blur**: every weight is 1/49, so each output is the mean of 49 pixels. The weights
#   sum to 1, which keeps the brightness.
# * **Laplacian**: `[0 1 0], [1 −4 1], [0 1 0]`, another edge detector that sums to 0.
# * **sharpen**: the identity (a 1 in the centre, 0 elsewhere) minus the Laplacian,
#   `[0 −1 0], [−1 5 −1], [0 −1 0]`: the pixel plus how much it differs from its four
#   neighbours. (Turned by 180°, the Laplacian is unchanged, so turning plays no part.)
#
# Each goes through a one-layer Keras model with the kernel fixed
# (`convolution.apply_with_keras`), and through SciPy for comparison.

# %%
filters = {
    "edge": convolution.kernel("edge"),
    "blur": convolution.kernel("box_blur_7"),
    "Laplacian": convolution.kernel("laplacian"),
    "sharpen": convolution.kernel("sharpen"),
}
identity = np.zeros((3, 3))
identity[1, 1] = 1
laplacian = filters["Laplacian"]
print("identity - Laplacian:\n", identity - laplacian)
sharpen_vs_identity_minus_laplacian = np.abs(filters["sharpen"] - (identity - laplacian)).max()
laplacian_turned_change = np.abs(laplacian[::-1, ::-1] - laplacian).max()
print("sharpen differs from it by at most", sharpen_vs_identity_minus_laplacian,
      "| the Laplacian turned by 180 degrees differs from itself by", laplacian_turned_change)
filtered = {name: convolution.apply_with_keras(cat, kernel) for name, kernel in filters.items()}
face = (slice(40, 230), slice(110, 370))   # the part of each image shown
viz.filter_rows(cat, {name: (filters[name], filtered[name]) for name in filters}, crop=face,
                size=1.9,
                title="hand-made filters on the cat (valid mode; outputs clipped to 0..255)")
plt.show()

# %% [markdown]
# The edge filter and the Laplacian leave flat fur and background black (their negative
# outputs are black too, clipped) and keep only where brightness changes: whiskers, eyes,
# the outline of the head. The blur softens everything,
# and sharpening makes the fur look crisper. Each output is shown on the same part of the
# scene as the original: a valid-mode output is smaller, so its crop sits $(N - 1)/2$ pixels
# further up and left, and the panel titles give the size shown and the full size.
#
# ## The display problem
#
# A filter's output is not an image yet. Our pixels were 0..255, but the edge filter
# can give up to $8 \times 255$ where a bright pixel sits among dark ones, and far below 0 in
# the opposite case (the blur's output, a mean of pixels, cannot leave 0..255):

# %%
edge = filtered["edge"]
below, above = (edge < 0).mean(), (edge > 255).mean()
print(f"edge output from {edge.min():.0f} to {edge.max():.0f}; "
      f"{below:.1%} of pixels below 0, {above:.1%} above 255")

# %% tags=["hide-input"]
claim("edge_leaves_range", "the edge filter's output on the cat leaves 0..255 on both sides",
      holds=bool(edge.min() < 0 and edge.max() > 255),
      evidence=f"from {edge.min():.0f} to {edge.max():.0f}: {below:.1%} of the pixels below "
               f"0, {above:.1%} above 255")

# %% [markdown]
# It runs from {{ edge.min():.0f }} to {{ edge.max():.0f }} {{ claim edge_leaves_range }}, and
# the figure above simply clipped it to 0..255. Saved as 8-bit pixels without care, a value
# like −3 would wrap around to 253, white, and flat fur would turn to noise. One fix: *shift*
# the values so that 0 lands mid-way (add 128), round, and *clip* whatever is still outside
# 0..255 to black or white. `convlab.convolution.display_range` does that:

# %% tags=["hide-input"]
report.markdown("```python\n" + inspect.getsource(convolution.display_range) + "```")

# %% [markdown]
# Shift-and-clip keeps small values exact and sacrifices the large ones. The other fix keeps
# every value and sacrifices the small ones: divide the output by its largest magnitude $m$,
# so that it runs from −1 to 1, and show −1 as black, 0 as mid-grey and +1 as white. The
# four ways side by side, on the same part of the cat as above:

# %% tags=["hide-input"]
largest = np.abs(edge).max()
fig, axes = plt.subplots(1, 4, figsize=(9.6, 2.4), layout="constrained")
views = {
    "cast to uint8 (wraps around)": edge.astype(np.int64).astype(np.uint8),
    "clipped to 0..255": convolution.display_range(edge),
    "shifted by 128, then clipped": convolution.display_range(edge, offset=128),
    f"divided by its largest |value|, {largest:.0f}": 128 + 127 * edge / largest,
}
for ax, (title, pixels) in zip(axes, views.items()):
    ax.imshow(pixels[face], cmap="gray", vmin=0, vmax=255, interpolation="none")
    ax.set_title(title, fontsize=8)
    ax.axis("off")
fig.suptitle("four ways to show the edge filter's output (the face)")
plt.show()
clipped_by_shift = ((edge + 128 < 0) | (edge + 128 > 255)).mean()

# %% [markdown]
# Wrapping turns every slightly negative pixel white. Clipping alone is honest about the
# bright side but shows the {{ below:.0% }} of negative pixels as black, the same as 0.
# Shifting by 128 shows both signs: mid-grey for no change, lighter and darker for the two
# directions of an edge, and here it clips only {{ clipped_by_shift:.1% }} of the pixels.
# Dividing by the largest magnitude clips nothing, but one output of {{ largest:.0f }} sets
# the scale for all, so the ordinary edges of the fur fade towards grey. Shift-and-clip suits
# an output that mostly stays within ±128 of 0, as this one does; an output that is large
# everywhere needs the division.
#
# Two filters with random weights, for comparison. Their weights do not sum to 0, so even a
# flat patch of fur gives them an answer away from 0: its brightness times the sum of the
# weights. Each output is shown divided by its own largest magnitude (given in the panel's
# title), 0 mid-grey:

# %%
rng = np.random.default_rng(1234)
random_filters = {f"random {n}": rng.normal(0, 0.5, (3, 3)) for n in (1, 2)}
for name, kernel in random_filters.items():
    filters[name] = kernel
    filtered[name] = convolution.apply_with_keras(cat, kernel)
viz.filter_rows(cat, {name: (random_filters[name], filtered[name]) for name in random_filters},
                crop=face, scale=True, size=1.9,
                title="random 3x3 filters on the cat (each divided by its largest |value|)")
plt.show()

# %% [markdown]
# ### Keras and SciPy agree, and the image shrinks
#
# `scipy.signal.correlate2d` slides the kernel as Keras does (`convolve2d` would turn it
# first, which changes only the random filters). In *valid* mode a kernel of $N \times N$
# fits $D - N + 1$ times along a side of $D$ pixels, so the image loses $N - 1$ rows and
# columns; *same* mode pads the border with zeros so that the size is kept.

# %%
rows = []
largest_difference = 0.0
for name, kernel in filters.items():
    n = kernel.shape[0]
    by_scipy = scipy.signal.correlate2d(cat, kernel, mode="valid")
    same = convolution.apply_with_keras(cat, kernel, padding="same")
    difference = np.abs(filtered[name] - by_scipy).max()
    largest_difference = max(largest_difference, difference)
    by_formula = tuple(convolution.output_size(d, n) for d in cat.shape)   # D - N + 1
    rows.append([name, f"{n}x{n}", filtered[name].shape, by_scipy.shape, by_formula,
                 same.shape, f"{difference:.1e}"])
report.markdown(report.markdown_table(
    ["filter", "kernel", "Keras, valid", "SciPy, valid", "formula D - N + 1", "Keras, same",
     "largest difference"], rows))

# %% [markdown]
# The {{ cat.shape[0] }} × {{ cat.shape[1] }} photograph becomes
# {{ filtered["edge"].shape[0] }} × {{ filtered["edge"].shape[1] }} through a 3 × 3 kernel and
# {{ filtered["blur"].shape[0] }} × {{ filtered["blur"].shape[1] }} through the 7 × 7
# blur. Keras computes in 32-bit floats, SciPy in 64-bit; the outputs differ by at most
# {{ largest_difference:.1e }} on a scale of hundreds.
#
# This is the formula in `convlab.convolution.output_size`;
# [the next lesson](../padding_stride_pooling/) adds padding and stride to it:

# %% tags=["hide-input"]
report.markdown("```python\n" + inspect.getsource(convolution.output_size) + "```")

# %% [markdown]
# The original tutorial ran its filters on a photograph of its own. The same formula gives
# its sizes beside ours:

# %% tags=["hide-input"]
tutorial_photo = (tutorial("convolution.photo_height"), tutorial("convolution.photo_width"))
tutorial_reported = {
    3: (tutorial("convolution.valid_3x3_height"), tutorial("convolution.valid_3x3_width")),
    7: (tutorial("convolution.valid_7x7_height"), tutorial("convolution.valid_7x7_width")),
}
photo_sizes = {}
for n in (3, 7):
    photo_sizes[n] = {
        "ours": tuple(convolution.output_size(d, n) for d in cat.shape),
        "tutorial's": tuple(convolution.output_size(int(d), n) for d in tutorial_photo),
    }
size = "{0} × {1}".format
report.markdown(report.markdown_table(
    ["photograph", "size", "valid, 3 × 3", "valid, 7 × 7", "the tutorial reports"],
    [["Chelsea (this page)", size(*cat.shape), size(*photo_sizes[3]["ours"]),
      size(*photo_sizes[7]["ours"]), "–"],
     ["the tutorial's", size(*(int(d) for d in tutorial_photo)),
      size(*photo_sizes[3]["tutorial's"]), size(*photo_sizes[7]["tutorial's"]),
      f"{size(*(int(d) for d in tutorial_reported[3]))} and "
      f"{size(*(int(d) for d in tutorial_reported[7]))}"]],
))
tutorial_sizes_match = all(
    photo_sizes[n]["tutorial's"] == tuple(int(d) for d in tutorial_reported[n]) for n in (3, 7))
theirs = [size(*photo_sizes[n]["tutorial's"]) for n in (3, 7)]
reported = [size(*(int(d) for d in tutorial_reported[n])) for n in (3, 7)]
claim("tutorial_sizes_match",
      "D - N + 1 gives the output sizes the tutorial reports for its photograph",
      holds=tutorial_sizes_match,
      evidence=f"the formula gives {theirs[0]} and {theirs[1]}; the tutorial reports "
               f"{reported[0]} and {reported[1]}")

# %% [markdown]
# For the tutorial's {{ int(tutorial_photo[0]) }} × {{ int(tutorial_photo[1]) }} photograph
# the formula gives {{ size(*photo_sizes[3]["tutorial's"]) }} and
# {{ size(*photo_sizes[7]["tutorial's"]) }}, the sizes the tutorial reports
# {{ claim tutorial_sizes_match }}.
# Each photograph loses 2 rows and 2 columns to a 3 × 3 kernel and 6 to a 7 × 7 one,
# whatever its size.

# %% [markdown]
# ## How many parameters?
#
# A `Conv2D` layer with one 3 × 3 filter on a greyscale image has 9 weights and one *bias*,
# a number added to every output: 10 parameters, whatever the size of the image. A dense
# layer producing an output of the same size would need a weight for every pair of input
# and output pixels.

# %%
one_filter = keras.Sequential([
    keras.Input(shape=(*cat.shape, 1)),        # one image: height, width, 1 channel
    keras.layers.Conv2D(1, (3, 3)),
])
one_filter.summary()
conv_parameters = one_filter.count_params()
conv_parameters_by_formula = 3 * 3 * 1 * 1 + 1   # height x width x channels x filters + biases
dense_equivalent = cat.size * filtered["edge"].size + filtered["edge"].size
print("batch of one image:", cat[None, :, :, None].shape)

# %% [markdown]
# {{ conv_parameters }} parameters, where a dense layer from the {{ cat.size:, }} pixels to the
# {{ filtered["edge"].size:, }} outputs would need {{ dense_equivalent:,.0f }}. The same
# nine weights are used at every position: *weight sharing*.
#
# ## Random filters versus the Laplacian on a digit
#
# Now a handwritten digit from MNIST, 28 × 28 pixels, through the Laplacian and five more
# random 3 × 3 filters, in *same* mode so that every output is 28 × 28 too. Shifted by 128 and
# clipped, these outputs would be mostly pure black and white, so each is shown divided by its
# own largest magnitude $m$ (under each panel: black is $-m$, white $+m$, mid-grey 0).

# %%
digits = data.load("mnist")
digit = digits.x_test[0].astype(float)
kernels = {"Laplacian": convolution.kernel("laplacian")}
kernels.update({f"random {n}": rng.normal(0, 0.5, (3, 3)) for n in range(3, 8)})
outputs = {name: convolution.conv2d(digit, kernel, padding="same")
           for name, kernel in kernels.items()}

# %% tags=["hide-input"]
fig, axes = plt.subplots(1, 7, figsize=(8.4, 2.0), layout="constrained")
axes[0].imshow(digit, cmap="gray", vmin=0, vmax=255)
axes[0].set_title("digit\n0..255", fontsize=8)
for ax, (name, out) in zip(axes[1:], outputs.items()):
    m = np.abs(out).max()
    ax.imshow(out / m, cmap="gray", vmin=-1, vmax=1)
    ax.set_title(f"{name}\n±{m:.0f}", fontsize=8)
for ax in axes:
    ax.axis("off")
fig.suptitle(f"a {digits.y_test[0]} through the Laplacian and five random 3x3 filters")
plt.show()

# %% tags=["hide-input"]
randoms = [name for name in kernels if name.startswith("random")]
lowest = min(outputs[name].min() for name in randoms)
highest = max(outputs[name].max() for name in randoms)
lost = {}   # the share of each output's non-zero pixels that shift-and-clip turns black or white
for name in randoms:
    shifted = outputs[name] + 128
    nonzero = np.abs(outputs[name]) > 0.5
    lost[name] = ((shifted < 0) | (shifted > 255))[nonzero].mean()
claim("shift_clip_fails_on_random",
      "shifted by 128 and clipped, every random filter's output on the digit would lose at "
      "least a quarter of its non-zero pixels to pure black or white",
      holds=min(lost.values()) >= 0.25,
      evidence=f"outputs from {lowest:.0f} to {highest:.0f}; clipped: "
               + ", ".join(f"{name} {share:.0%}" for name, share in lost.items()))
blurred = convolution.conv2d(digit, np.ones((3, 3)) / 9, padding="same")   # 3x3 local mean
likeness = {name: np.corrcoef(out.ravel(), blurred.ravel())[0, 1]
            for name, out in outputs.items()}
weight_sums = {name: kernel.sum() for name, kernel in kernels.items()}
claim("random_filters_copy_digit",
      "each random filter's output resembles a blurred copy of the digit, inverted where "
      "its weights sum to less than 0: correlation with the blurred digit at least 0.4 in "
      "size, with the sign of the weights' sum",
      holds=all(abs(likeness[n]) >= 0.4 and np.sign(likeness[n]) == np.sign(weight_sums[n])
                for n in randoms),
      evidence="; ".join(f"{n}: weights sum to {weight_sums[n]:+.2f}, correlation "
                         f"{likeness[n]:+.2f}" for n in randoms))
laplacian_out = outputs["Laplacian"]
windows = np.lib.stride_tricks.sliding_window_view(np.pad(digit, 1), (3, 3))   # (28, 28, 3, 3)
flat = windows.max(axis=(2, 3)) == windows.min(axis=(2, 3))   # all nine pixels equal
flat_ink = int((flat & (digit > 0)).sum())
claim("laplacian_zero_on_flat",
      "the Laplacian gives exactly 0 on every flat 3 × 3 window of the digit",
      holds=bool(flat.any() and np.all(laplacian_out[flat] == 0)),
      evidence=f"{int(flat.sum())} of {flat.size} windows flat ({flat_ink} of them on ink); "
               f"largest |output| there {np.abs(laplacian_out[flat]).max(initial=0):g}")
ink = digit > 128                                          # the strokes
rim = (digit == 0) & (laplacian_out != 0)                  # paper that touches the strokes
ink_negative = (laplacian_out[ink] < 0).mean()
rim_positive = (laplacian_out[rim] > 0).mean()
claim("laplacian_inverts_stroke",
      "the Laplacian's output is negative on at least 90% of the stroke pixels and positive on "
      "at least 90% of the paper pixels beside them",
      holds=ink_negative >= 0.9 and rim_positive >= 0.9,
      evidence=f"negative on {ink_negative:.0%} of {int(ink.sum())} stroke pixels (above 128); "
               f"positive on {rim_positive:.0%} of {int(rim.sum())} paper pixels with a "
               f"non-zero output")

# %% [markdown]
# The random outputs run from {{ lowest:.0f }} to {{ highest:.0f }}: shifted by 128 and
# clipped, each would lose at least {{ min(lost.values()):.0%}} of its non-zero pixels to pure
# black or white {{ claim shift_clip_fails_on_random }}, leaving a silhouette. Divided by
# their largest magnitude, they turn out to resemble the digit itself, softened: a random
# kernel's weights do not sum to 0, so on a patch of nearly even brightness it returns that
# brightness times the sum of its weights. Each output correlates with the digit averaged
# over 3 × 3 windows, by at least {{ min(abs(likeness[n]) for n in randoms):.2f }}, and it is
# an inverted copy exactly where the weights sum to less than 0
# {{ claim random_filters_copy_digit }}. The resemblance is loose for some (a correlation of
# {{ min(abs(likeness[n]) for n in randoms):.2f }} is far from a copy), close for others.
#
# The Laplacian's weights sum to 0, so a flat patch gives 0: {{ int(flat.sum()) }} of the
# {{ flat.size }} 3 × 3 windows of this digit are flat, and the output is exactly 0 on all of
# them {{ claim laplacian_zero_on_flat }}. They are all paper ({{ flat_ink }} lie on ink):
# MNIST's strokes are only 2 or 3 pixels wide, with soft edges, so nearly every window on a
# stroke meets a change of brightness. There the Laplacian, $-4$ times the centre plus its
# four neighbours, is negative wherever a pixel is brighter than the average of its four neighbours,
# and positive where it is darker. The output is an inverted stroke with a bright rim:
# negative on {{ ink_negative:.0% }} of the stroke pixels, positive on {{ rim_positive:.0% }}
# of the paper pixels beside them {{ claim laplacian_inverts_stroke }}. On a thick stroke
# the middle would be flat and go to 0, leaving only the outline; on MNIST's thin strokes the
# outline is most of the stroke.
#
# None of these hand-made or random kernels was chosen for recognising digits. In a
# convolutional network the kernels start random, like these, and *training*
# (backpropagation) adjusts their weights until they pick out whatever helps the task.

# %% [markdown]
# ## From one filter to a layer: channels and filter banks
#
# So far every image had one channel and every layer one filter. A colour image has three
# numbers per pixel, its red, green and blue *channels*, and Keras stores it as
# `(height, width, channels)`. A filter on such an image is not one 3 × 3 grid but three,
# one *slice* per input channel: its kernel is 3 × 3 × 3. At each position it multiplies
# each slice with the window of its own channel, and adds up all 27 products and a bias.
# That is the same as correlating each channel with its slice separately, then adding the
# three results and the bias. The grid of outputs one filter makes over the whole image is
# a **feature map**: a map of where in the image the filter found what its weights look for.
#
# We take a colour image from CIFAR-10's test set, a red car, and a filter made by hand to
# find red: its red slice adds the red channel's mean over the window, its green and blue
# slices subtract half of theirs each. The weights sum to 0, so on a grey patch (the three
# channels equal) it gives 0, and a bias of −20 asks for red to stand out by more than
# that.

# %%
cifar = data.load("cifar10")
car = cifar.x_test[32].astype(float)                  # (32, 32, 3), values 0..255
print("image", car.shape, "a", cifar.class_names[int(cifar.y_test.ravel()[32])])
red_filter = np.zeros((3, 3, 3))                      # (kh, kw, C_in): one slice per channel
red_filter[:, :, 0] = 1 / 9                           # red: + its mean over the window
red_filter[:, :, 1] = red_filter[:, :, 2] = -1 / 18   # green, blue: - half their mean each
red_bias = -20.0
# Each channel correlated with its own slice, then the sum plus the bias:
per_channel = np.stack([convolution.conv2d(car[:, :, c], red_filter[:, :, c])
                        for c in range(3)], axis=-1)  # (30, 30, 3)
red_map = per_channel.sum(axis=-1) + red_bias         # (30, 30): one feature map
# conv2d does all of it at once: kernels (kh, kw, C_in, C_out), here one filter.
red_map_at_once = convolution.conv2d(car, red_filter[..., None], [red_bias])[:, :, 0]
print("per channel", per_channel.shape, "-> feature map", red_map.shape,
      "| largest difference from conv2d at once:", np.abs(red_map - red_map_at_once).max())

# %% tags=["hide-input"]
viz.channel_sum(car, red_filter, red_bias, per_channel, red_map,
                title="a red-finding filter on a CIFAR-10 car")
plt.show()

# %% [markdown]
# The red channel through its slice is a blurred copy of the red channel; the green and blue
# ones come out negative (dark), since their slices are. Added up with the bias, they leave a
# map that is light where red outweighs green and blue, on the car's body, and dark on the
# green trees and the near-white ground, where the red channel is no brighter than the
# other two. On the scale of the three correlations the sum looks faint; the ReLU figure
# further down shows it on its own scale.
#
# A layer is a **bank** of such filters, all of the same size, each spanning every input
# channel, and each making its own feature map. Their maps, stacked, are the layer's output:
# a new image with one channel per filter, which the next layer reads as its input channels.
# A bank of four: the red finder; a vertical-edge and a horizontal-edge finder (the Sobel
# kernels, the same on all three channels, so they see brightness); and a blue finder,
# the red one with the channels swapped.

# %%
sobel_y = convolution.kernel("sobel_x").T                        # the horizontal-edge twin
bank = np.zeros((3, 3, 3, 4))                                    # (kh, kw, C_in, C_out)
bank[:, :, :, 0] = red_filter
bank[:, :, :, 1] = convolution.kernel("sobel_x")[:, :, None] / 3   # all three channels
bank[:, :, :, 2] = sobel_y[:, :, None] / 3
bank[:, :, :, 3] = red_filter[:, :, ::-1]                        # blue + , red and green -
bank_bias = np.array([red_bias, 0.0, 0.0, -20.0])
bank_names = ["red", "vertical edges", "horizontal edges", "blue"]
maps = convolution.conv2d(car, bank, bank_bias)                  # (30, 30, 4): four maps
print("image", car.shape, "* bank", bank.shape, "-> maps", maps.shape)

# %% tags=["hide-input"]
viz.filter_bank(car, bank, maps, bank_names, title="a bank of four filters: four feature maps")
plt.show()

# %% [markdown]
# The same computation in Keras: a `Conv2D` layer with four 3 × 3 filters, given our weights
# with `set_weights`. `convolution.conv2d` is the NumPy reference for it; the course's tests
# hold it against Keras on random shapes, channels, strides and paddings (with
# `hypothesis`, in `tests/test_convolution.py`), and here we check it once more on the car.

# %%
bank_layer = keras.layers.Conv2D(4, (3, 3))
bank_layer.build((None, 32, 32, 3))
bank_layer.set_weights([bank, bank_bias])
maps_keras = keras.ops.convert_to_numpy(bank_layer(car[None].astype("float32")))[0]
bank_difference = np.abs(maps_keras - maps).max()
print("Keras", maps_keras.shape, "| largest difference from conv2d:", bank_difference,
      "| largest |value|:", np.abs(maps).max())

# %% tags=["hide-input"]
float32_step = np.finfo(np.float32).eps * np.abs(maps).max()   # float32's spacing at the top
claim("bank_matches_keras", "a Keras Conv2D layer with the bank's weights gives the same four "
      "maps as the NumPy conv2d, to float32 precision",
      holds=bool(bank_difference <= 64 * float32_step),
      evidence=f"largest difference {bank_difference:.1e} over {maps.size:,} outputs of up to "
               f"{np.abs(maps).max():.0f}; float32's spacing there is {float32_step:.1e}")

# %% [markdown]
# The largest difference over the {{ maps.size:, }} outputs is {{ bank_difference:.1e }},
# a rounding error of Keras's 32-bit floats {{ claim bank_matches_keras }}.
#
# ### How many parameters has a layer?
#
# Each filter has $k_h \times k_w \times C_{in}$ weights and one bias, and the layer has
# $C_{out}$ filters: $(k_h k_w C_{in} + 1)\,C_{out}$ parameters. For our bank,
# $(3 \times 3 \times 3 + 1) \times 4$:

# %%
bank_parameters_by_formula = (3 * 3 * 3 + 1) * 4
print("formula:", bank_parameters_by_formula, "| Keras:", bank_layer.count_params())

# %% [markdown]
# The image's size is not in the formula: the same {{ bank_layer.count_params() }} weights
# and biases serve a 32 × 32 image or a photograph. The number of input channels is, so a
# 3 × 3 filter reading the 64 maps of a previous layer has 64 times as many weights as one
# reading a greyscale image: $64 \times 9 + 1 = 577$ parameters against $9 + 1 = 10$, about
# 58 times as many (the bias does not grow with the channels).
#
# ### The activation after a convolution
#
# A convolution only multiplies and adds, and so does a stack of them: two convolutions in a
# row are one bigger convolution. Two valid 3 × 3 correlations, one after the other, equal
# one valid 5 × 5 correlation whose kernel is the first kernel *convolved* in full mode with
# the second (each of the 25 weights collects every way the two windows can combine). We
# check it on the cat, with the edge kernel and then the Laplacian:

# %%
first_kernel, second_kernel = filters["edge"], filters["Laplacian"]
two_in_a_row = scipy.signal.correlate2d(
    scipy.signal.correlate2d(cat, first_kernel, mode="valid"), second_kernel, mode="valid")
composed = scipy.signal.convolve2d(first_kernel, second_kernel, mode="full")   # 5 x 5
at_once = scipy.signal.correlate2d(cat, composed, mode="valid")
print("two 3x3 in a row", two_in_a_row.shape, "| one 5x5", at_once.shape,
      "| largest difference", np.abs(two_in_a_row - at_once).max())
with_padding = scipy.signal.correlate2d(
    scipy.signal.correlate2d(cat, first_kernel, mode="same"), second_kernel, mode="same")
at_once_same = scipy.signal.correlate2d(cat, composed, mode="same")
padding_gap = np.abs(with_padding - at_once_same)

# %% tags=["hide-input"]
composition_difference = np.abs(two_in_a_row - at_once).max()
claim("two_convolutions_are_one",
      "two valid 3 × 3 correlations in a row equal one valid 5 × 5 correlation with the "
      "composed kernel, up to rounding",
      holds=bool(two_in_a_row.shape == at_once.shape
                 and composition_difference <= 1e-9 * np.abs(at_once).max()),
      evidence=f"{at_once.size:,} outputs of up to {np.abs(at_once).max():.0f}; largest "
               f"difference {composition_difference:.1e}")
claim("padding_breaks_composition",
      "with zero same padding between the two, they differ from the 5 × 5 only at the border",
      holds=bool(padding_gap[2:-2, 2:-2].max() <= 1e-9 * np.abs(at_once).max()
                 and padding_gap.max() > 1),
      evidence=f"largest difference {padding_gap[2:-2, 2:-2].max():.1e} two pixels or more "
               f"from the border, {padding_gap.max():.0f} on it")

# %% [markdown]
# They agree to {{ composition_difference:.1e }}, rounding on outputs of up to
# {{ np.abs(at_once).max():.0f }} {{ claim two_convolutions_are_one }}. The identity is exact
# in valid mode only: with *same* padding the first output's border is computed from zeros
# that are not in the image, and the second filter reads them. In the same-mode pair the
# outputs differ by up to {{ padding_gap.max():.0f }} on the two outermost rings and not at
# all inside {{ claim padding_breaks_composition }}.
#
# So a stack of convolutions alone is still one convolution, only bigger. What makes a
# network more than that is a non-linear *activation* after each layer, applied to each
# number of each map separately. The usual one is the ReLU (rectified linear unit), $\max(0, z)$:
# negative values become 0, the others stay. In Keras it is `Conv2D(..., activation="relu")`. On
# the red map:

# %%
relu_layer = keras.layers.Conv2D(4, (3, 3), activation="relu")
relu_layer.build((None, 32, 32, 3))
relu_layer.set_weights([bank, bank_bias])
after_relu = keras.ops.convert_to_numpy(relu_layer(car[None].astype("float32")))[0]
red_before, red_after = maps[:, :, 0], after_relu[:, :, 0]
print("before:", f"{red_before.min():.0f}..{red_before.max():.0f}",
      "| after:", f"{red_after.min():.0f}..{red_after.max():.0f}")

# %% tags=["hide-input"]
negative = red_before < 0
relu_difference = np.abs(after_relu - np.maximum(maps, 0)).max()
claim("relu_zeroes_negatives", "the ReLU sets every negative value of the four maps to 0 and "
      "leaves the others as they were (to float32 precision)",
      holds=bool(relu_difference <= 64 * float32_step and negative.any()),
      evidence=f"{negative.mean():.0%} of the red map's values were negative; largest "
               f"difference between Keras's Conv2D with ReLU and max(0, conv2d) "
               f"{relu_difference:.1e}")
m = np.abs(red_before).max()
fig, axes = plt.subplots(1, 2, figsize=(4.2, 2.4), layout="constrained")
for ax, (name, values) in zip(axes, {"before ReLU": red_before,
                                     "after ReLU": red_after}.items()):
    ax.imshow(values / m, cmap="gray", vmin=-1, vmax=1, interpolation="none")
    ax.set_title(name, fontsize=10)
    ax.axis("off")
fig.suptitle(f"the red map (black -{m:.0f}, grey 0, white +{m:.0f})", fontsize=10)
plt.show()

# %% [markdown]
# The {{ negative.mean():.0% }} of the red map that was negative is now 0 (mid-grey), and
# the rest is unchanged, in this map as in the other three
# {{ claim relu_zeroes_negatives }}: the next layer sees only where the filter found what it
# looks for, and how strongly.
#
# ### 1 × 1 convolutions: mixing channels at each pixel
#
# A 1 × 1 filter sees one pixel, but all its channels: its output at a pixel is a weighted
# sum of that pixel's $C_{in}$ values, plus a bias. With $C_{out}$ such filters, that is a
# matrix product, the same $C_{in} \times C_{out}$ matrix $W$ applied to every pixel. Turning
# our colour car into greyscale is one: a single filter that weighs red, green and blue by
# 0.299, 0.587 and 0.114 (the television standard's weights). Here a 1 × 1 layer with two
# filters mixes our four maps into two:

# %%
mix = rng.normal(0, 0.5, (4, 2))                      # W: C_in = 4 maps -> C_out = 2
mix_bias = np.array([1.0, -1.0])
one_by_one = keras.layers.Conv2D(2, (1, 1))
one_by_one.build((None, 30, 30, 4))
one_by_one.set_weights([mix.reshape(1, 1, 4, 2), mix_bias])
mixed_keras = keras.ops.convert_to_numpy(one_by_one(maps[None].astype("float32")))[0]
mixed_by_matrix = np.einsum("hwc,cf->hwf", maps, mix) + mix_bias   # each pixel's 4 values @ W
print(maps.shape, "-> 1x1 Conv2D", mixed_keras.shape, "| matrix product", mixed_by_matrix.shape,
      "| parameters:", one_by_one.count_params())
greyscale = convolution.conv2d(car, np.array([0.299, 0.587, 0.114]).reshape(1, 1, 3, 1))
print("the car in greyscale, by a 1x1 convolution:", greyscale.shape)

# %% tags=["hide-input"]
mix_difference = np.abs(mixed_keras - mixed_by_matrix).max()
mix_step = np.finfo(np.float32).eps * np.abs(mixed_by_matrix).max()
claim("one_by_one_is_matrix", "a 1 x 1 Conv2D equals the same matrix product applied at each "
      "pixel, to float32 precision",
      holds=bool(mix_difference <= 64 * mix_step),
      evidence=f"largest difference {mix_difference:.1e} over {mixed_keras.size:,} outputs of "
               f"up to {np.abs(mixed_by_matrix).max():.0f}")

# %% [markdown]
# The 1 × 1 layer and the matrix product agree to {{ mix_difference:.1e }}
# {{ claim one_by_one_is_matrix }}. Such a layer changes the number of channels cheaply: its
# $(C_{in} + 1)\,C_{out}$ parameters are about a ninth of what a 3 × 3 layer with the same
# channels needs, and it looks at no neighbours at all. Networks use it to widen or narrow
# the stack of maps between 3 × 3 layers. The deeper ResNets (50 layers and more) build
# their blocks as *bottlenecks*: a 1 × 1 convolution squeezes, say, 256 channels to 64, a
# 3 × 3 convolution works on the 64, and another 1 × 1 widens them back to 256. The ResNet
# of [reference architectures](../reference_architectures/) uses a 1 × 1 convolution in
# its shortcuts, where a block changes the number of channels.

# %% [markdown]
# ## Try it yourself
#
# The explorer below runs in your browser: pick the cat (a quarter of its width and height) or
# the digit, a kernel from the bank above or nine numbers of your own, a stride and a
# padding, and watch the output and its shape change. It computes exactly what
# `convolution.conv2d` does; the site's tests hold its pixels against values this build
# computed with `conv2d`. It draws each output stretched from its own smallest value (black)
# to its largest (white), a fifth way of showing one, so there 0 is mid-grey only when the
# output runs as far below 0 as above. Stride and padding get their own lesson next:
# [padding, stride and pooling](../padding_stride_pooling/).

# %% tags=["hide-input"]
small_cat = skimage.transform.downscale_local_mean(cat[:300, :448], (4, 4))   # 75 x 112
explorer.show({"cat": small_cat, "digit": digit})

# %% [markdown]
# ## Summary
#
# * A convolution lays a kernel over each window of the image and adds up the products: on
#   the 4 × 4 grid the first output is {{ first_by_hand }} by hand, in NumPy and in Keras,
#   and the three agree on all four outputs to within {{ worked_difference:g }}.
# * What Keras calls convolution is cross-correlation; for a kernel that turning by 180°
#   leaves unchanged, like the Laplacian, the two are the same.
# * In valid mode a side of $D$ pixels becomes $D - N + 1$: the
#   {{ cat.shape[0] }} × {{ cat.shape[1] }} cat becomes
#   {{ filtered["blur"].shape[0] }} × {{ filtered["blur"].shape[1] }} through the 7 × 7 blur,
#   and the tutorial's {{ int(tutorial_photo[0]) }} × {{ int(tutorial_photo[1]) }} photograph
#   {{ size(*photo_sizes[7]["tutorial's"]) }}.
# * One 3 × 3 filter has {{ conv_parameters }} parameters at every image size; a dense layer
#   making the same output from the cat would need {{ dense_equivalent:,.0f }}.
# * Filter outputs leave 0..255 (the edge filter's run from {{ edge.min():.0f }} to
#   {{ edge.max():.0f }}). Shifted by 128 and clipped, an output that mostly stays near 0
#   shows both signs; one that is large everywhere, like a random filter's, must be divided
#   by its largest magnitude instead.
# * A random 3 × 3 filter whose weights do not sum to 0 returns something like a blurred
#   copy of its input, inverted when the sum is negative; the Laplacian, whose weights sum
#   to 0, returns 0 on flat patches and, on MNIST's thin strokes, an inverted stroke with a
#   bright rim.
# * On an image with $C_{in}$ channels a filter has one slice per channel; it sums the
#   correlations of all slices and a bias into one feature map. A layer is a bank of
#   $C_{out}$ such filters, its output a stack of $C_{out}$ maps, and it has
#   $(k_h k_w C_{in} + 1)\,C_{out}$ parameters ({{ bank_layer.count_params() }} for our bank
#   of four 3 × 3 filters on RGB).
# * A ReLU after the convolution, $\max(0, z)$ on every value of every map, sets the
#   negative values to 0.
# * A 1 × 1 convolution is the same matrix product at every pixel: it mixes channels and
#   changes their number cheaply.
#
# ## Exercises
#
# Put your answers in the cell below and run the check cell after it, in the downloaded
# notebook. Each check also offers the answer, folded: try first.
#
# **1. Predict a shape.** A 5 × 5 kernel runs over the cat in valid mode. What is the shape
# of the output? Set `answer_shape` to a pair, such as `(100, 200)`, before you compute it.
#
# **2. Change the kernel.** Replace the worked example's kernel by the identity kernel, a 1 in
# the centre and 0 elsewhere. What 2 × 2 output does the 4 × 4 grid give? Set
# `answer_identity` to a 2 × 2 list of numbers.
#
# **3. Count parameters.** A `Conv2D(8, (3, 3))` layer reads a colour image, and a
# `Conv2D(16, (3, 3))` layer reads its output. How many parameters has the second layer?
# Set `answer_parameters` to a number.
#
# **4. Predict a 1 × 1 shape.** A `Conv2D(5, (1, 1))` layer reads a 16 × 16 image with 3
# channels. What is the shape of its output for that one image (no batch axis)? Set
# `answer_1x1_shape` to a triple, then check it by building the layer.
#
# **5. Count a 1 × 1 layer.** How many parameters has that `Conv2D(5, (1, 1))` layer? Set
# `answer_1x1_parameters` to a number.

# %%
answer_shape = None           # exercise 1, e.g. (100, 200)
answer_identity = None        # exercise 2, e.g. [[1, 2], [3, 4]]
answer_parameters = None      # exercise 3, e.g. 100
answer_1x1_shape = None       # exercise 4, e.g. (10, 10, 2)
answer_1x1_parameters = None  # exercise 5, e.g. 100

# %% tags=["hide-input"]
check("exercise 1", answer_shape,
      scipy.signal.correlate2d(cat, np.ones((5, 5)), mode="valid").shape,
      explain=f"$D - N + 1$ on each side: {cat.shape[0]} - 5 + 1 rows and "
              f"{cat.shape[1]} - 5 + 1 columns; the image loses 4 of each.")
identity_kernel = np.zeros((3, 3))
identity_kernel[1, 1] = 1
check("exercise 2", answer_identity, convolution.conv2d(x, identity_kernel),
      explain="Each window's sum is just its centre pixel, so the output is the middle 2 × 2 "
              "of the input, `x[1:3, 1:3]`: valid mode drops the border ring.")
two_layers = keras.Sequential([keras.Input(shape=(32, 32, 3)), keras.layers.Conv2D(8, (3, 3)),
                               keras.layers.Conv2D(16, (3, 3))])
check("exercise 3", answer_parameters, two_layers.layers[1].count_params(),
      explain="The second layer's input has 8 channels, one per filter of the first, so each "
              "of its filters has $3 \\times 3 \\times 8 = 72$ weights and one bias; 16 "
              "filters make $16 \\times 73$.")
one_by_one_five = keras.Sequential([keras.Input(shape=(16, 16, 3)),
                                    keras.layers.Conv2D(5, (1, 1))])
check("exercise 4", answer_1x1_shape, tuple(one_by_one_five.output_shape[1:]),
      explain="A 1 × 1 window fits at every pixel, so height and width stay 16; the channels "
              "become one per filter, 5.")
check("exercise 5", answer_1x1_parameters, one_by_one_five.count_params(),
      explain="Each filter weighs the 3 channels of one pixel and adds a bias: "
              "$(3 + 1) \\times 5$.")

# %% [markdown]
# Previous lesson: [a dense baseline](../dense_baseline/). Next:
# [padding, stride and pooling](../padding_stride_pooling/).
#
# ## What this page checks

# %%
report.record("first_output_by_hand", first_by_hand)
report.record("first_output_numpy", by_numpy[0, 0])
report.record("first_output_keras", by_keras[0, 0])
report.record("worked_example_largest_difference", worked_difference)
report.record("keras_scipy_largest_difference", largest_difference)
report.record("blur_valid_height", filtered["blur"].shape[0])
report.record("blur_valid_height_by_formula", cat.shape[0] - 7 + 1)
report.record("conv_parameters", conv_parameters)
report.record("conv_parameters_by_formula", conv_parameters_by_formula)
report.record("bank_parameters", bank_layer.count_params())
report.record("bank_parameters_by_formula", bank_parameters_by_formula)
report.record("one_by_one_parameters", one_by_one.count_params())
report.record("bank_keras_largest_difference", bank_difference)
report.record("channel_sum_vs_conv2d", np.abs(red_map - red_map_at_once).max())
report.record("edge_output_min", edge.min())
report.record("edge_output_max", edge.max())
report.record("zero_weights_in_worked_kernel", zero_weights)
report.record("counting_weights_off_corners", off_corners)
report.record("sharpen_vs_identity_minus_laplacian", sharpen_vs_identity_minus_laplacian)
report.record("laplacian_turned_change", laplacian_turned_change)
report.record("tutorial_photo_valid_3x3_height", photo_sizes[3]["tutorial's"][0])
report.record("tutorial_photo_valid_3x3_width", photo_sizes[3]["tutorial's"][1])
report.record("tutorial_photo_valid_7x7_height", photo_sizes[7]["tutorial's"][0])
report.record("tutorial_photo_valid_7x7_width", photo_sizes[7]["tutorial's"][1])
expect("zero_weights_in_worked_kernel").equals(5)            # "5 of the 9 weights are 0"
expect("counting_weights_off_corners").equals(0)             # "only the corners count"
expect("sharpen_vs_identity_minus_laplacian").equals(0)      # sharpen = identity - Laplacian
expect("laplacian_turned_change").equals(0)                  # turning leaves it unchanged
expect("tutorial_photo_valid_3x3_height").equals(tutorial("convolution.valid_3x3_height"))
expect("tutorial_photo_valid_3x3_width").equals(tutorial("convolution.valid_3x3_width"))
expect("tutorial_photo_valid_7x7_height").equals(tutorial("convolution.valid_7x7_height"))
expect("tutorial_photo_valid_7x7_width").equals(tutorial("convolution.valid_7x7_width"))
expect("first_output_numpy").equals(35)                      # the curriculum's worked example
expect("first_output_by_hand").equals("first_output_numpy")
expect("first_output_by_hand").equals("first_output_keras")
expect("worked_example_largest_difference").equals(0)       # all four outputs, all three ways
expect("keras_scipy_largest_difference").at_most(0.01)       # float32 against float64
expect("blur_valid_height").equals("blur_valid_height_by_formula")   # valid shrinks by N - 1
expect("conv_parameters").equals(10)
expect("conv_parameters").equals("conv_parameters_by_formula")
expect("bank_parameters").equals("bank_parameters_by_formula")   # (kh kw C_in + 1) C_out
expect("one_by_one_parameters").equals((4 + 1) * 2)              # (C_in + 1) C_out
expect("bank_keras_largest_difference").at_most(0.01)            # float32 against float64
expect("channel_sum_vs_conv2d").at_most(1e-9)   # per-channel sums + bias = conv2d at once
expect("edge_output_min").at_most(-1)                        # why outputs need shifting...
expect("edge_output_max").at_least(256)                      # ...and clipping to be shown
