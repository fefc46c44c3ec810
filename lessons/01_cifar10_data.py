# %% [markdown]
# # CIFAR-10: the data
#
# Most networks in this course learn from one set of small photographs, CIFAR-10: the dense
# baseline of the next lesson, the CNN of [lesson 07](../cifar10_cnn/) and the deeper networks
# of lessons [10](../regularisation/) and [11](../reference_architectures/). (Lesson 03 also
# uses a photograph of a cat; lessons 03, 04, 06 and [09](../mnist_inside/) use handwritten
# digits from MNIST, and [lesson 08](../fashion_mnist/) uses Fashion-MNIST.) CIFAR-10 was
# assembled by Alex Krizhevsky, Vinod Nair and Geoffrey Hinton and described in Krizhevsky's
# *Learning Multiple Layers of Features from Tiny Images* (2009). It holds 60,000 colour images of
# 32 × 32 pixels in ten classes: airplane, automobile, bird, cat, deer, dog, frog, horse, ship and
# truck, with 6,000 images per class. The official split keeps 50,000 images for training and
# 10,000 for testing.
#
# Before training anything, we look at the data: how it is stored, what the pictures show,
# whether the classes are balanced, and how to scale the pixel values for a network.

# %%
import keras
import matplotlib.pyplot as plt
import numpy as np

from convlab import data, report, viz
from convlab.claims import claim
from convlab.exercises import check
from convlab.expectations import expect

# %% [markdown]
# ## Loading the images
#
# `convlab.data.load` returns the arrays that `keras.datasets.cifar10.load_data()` returns,
# plus the class names and where the images came from. It looks for a local copy first and
# otherwise downloads the dataset through `keras.datasets`; the box at the top of the page
# says which copy this page used, since a copy may hold fewer images than the official one.
#
# This site is built from the course's own copy, which holds fewer training images than the
# official release (the table below counts them). It was rebuilt from a public JPEG copy of
# CIFAR-10, so its pixels differ slightly from the originals, and its training images come
# in a shuffled order of their own. Everything this page counts (the class balance, the first
# labels, the pixel statistics) is counted on the copy it loaded. Run the notebook yourself and
# `keras.datasets` downloads the official release: your numbers will differ a little.

# %%
cifar = data.load("cifar10")

# %% [markdown]
# The images arrive as four NumPy arrays: training images and labels, test images and labels.

# %%
for name in ("x_train", "y_train", "x_test", "y_test"):
    array = getattr(cifar, name)
    print(f"{name:8} shape {str(array.shape):20} dtype {array.dtype}")

# %% [markdown]
# An image array has four axes, $(N, H, W, C)$: the image index, the row, the column and the
# colour channel (red, green, blue). The labels form a column, one integer per image.
# Here is how the copy used for this page compares with the official release:

# %%
n_train, n_test = len(cifar.x_train), len(cifar.x_test)
report.markdown(report.markdown_table(
    ["array", "this page's data", "official CIFAR-10"],
    [
        ["training images", f"{cifar.x_train.shape}", "(50000, 32, 32, 3)"],
        ["training labels", f"{cifar.y_train.shape}", "(50000, 1)"],
        ["test images", f"{cifar.x_test.shape}", "(10000, 32, 32, 3)"],
        ["test labels", f"{cifar.y_test.shape}", "(10000, 1)"],
    ],
))

# %% [markdown]
# This copy holds {{ n_train:, }} training images, {{ n_train / 50_000:.0% }} of the official
# 50,000, and {{ n_test:, }} test images.

# %% [markdown]
# ## Labels and pixels
#
# A label is the index of a class name, counted from 0. These are the first ten of this
# copy's training labels (the official file, in its own order, starts with other images):

# %%
first = cifar.y_train[:10, 0]
print("labels:", first)
print("names: ", [cifar.class_names[i] for i in first])

# %% [markdown]
# Each pixel is three unsigned 8-bit integers, so every value lies between 0 (no light in
# that channel) and 255 (full intensity):

# %%
print(f"smallest value {cifar.x_train.min()}, largest {cifar.x_train.max()}, "
      f"type {cifar.x_train.dtype}")

# %% [markdown]
# Sixteen training images picked at random, each titled with its class. At 32 × 32 pixels
# they are tiny; some are hard to recognise even for a person.

# %%
rng = np.random.default_rng(1234)
pick = rng.choice(n_train, size=16, replace=False)
viz.image_grid(cifar.x_train[pick], [cifar.class_names[i] for i in cifar.y_train[pick, 0]])
plt.show()

# %% [markdown]
# ## Are the classes balanced?
#
# A classifier that always answers "frog" would be right 10% of the time if every class is
# equally common, which is the baseline any model must beat. Counting the labels:

# %%
train_counts = np.bincount(cifar.y_train[:, 0], minlength=10)
test_counts = np.bincount(cifar.y_test[:, 0], minlength=10)
viz.bar_counts({"train": train_counts, "test": test_counts}, cifar.class_names,
               title="images per class")
plt.show()

# %% tags=["hide-input"]
train_shares = train_counts / n_train
claim("train_classes_balanced",
      "every class holds between 9% and 11% of this copy's training images",
      holds=bool(train_shares.min() >= 0.09 and train_shares.max() <= 0.11),
      evidence=f"from {train_shares.min():.1%} ({cifar.class_names[train_counts.argmin()]}) "
               f"to {train_shares.max():.1%} ({cifar.class_names[train_counts.argmax()]}) of "
               f"{n_train:,} training images")
claim("test_classes_equal", "every class has the same number of test images",
      holds=bool(test_counts.min() == test_counts.max()),
      evidence=f"the fewest in a class {test_counts.min():,}, the most {test_counts.max():,}")

# %% [markdown]
# In this copy the most common class covers {{ train_shares.max():.1% }} of the training
# images and the rarest {{ train_shares.min():.1% }}: close to balanced
# {{ claim train_classes_balanced }}, though not exactly (the official training set has
# exactly 5,000 of each).
# In the test set every class has {{ test_counts.max():, }} images
# {{ claim test_classes_equal }}, so guessing the most common class, or guessing at random,
# scores 10% on it.

# %% [markdown]
# ## Scaling the pixels
#
# Networks learn best when their inputs are small numbers centred on zero. A dense layer with
# the $\tanh$ activation computes $a = \tanh(w^\top x + b)$, and $\tanh$ changes fastest near
# zero, where its slope $1 - \tanh^2(z)$ is 1; for $|z| > 3$ the slope is almost 0, the unit
# is *saturated*, and gradient descent barely moves its weights.
#
# What $\tanh$ sees is not one pixel but $z = w^\top x + b$, a sum over all 3,072 input values
# of the image, so the scale of $z$ is set by the weights as much as by the pixels. Two common
# rescalings of the pixels:
#
# $$x' = \frac{x}{255} \in [0, 1] \qquad\text{and}\qquad x' = \frac{x}{255} - 0.5 \in [-0.5, 0.5].$$
#
# Both shrink the range. The second also centres the data near zero, which matters for the
# gradients. The gradient of the loss with respect to weight $w_i$ of a unit is
# $\delta \, x_i$, where $\delta$ is one number for the unit and the image. If every input
# $x_i$ is positive, all of a unit's weight gradients from one image share the sign of
# $\delta$: that image can only push all of the unit's weights up together or all down
# together. LeCun, Bottou, Orr and Müller (*Efficient BackProp*, 1998) show how this makes
# gradient descent zig-zag towards a solution, and recommend centring every input on zero.
# This page does not train anything to measure the effect; it looks at what the scaling does
# to the numbers a first layer computes.
#
# To see what $z$ the first layer actually computes, we build the first layer of the next
# lesson's network, `Dense(1024)` on the 3,072 flattened values, with Keras' default starting
# weights (Glorot uniform: each weight drawn uniformly between $-\sqrt{6 / (3072 + 1024)}$
# and $+\sqrt{6 / (3072 + 1024)}$, biases 0),
# and feed it the same images scaled three ways: the first 2,000 training images for the
# pixel statistics, and the first 500 of them for $z$.

# %%
sample = cifar.x_train[:2000]
unit = sample / 255
centred = sample / 255 - 0.5

keras.utils.set_random_seed(1234)
first_layer = keras.layers.Dense(1024)        # the next lesson's first layer, before tanh
first_layer.build((None, 32 * 32 * 3))
weights = keras.ops.convert_to_numpy(first_layer.kernel)     # (3072, 1024), at initialisation
scalings = {"x (raw)": sample, "x / 255": unit, "x / 255 - 0.5": centred}
probe = slice(0, 500)                          # z for the first 500 of them, with b = 0
pre_activation = {name: values[probe].reshape(len(values[probe]), -1) @ weights
                  for name, values in scalings.items()}
z_spread = {name: z.std() for name, z in pre_activation.items()}
saturated = {name: (np.abs(z) > 3).mean() for name, z in pre_activation.items()}
for name in scalings:
    print(f"{name:14} z: standard deviation {z_spread[name]:8.2f}, "
          f"{saturated[name]:6.1%} of the values with |z| > 3")

# %% tags=["hide-input"]
fig, axes = plt.subplots(1, 3, figsize=(13, 3.2))
for ax, values, title in ((axes[0], unit, "x / 255"), (axes[1], centred, "x / 255 - 0.5")):
    ax.hist(values.ravel(), bins=64, color="tab:blue")
    ax.axvline(values.mean(), color="tab:red", label=f"mean {values.mean():.2f}")
    ax.set_title(title)
    ax.legend()
grid = np.linspace(-4, 4, 400)
axes[2].plot(grid, np.tanh(grid), label="tanh(z)")
axes[2].plot(grid, 1 - np.tanh(grid) ** 2, label="slope")
share = axes[2].twinx()
share.set_yticks([])
for name, colour in (("x / 255", "tab:purple"), ("x / 255 - 0.5", "tab:green")):
    share.hist(pre_activation[name].ravel(), bins=np.linspace(-4, 4, 81), density=True,
               color=colour, alpha=0.35, label=f"z from {name}")
axes[2].set_title("where tanh learns: z at initialisation")
axes[2].set_xlabel("z")
lines, labels = axes[2].get_legend_handles_labels()
bars, bar_labels = share.get_legend_handles_labels()
share.set_ylim(0, 1.8 * share.get_ylim()[1])   # the histograms below, the legend above
share.legend(lines + bars, labels + bar_labels, fontsize=7, loc="upper left")
fig.tight_layout()
plt.show()

# %% tags=["hide-input"]
shared_part = {name: z.mean(axis=0).std() for name, z in pre_activation.items()}  # per unit
negative_share = (centred < 0).mean()
claim("raw_pixels_saturate",
      "with raw pixels most of the first layer's z values start beyond |z| = 3, saturated",
      holds=saturated["x (raw)"] > 0.5,
      evidence=f"{saturated['x (raw)']:.1%} of z beyond |z| = 3, standard deviation "
               f"{z_spread['x (raw)']:.0f}")
claim("scaled_pixels_steep",
      "with either scaling, fewer than 1% of the first layer's z start beyond |z| = 3",
      holds=max(saturated["x / 255"], saturated["x / 255 - 0.5"]) < 0.01,
      evidence=f"{saturated['x / 255']:.2%} for x / 255, {saturated['x / 255 - 0.5']:.2%} "
               f"for x / 255 - 0.5")
claim("centring_halves_spread",
      "centring the inputs cuts the spread of the first layer's z by more than half",
      holds=z_spread["x / 255 - 0.5"] < 0.5 * z_spread["x / 255"],
      evidence=f"standard deviation {z_spread['x / 255']:.3f} for x / 255, "
               f"{z_spread['x / 255 - 0.5']:.3f} for x / 255 - 0.5")
claim("centring_removes_shared_part",
      "centring removes most of the part of z that a unit computes for every image alike",
      holds=shared_part["x / 255 - 0.5"] < 0.5 * shared_part["x / 255"],
      evidence=f"spread over units of each unit's average z: {shared_part['x / 255']:.3f} "
               f"for x / 255, {shared_part['x / 255 - 0.5']:.3f} for x / 255 - 0.5")

# %% [markdown]
# Scaled to $[0, 1]$, the pixels of the first {{ len(sample):, }} training images average
# {{ unit.mean():.2f }} and none is negative; after subtracting 0.5 they average
# {{ centred.mean():+.2f }}, and {{ negative_share:.0% }} of the values are negative, so the
# weight gradients of one image no longer share a sign.
#
# The pixels' range is not what $\tanh$ sees, though. The first {{ len(sample[probe]):, }} of
# these images give {{ pre_activation["x (raw)"].size:, }} values of $z$, one per image and
# unit. With raw pixels the first layer's $z$
# has a standard deviation of {{ z_spread["x (raw)"]:.0f }}, and {{ saturated["x (raw)"]:.0% }}
# of its values start in the flat region beyond $|z| = 3$
# {{ claim raw_pixels_saturate }}.
# Scaled, $z$ has a standard deviation of {{ z_spread["x / 255"]:.2f }} for $x/255$ and
# {{ z_spread["x / 255 - 0.5"]:.2f }} for $x/255 - 0.5$, with
# {{ saturated["x / 255"]:.2% }} and {{ saturated["x / 255 - 0.5"]:.2% }} of the values beyond
# $|z| = 3$: both scalings start the units in the steep part {{ claim scaled_pixels_steep }}.
# The initialiser shrinks its weights as the number of inputs grows, so that a sum over 3,072
# values of order 1 stays of order 1; pixel scaling is what makes the values of order 1.
#
# Centring more than halves the spread of $z$ {{ claim centring_halves_spread }}. Where does
# the difference come from? Write $x = \bar{x} + d$, the average pixel plus how this image
# departs from it. Then $z = w^\top \bar{x} + w^\top d$, and the first part is the same for
# every image: with $x/255$ it is about {{ unit.mean():.2f }} times the sum of the unit's
# weights, a different constant for each unit that carries no information about the image.
# Measured as the spread, across units, of each unit's average $z$, that shared part is
# {{ shared_part["x / 255"]:.2f }} for $x/255$ and {{ shared_part["x / 255 - 0.5"]:.2f }}
# after centring {{ claim centring_removes_shared_part }}: what is left of $z$ is mostly the
# part that tells images apart.

# %% [markdown]
# ## What we have
#
# * Images as a `(N, 32, 32, 3)` array of `uint8` values 0..255, labels as `(N, 1)` integers:
#   here {{ n_train:, }} training and {{ n_test:, }} test images.
# * Ten classes, close to equally represented in this copy's training images (from
#   {{ train_shares.min():.1% }} to {{ train_shares.max():.1% }} each) and exactly equally in
#   the test images: 10% accuracy is what guessing achieves.
# * Inputs rescaled to $x/255 - 0.5$ before training: they average
#   {{ centred.mean():+.2f }}, and a first dense layer with Keras' default starting weights
#   turns them into values $z$ with a standard deviation of
#   {{ z_spread["x / 255 - 0.5"]:.2f }}, where $\tanh$ is steep; raw pixels would give
#   {{ z_spread["x (raw)"]:.0f }}.
#
# ## Exercises
#
# Put your answer in the cell below and run the check cell after it. Each check also offers
# the answer, folded: try first.
#
# **1. Predict a shape.** The dense network of the next lesson flattens each image into one
# row. What is the shape of `cifar.x_train[:100]` flattened that way? Set `answer_shape` to a
# pair such as `(10, 20)`.
#
# **2. Predict a factor.** Scale the pixels to $[-1, 1]$ with $x/127.5 - 1$ instead of
# $x/255 - 0.5$. By what factor does the standard deviation of the first layer's $z$
# change? Think about what $z = w^\top x$ does to a scaled $x$, then set `answer_factor`.
#
# **3. Count the memory.** `cifar.x_train` holds one byte a value. NumPy computes
# `cifar.x_train / 255` in 64-bit floats. How many megabytes (millions of bytes) does the
# scaled training array take? Set `answer_megabytes`.

# %%
answer_shape = None       # exercise 1, e.g. (10, 20)
answer_factor = None      # exercise 2, e.g. 3
answer_megabytes = None   # exercise 3, e.g. 100

# %% tags=["hide-input"]
first_hundred = cifar.x_train[:100]
check("exercise 1", answer_shape, first_hundred.reshape(len(first_hundred), -1).shape,
      explain="Each image's $32 \\times 32 \\times 3$ values become one row of 3,072, one row "
              "per image.")
wider = (sample[probe] / 127.5 - 1).reshape(len(sample[probe]), -1) @ weights
check("exercise 2", answer_factor, wider.std() / z_spread["x / 255 - 0.5"], rtol=0.05,
      explain="$x/127.5 - 1 = 2\\,(x/255 - 0.5)$, and $z = w^\\top x$ is linear in $x$, so "
              "every $z$ doubles, and so does its standard deviation.")
scaled_bytes = (cifar.x_train / 255).nbytes
check("exercise 3", answer_megabytes, scaled_bytes / 1e6, rtol=0.02,
      explain=f"{cifar.x_train.size:,} values of 8 bytes each, eight times the "
              f"{cifar.x_train.nbytes / 1e6:,.1f} MB of the uint8 array. Keras trains in "
              "32-bit floats, so `(cifar.x_train / 255).astype('float32')` would halve it.")

# %% [markdown]
# Next, the simplest network that can use them: [a dense baseline](../dense_baseline/).
#
# ## What this page checks
#
# Each lesson ends with what its run must show; a build whose run breaks one of these fails.

# %%
report.record("largest_class_fraction", train_shares.max())
report.record("centred_mean", centred.mean())
expect("largest_class_fraction").at_most(0.12)   # balanced: no class much above 10%
expect("centred_mean").between(-0.1, 0.1)        # x / 255 - 0.5 is centred near zero
report.record("raw_z_saturated_fraction", saturated["x (raw)"])
report.record("centred_z_saturated_fraction", saturated["x / 255 - 0.5"])
report.record("centred_z_spread", z_spread["x / 255 - 0.5"])
report.record("unit_z_spread", z_spread["x / 255"])
expect("raw_z_saturated_fraction").at_least(0.5)     # raw pixels: most units start saturated
expect("centred_z_saturated_fraction").at_most(0.01)  # scaled and centred: almost none
expect("centred_z_spread").at_most("unit_z_spread")   # centring shrinks z's spread
