# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # What the network sees
#
# [Lesson 09](../mnist_inside/) looked inside a network with one convolution: its 32 filters
# could be drawn and read. The CIFAR-10 network of [lesson 07](../cifar10_cnn/) has six
# convolutions and 631,658 weights; only the first layer's filters look at pixels, so drawing
# the others shows little. This page asks the trained network questions instead:
#
# * **which pixels matter** for its answer: the *saliency map*, the gradient of a class's
#   score with respect to the image;
# * **where** in the image its last convolutions found the evidence: *Grad-CAM*;
# * **what excites** one channel of an early, a middle and a late layer: the test images and
#   patches that drive it hardest;
# * **what it confuses**, with examples.
#
# Each answer is checked against the same questions asked of an *untrained* network of the
# same architecture, and, where a map claims "these pixels matter", by removing those pixels.
# At the end, an explorer runs a small network of the same kind in your browser, on the test
# images or on a photo of your own.

# %% [markdown]
# How big a run this page makes. The network comes from lesson 07's stored full run when the
# course's store has it; a copy of this page run on its own (a download) trains it with
# lesson 07's recipe instead, for `fallback_epochs`. A quick build of the site uses fewer
# images and epochs, and the box at the top of the page says which ran.

# %% tags=["parameters"]
fallback_epochs = 80    # lesson 07's recipe, used only when the store has no trained network
probe_images = 10000    # test images searched for what excites each channel
explorer_epochs = 20    # the explorer's small network

# %%
import keras
import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf

from convlab import cifar_explorer, data, machine, metrics, models, report, style, training, viz
from convlab.claims import claim
from convlab.exercises import check
from convlab.expectations import expect
from convlab.receptive_field import receptive_fields
from convlab.runs import stored_lesson_run, stored_model

keras.utils.set_random_seed(1234)   # the same run every time

cifar = data.load("cifar10")
x_train = cifar.x_train / 255 - 0.5
y_train = keras.utils.to_categorical(cifar.y_train, 10)
x_test = cifar.x_test / 255 - 0.5
truth = cifar.y_test[:, 0]
names = cifar.class_names
n_probe = min(probe_images, len(x_test))   # test images searched for what excites a channel

# %% [markdown]
# ## The network, from lesson 07's run
#
# A full run of lesson 07 keeps the network it trained with its stored results (its
# architecture and weights, in float16, which halves the file). We load it; without the
# store we train the same network with lesson 07's recipe.

# %%
cnn = stored_model("cifar10_cnn", "cnn")
from_store = cnn is not None
if not from_store:   # a copy of this page on its own: lesson 07's recipe, here
    cnn = models.tutorial_cnn()
    cnn.compile(optimizer=keras.optimizers.SGD(learning_rate=0.001, momentum=0.5),
                loss="categorical_crossentropy", metrics=["accuracy"])
    cnn.fit(x_train, y_train, epochs=fallback_epochs, batch_size=32, validation_split=0.15,
            verbose=0, callbacks=[training.EpochLog(lines=5)])
probabilities = cnn.predict(x_test, batch_size=256, verbose=0)
predicted = probabilities.argmax(axis=1)
correct = predicted == truth
print("network from", "lesson 07's stored run" if from_store else "training here",
      f"- test accuracy {correct.mean():.1%}")

# %% tags=["hide-input"]
earlier = stored_lesson_run("cifar10_cnn")
stored_correct = (earlier or {}).get("correct", {}).get("cnn")
if from_store and stored_correct is not None and len(stored_correct) == len(correct):
    agreement = float(np.mean(stored_correct == correct))
else:
    agreement = float("nan")
trained_on = earlier["hardware"] if from_store else machine.summary()
claim("kept_network_same",
      "the network loaded from the store scores the test images as lesson 07's run did",
      holds=from_store and agreement >= 0.995,
      evidence=(f"right or wrong on the same {agreement:.2%} of the {len(correct):,} test "
                f"images as lesson 07's run ({correct.mean():.2%} correct here)"
                if from_store and agreement == agreement else
                "the network was trained on this page: no stored run to compare with"))

# %% [markdown]
# The network from lesson 07's run labels {{ correct.mean():.1% }} of the
# {{ len(x_test):, }} test images correctly, right or wrong on the same images as when it was
# trained {{ claim kept_network_same }}: rounding the weights to float16 moved each by less
# than one part in 2,000. Lesson 07 trained it on this course's {{ len(x_train):, }} training
# images, on {{ trained_on }}.
#
# To ask it questions we need the **class scores** $z$, the numbers before the softmax
# ($p_c = e^{z_c} / \sum_k e^{z_k}$), and the output of its last convolution. The network's
# last layer computes $z = hW + b$ and then the softmax, so we run its layers one by one and
# keep both:

# %%
def maps_and_scores(network, x, conv=-1):
    """The maps A of the network's convolution number ``conv`` (-1: the last, (n, 8, 8, 16))
    and the class scores z (n, 10)."""
    where = [i for i, layer in enumerate(network.layers)
             if isinstance(layer, keras.layers.Conv2D)]
    h = x
    for i, layer in enumerate(network.layers[:-1]):
        h = layer(h)
        if i == where[conv]:
            maps = h
    W, b = network.layers[-1].kernel, network.layers[-1].bias
    return maps, h @ W + b


# %% [markdown]
# ## Saliency: which pixels move the score
#
# The saliency map of image $x$ for class $c$ is the size of the gradient of that class's
# score with respect to each pixel, the largest over the three colour channels:
#
# $$S_{ij} = \max_{k} \left| \frac{\partial z_c}{\partial x_{ijk}} \right|.$$
#
# A large $S_{ij}$ says that a small change of pixel $(i, j)$ changes the score most. It is
# a first-order, local answer (Simonyan, Vedaldi and Zisserman, 2013): what the score is
# sensitive to *at this image*, not what the network "looks for" in general. TensorFlow's
# `GradientTape` records the forward pass and gives the gradient in one backward pass.

# %%
def saliency(network, x, classes):
    """|dz_c / dx|, largest over colour channels: (n, 32, 32), for class classes[i] of x[i]."""
    x = tf.constant(x, dtype="float32")
    with tf.GradientTape() as tape:
        tape.watch(x)
        _, z = maps_and_scores(network, x)
        chosen = tf.gather(z, classes, batch_dims=1)       # z_c of each image
    return tf.reduce_max(tf.abs(tape.gradient(chosen, x)), axis=-1).numpy()


untrained = keras.models.clone_model(cnn)   # the same architecture, new random weights
shown = np.concatenate([np.flatnonzero((truth == c) & correct)[:1] for c in range(10)])
trained_maps = saliency(cnn, x_test[shown], predicted[shown])
untrained_maps = saliency(untrained, x_test[shown], predicted[shown])

# %% tags=["hide-input"]
def overlay_rows(rows, titles, row_names, *, cmap="magma"):
    """Rows of panels: the images first, then one map per row, each map scaled to its own
    maximum (so shapes compare, not sizes)."""
    cell = (style.COLUMN_INCHES - 1.1) / len(titles)          # inches a panel, to fit the page
    fig, axes = plt.subplots(len(rows), len(titles), squeeze=False,
                             figsize=(style.COLUMN_INCHES - 0.2, len(rows) * (cell + 0.25)))
    for r, (panels, row_name) in enumerate(zip(rows, row_names, strict=True)):
        for c, panel in enumerate(panels):
            ax = axes[r, c]
            ax.axis("off")
            if panel.ndim == 3:
                ax.imshow(panel)
            else:
                ax.imshow(panel / max(panel.max(), 1e-12), cmap=cmap, vmin=0, vmax=1)
            if r == 0:
                ax.set_title(titles[c], fontsize=8)
        axes[r, 0].text(-4, 16, row_name, ha="right", va="center", fontsize=8)
    fig.subplots_adjust(left=0.13, right=0.99, top=0.9, bottom=0.02, wspace=0.05, hspace=0.15)
    return fig


images_shown = cifar.x_test[shown]
fig = overlay_rows([images_shown, trained_maps, untrained_maps],
                   [names[c] for c in truth[shown]],
                   ["image", "trained", "untrained"])
style.describe(fig, "one correctly labelled test image per class, the trained network's "
                   "saliency map for its answer, and the untrained network's for the same "
                   "class")
plt.show()

# %% tags=["hide-input"]
# How alike the two networks' maps are, over many images: the correlation of the maps.
probe = np.arange(min(500, len(x_test)))
trained_probe = saliency(cnn, x_test[probe], predicted[probe])
untrained_probe = saliency(untrained, x_test[probe], predicted[probe])


def correlation(a, b):
    a = a.reshape(len(a), -1) - a.reshape(len(a), -1).mean(1, keepdims=True)
    b = b.reshape(len(b), -1) - b.reshape(len(b), -1).mean(1, keepdims=True)
    return (a * b).sum(1) / np.sqrt((a * a).sum(1) * (b * b).sum(1))


alike = correlation(trained_probe, untrained_probe)
claim("saliency_unlike_untrained",
      "the trained network's saliency maps are unlike the untrained network's "
      "(mean correlation below 0.5)",
      holds=bool(alike.mean() < 0.5),
      evidence=f"mean correlation {alike.mean():.2f} over {len(probe)} test images "
               f"(quartiles {np.quantile(alike, 0.25):.2f} to {np.quantile(alike, 0.75):.2f})")

# %% [markdown]
# Each map is scaled to its own maximum, so the figure compares where the maps are bright,
# not how bright. Both networks' maps depend on the image (an untrained network's ReLUs open
# and close with the image too), but not in the same way: over
# {{ len(probe) }} test images the two maps correlate by
# {{ alike.mean():.2f }} on average {{ claim saliency_unlike_untrained }}.
#
# Does "sensitive" mean "used"? A fair test removes pixels and watches the answer. We set the
# 10% most salient pixels of each image to 0 (the average pixel after $x/255 - 0.5$) and,
# separately, 10% of pixels chosen at random, and count how often the network still gives
# its answer.

# %%
def remove(x, masks):
    """x with the pixels where masks (n, 32, 32) is True set to 0, the average pixel."""
    return np.where(masks[..., None], 0.0, x)


still = correct[probe]                       # images it labels correctly ...
kept_x, kept_maps = x_test[probe][still], trained_probe[still]
cut = np.quantile(kept_maps.reshape(len(kept_maps), -1), 0.9, axis=1)[:, None, None]
salient = kept_maps >= cut                   # the top 10% of each map
rng = np.random.default_rng(0)
scattered = rng.random(kept_maps.shape) < salient.mean(axis=(1, 2), keepdims=True)
answer = predicted[probe][still]
same_salient = cnn.predict(remove(kept_x, salient), verbose=0).argmax(1) == answer
same_random = cnn.predict(remove(kept_x, scattered), verbose=0).argmax(1) == answer
removal = metrics.paired_comparison(same_random, same_salient)

# %% tags=["hide-input"]
claim("saliency_pixels_matter",
      "removing the 10% most salient pixels changes the network's answer more often than "
      "removing 10% at random",
      holds=removal.winner == "a",
      evidence=removal.evidence("random pixels removed", "salient pixels removed",
                                images="correctly labelled test images (answer kept)"))

# %% [markdown]
# Of {{ len(answer) }} correctly labelled test images, the network keeps its answer on
# {{ same_random.mean():.0% }} when a random 10% of the pixels is removed and on only
# {{ same_salient.mean():.0% }} when the most salient 10% is
# {{ claim saliency_pixels_matter }}. The map points at pixels the answer depends on.
#
# ## Grad-CAM: where the last convolutions found the evidence
#
# Saliency is as sharp as the pixels and as noisy as a gradient. Grad-CAM (Selvaraju et al.,
# 2017) looks one level up, at the last convolution's $K = 16$ maps $A^k$ (8 × 8 each, every
# unit seeing almost the whole image). It weighs each map by how much the class score
# depends on it on average, and keeps the positive part of the sum:
#
# $$\alpha_k = \frac{1}{64} \sum_{i,j} \frac{\partial z_c}{\partial A^k_{ij}}, \qquad
# L^c = \operatorname{ReLU}\Big(\sum_k \alpha_k A^k\Big).$$
#
# The 8 × 8 map, enlarged to 32 × 32, is coarse but says *where*: the positions whose
# features raise the score of class $c$.

# %%
def grad_cam(network, x, classes, conv=-1):
    """Grad-CAM of class classes[i] for image x[i]: (n, 8, 8) for the last convolution."""
    x = tf.constant(x, dtype="float32")
    with tf.GradientTape() as tape:
        maps, z = maps_and_scores(network, x, conv)
        chosen = tf.gather(z, classes, batch_dims=1)
    alpha = tf.reduce_mean(tape.gradient(chosen, maps), axis=(1, 2))   # (n, K)
    return tf.nn.relu(tf.einsum("nijk,nk->nij", maps, alpha)).numpy()


def enlarge(maps, size=32):
    """(n, h, w) -> (n, size, size), bilinear, as Grad-CAM is drawn over the image."""
    return tf.image.resize(maps[..., None], (size, size)).numpy()[..., 0]


cams = enlarge(grad_cam(cnn, x_test[shown], predicted[shown]))
runner_up = np.argsort(probabilities[shown], axis=1)[:, -2]
cams_other = enlarge(grad_cam(cnn, x_test[shown], runner_up))

# %% tags=["hide-input"]
fig = overlay_rows([images_shown, cams, cams_other],
                   [names[c] for c in truth[shown]],
                   ["image", "its class", "runner-up"], cmap="viridis")
style.describe(fig, "Grad-CAM of the trained network for the same ten images: for the "
                   "class it answers and for the class it ranks second")
plt.show()

# %% tags=["hide-input"]
# The same removal test, a quarter of the image at a time: the quarter Grad-CAM rates highest
# against the quarter it rates lowest.
probe_cams = enlarge(grad_cam(cnn, kept_x, answer))
flat = probe_cams.reshape(len(probe_cams), -1)
order = np.argsort(flat + 1e-9 * rng.random(flat.shape), axis=1)   # ties broken at random
quarter = flat.shape[1] // 4
top_mask = np.zeros_like(flat, dtype=bool)
low_mask = np.zeros_like(flat, dtype=bool)
np.put_along_axis(top_mask, order[:, -quarter:], True, axis=1)
np.put_along_axis(low_mask, order[:, :quarter], True, axis=1)
same_top = cnn.predict(remove(kept_x, top_mask.reshape(probe_cams.shape)),
                       verbose=0).argmax(1) == answer
same_low = cnn.predict(remove(kept_x, low_mask.reshape(probe_cams.shape)),
                       verbose=0).argmax(1) == answer
cam_removal = metrics.paired_comparison(same_low, same_top)
claim("grad_cam_region_matters",
      "removing the quarter of the image Grad-CAM rates highest changes the answer more often "
      "than removing the quarter it rates lowest",
      holds=cam_removal.winner == "a",
      evidence=cam_removal.evidence("lowest quarter removed", "highest quarter removed",
                                    images="correctly labelled test images (answer kept)"))

# %% [markdown]
# In the figure, compare each image's two maps: where the evidence for its answer lies, and
# where the features that argued for its second choice lie. The removal test again:
# removing the quarter of the image Grad-CAM rates highest leaves the answer on
# {{ same_top.mean():.0% }} of the images, removing the quarter it rates lowest on
# {{ same_low.mean():.0% }} {{ claim grad_cam_region_matters }}.
#
# ## What excites a channel
#
# A channel of a convolution is one filter applied everywhere; its unit at position
# $(i, j)$ sees a window of the image, its *receptive field* ([lesson 05](../tracing_shapes/)).
# For two channels of an early, a middle and a late convolution we search
# {{ n_probe:, }} test images for the units that respond most, and show the window each of
# them sees.

# %%
convolutions = [layer for layer in cnn.layers if isinstance(layer, keras.layers.Conv2D)]
chosen_layers = {"early": convolutions[1], "middle": convolutions[3], "late": convolutions[5]}
fields = {f.layer: f for f in receptive_fields(cnn)}


def strongest(network, x, batch=500):
    """For each chosen layer: each image's largest response in each channel (n, channels) and
    where it is (n, channels, 2), in the layer's own grid."""
    peaks, places = [[] for _ in chosen_layers], [[] for _ in chosen_layers]
    outputs = keras.Model(network.inputs, [network.layers[cnn.layers.index(layer)].output
                                           for layer in chosen_layers.values()])
    for start in range(0, len(x), batch):
        for k, a in enumerate(outputs.predict(x[start:start + batch], verbose=0)):
            n, h, w, c = a.shape
            flat = a.reshape(n, h * w, c)
            peaks[k].append(flat.max(axis=1))
            at = flat.argmax(axis=1)
            places[k].append(np.stack([at // w, at % w], axis=-1))
    return [np.concatenate(p) for p in peaks], [np.concatenate(p) for p in places]


peaks, places = strongest(cnn, x_test[:n_probe])
early_field, middle_field = (fields[chosen_layers[d].name].size[0] for d in ("early", "middle"))

# %% tags=["hide-input"]
def window(image, layer, place):
    """The window of ``image`` (32, 32, 3 uint8) that the unit at ``place`` of ``layer`` sees,
    grey beyond the border."""
    size, jump = fields[layer.name].size[0], fields[layer.name].jump[0]
    centre = np.asarray(place) * jump + (jump - 1) / 2
    top = np.floor(centre - (size - 1) / 2).astype(int)
    padded = np.pad(image, ((size, size), (size, size), (0, 0)), constant_values=128)
    return padded[top[0] + size:top[0] + 2 * size, top[1] + size:top[1] + 2 * size]


def top_images(peak, count):
    """The indices of the ``count`` images with the largest peak, per channel: (channels, count)."""
    return np.argsort(-peak, axis=0)[:count].T


per_row, channels_shown = 6, 2
fig, axes = plt.subplots(len(chosen_layers) * channels_shown, per_row,
                         figsize=(per_row * 0.95, len(chosen_layers) * channels_shown * 0.95))
for k, (depth, layer) in enumerate(chosen_layers.items()):
    busiest = np.argsort(-peaks[k].var(axis=0))[:channels_shown]   # channels that vary most
    tops = top_images(peaks[k], per_row)
    for r, channel in enumerate(busiest):
        row = k * channels_shown + r
        for col, image in enumerate(tops[channel]):
            ax = axes[row, col]
            ax.imshow(window(cifar.x_test[image], layer, places[k][image, channel]))
            ax.set_xticks([])
            ax.set_yticks([])
            ax.spines[:].set_visible(False)
            if col == 0:
                ax.set_ylabel(f"{depth}\n#{channel}", fontsize=7)
            ax.set_title(names[truth[image]], fontsize=6, pad=1)
fig.tight_layout(pad=0.2)
style.describe(fig, "for two channels of an early, a middle and a late convolution, "
                   "the six test-image windows that excite each channel most, titled with "
                   "the image's class")
plt.show()

# %% [markdown]
# An early channel (the second convolution) sees a {{ early_field }} × {{ early_field }}
# pixel window: a colour, a small edge or a corner. A middle one ({{ middle_field }} pixels)
# sees a texture or a part. A late one sees almost the whole image. Do the images that excite
# a late channel most come from one class?
#
# That can be measured. For each unit, take the 16 test images that excite it most and count
# how many share the most common class among them: its *class purity*, 1/10 for images drawn
# at random, 1 for a unit that only responds to one class. We count it for the three
# convolutions above and for the 64 units of the last hidden dense layer, in the trained
# network and in the untrained one, which says what the architecture and the images alone
# would give (a channel that responds to blue sky picks airplanes and ships, trained or not).

# %%
def purity(peak, labels, count=16):
    """Per unit: the share of its ``count`` most exciting images that belong to their most
    common class."""
    tops = top_images(peak, count)
    return np.array([np.bincount(labels[t], minlength=10).max() / count for t in tops])


def hidden_units(network, x):
    """The last hidden dense layer's outputs (n, 64)."""
    return keras.Model(network.inputs, network.layers[-2].output).predict(x, verbose=0)


untrained_peaks, _ = strongest(untrained, x_test[:n_probe])
labels = truth[:n_probe]
purities = {depth: purity(peaks[k], labels) for k, depth in enumerate(chosen_layers)}
untrained_purities = {depth: purity(untrained_peaks[k], labels)
                      for k, depth in enumerate(chosen_layers)}
purities["dense"] = purity(hidden_units(cnn, x_test[:n_probe]), labels)
untrained_purities["dense"] = purity(hidden_units(untrained, x_test[:n_probe]), labels)

# %% tags=["hide-input"]
units = {**{depth: (f"{layer.name}", f"{fields[layer.name].size[0]} px", layer.filters)
            for depth, layer in chosen_layers.items()},
         "dense": (cnn.layers[-2].name, "the whole image", cnn.layers[-2].units)}
report.markdown(report.markdown_table(
    ["layer", "sees", "units", "class purity, trained", "untrained"],
    [[f"{depth} ({name})", sees, count, f"{purities[depth].mean():.2f}",
      f"{untrained_purities[depth].mean():.2f}"]
     for depth, (name, sees, count) in units.items()]))


def difference(a, b):
    """Mean of a minus mean of b, and its standard error (independent units)."""
    return a.mean() - b.mean(), np.sqrt(a.var(ddof=1) / len(a) + b.var(ddof=1) / len(b))


late_gain, late_error = difference(purities["late"], untrained_purities["late"])
dense_gain, dense_error = difference(purities["dense"], untrained_purities["dense"])
claim("dense_units_pick_classes",
      "the trained network's last hidden dense units are more class-specific than the "
      "untrained network's",
      holds=bool(dense_gain > 3 * dense_error),
      evidence=f"mean class purity of the 16 most exciting test images: trained "
               f"{purities['dense'].mean():.2f}, untrained "
               f"{untrained_purities['dense'].mean():.2f} (difference {dense_gain:+.2f}, "
               f"standard error {dense_error:.2f}, over {len(purities['dense'])} units each)")

# %% [markdown]
# In this network the last convolution's channels reach a purity of
# {{ purities["late"].mean():.2f}}, the untrained network's
# {{ untrained_purities["late"].mean():.2f}}: a difference of {{ late_gain:+.2f}}, with a
# standard error of {{ late_error:.2f}} over 16 channels. The 64 units of the last hidden dense
# layer, which combine all 1,024 numbers of the last maps, reach
# {{ purities["dense"].mean():.2f}}, against {{ untrained_purities["dense"].mean():.2f}}
# untrained: they are more class-specific than the untrained network's
# {{ claim dense_units_pick_classes }}.
#
# That is this network, trained with SGD to {{ correct.mean():.0% }} on
# {{ len(x_train):, }} images: the clearly class-specific units appear in its large dense
# head, on top of 16 small maps. Networks trained on ImageNet's 1.2 million images, such as
# those Zeiler and Fergus (2014) looked inside, grow channels that respond to whole objects
# (faces, wheels, dogs' heads) in their late convolutions. The explorer below runs a network
# with no dense hidden layer at all, whose last convolution's 64 channels must carry the
# classes by themselves:
# look at its last feature maps for two images of the same class.
#
# ## What it confuses
#
# [Lesson 07](../cifar10_cnn/) counted the network's mistakes by pair of classes. Here are
# the three pairs it confuses most, with test images of each and the probability it gave.

# %%
counts = metrics.confusion_counts(truth, predicted, 10)
off = counts + counts.T
np.fill_diagonal(off, 0)
pairs = []
for flat_index in np.argsort(-np.triu(off).ravel()):
    a, b = np.unravel_index(flat_index, off.shape)
    pairs.append((a, b))
    if len(pairs) == 3:
        break
examples = []
for a, b in pairs:
    wrong = np.flatnonzero(((truth == a) & (predicted == b)) | ((truth == b) & (predicted == a)))
    examples.extend(wrong[:4])
examples = np.array(examples)

# %% tags=["hide-input"]
titles = [f"{names[truth[i]]} → {names[predicted[i]]}\n{probabilities[i, predicted[i]]:.0%}"
          for i in examples]
fig = viz.image_grid(cifar.x_test[examples], titles, ncols=4, size=1.4)
for ax in fig.axes:
    ax.title.set_fontsize(7)
plt.show()

# %% tags=["hide-input"]
sure = probabilities.max(axis=1)
claim("wrong_less_sure",
      "the network is less sure of its wrong answers than of its right ones",
      holds=bool(sure[~correct].mean() < sure[correct].mean() - 0.1),
      evidence=f"mean top probability {sure[correct].mean():.2f} on the "
               f"{correct.sum():,} right answers, {sure[~correct].mean():.2f} on the "
               f"{(~correct).sum():,} wrong ones")

# %% [markdown]
# The three pairs are {{ names[pairs[0][0]] }} / {{ names[pairs[0][1]] }}
# ({{ off[pairs[0]] }} test images), {{ names[pairs[1][0]] }} / {{ names[pairs[1][1]] }}
# ({{ off[pairs[1]] }}) and {{ names[pairs[2][0]] }} / {{ names[pairs[2][1]] }}
# ({{ off[pairs[2]] }}). And the network is less sure when it is wrong: a mean top probability of
# {{ sure[~correct].mean():.2f }} on its wrong answers against {{ sure[correct].mean():.2f }}
# on its right ones {{ claim wrong_less_sure }}, so its probability carries information,
# though not enough to be trusted as a probability (lesson 09 drew the same for digits).
#
# ## Explore a network in your browser
#
# The explorer below runs a convolutional network in this page, in JavaScript: pick a test
# image, or drop a photo of your own (it is cropped to a square and shrunk to 32 × 32), and
# see every convolution's feature maps, the ten class probabilities and the saliency map.
#
# It is not lesson 07's network: at {{ cnn.count_params():, }} weights that would be over
# 600 KB even at one byte a weight, and a page of this course may weigh 500 KB. We train a
# smaller one of the same kind for it, five convolutions of 16, 16, 32, 32 and 64 filters
# and **global average pooling** in place of the dense layers: each of the last 64 maps is
# averaged to one number, so the head needs 650 weights instead of the
# {{ sum(layer.count_params() for layer in cnn.layers[-3:]):, }} of lesson 07's three dense
# layers.

# %%
explorer_model = keras.Sequential([
    keras.Input(shape=(32, 32, 3)),
    keras.layers.Conv2D(16, 3, padding="same", activation="relu"),
    keras.layers.Conv2D(16, 3, padding="same", activation="relu"),
    keras.layers.MaxPooling2D(2),
    keras.layers.Conv2D(32, 3, padding="same", activation="relu"),
    keras.layers.Conv2D(32, 3, padding="same", activation="relu"),
    keras.layers.MaxPooling2D(2),
    keras.layers.Conv2D(64, 3, padding="same", activation="relu"),
    keras.layers.GlobalAveragePooling2D(),
    keras.layers.Dense(10, activation="softmax"),
])
explorer_model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.001),
                       loss="categorical_crossentropy", metrics=["accuracy"])
explorer_log = training.EpochLog(lines=5)
explorer_model.fit(x_train, y_train, epochs=explorer_epochs, batch_size=64,
                   validation_split=0.15, verbose=0, callbacks=[explorer_log])
explorer_correct = explorer_model.predict(x_test, verbose=0).argmax(1) == truth
versus_cnn = metrics.paired_comparison(correct, explorer_correct)

# %% [markdown]
# With {{ explorer_model.count_params():, }} weights and {{ explorer_epochs }} epochs of Adam
# ({{ explorer_log.seconds:,.0f }} s here), it labels {{ explorer_correct.mean():.1% }} of the
# test images correctly. Set beside lesson 07's network on the same test images (the paired
# test of lesson 07): {{ versus_cnn.evidence("lesson 07's network", "the explorer's network") }}.
# A network with 1/{{ cnn.count_params() // explorer_model.count_params() }} of the weights
# need not do worse: global average pooling leaves almost no weights to overfit with, and
# Adam, as lesson 07 showed, leaves the starting guess far sooner than SGD at learning rate
# 0.001.
#
# The page's network stores its weights in 8 bits each (one scale per output channel); the
# probabilities it computes for the sample images are checked against Keras's when the
# site's tests run, within {{ cifar_explorer.TOLERANCE }}.

# %%
page_network = cifar_explorer.show(explorer_model, x_test, keras.utils.to_categorical(truth, 10))

# %% [markdown]
# On its {{ page_network.samples }} sample images the page's network gives Keras's answer
# every time ({{ page_network.same_answer }} of {{ page_network.samples }}; largest difference
# in a probability {{ page_network.max_difference:.3f }}); its saliency maps correlate with
# Keras's by at least {{ page_network.min_saliency_correlation:.3f }}. The widget's data weigh
# {{ page_network.payload_bytes / 1000:.0f }} KB.
#
# Things to try: a test image it gets wrong, and the runner-up's probability; your own
# photo of a cat, a car or a boat, filling the frame as CIFAR-10's objects do, and then one
# of something that is none of the ten classes (the network must still pick one); the late
# feature maps of two images of the same class.
#
# ## What we have
#
# * Saliency maps ask which pixels the score is sensitive to; Grad-CAM asks where the last
#   convolutions found evidence. Both are checked here by removing what they point at, and
#   the answer changes more than when removing pixels at random or where they point
#   least.
# * Units deeper in the network see more of the image. In this network the class-specific
#   units are the dense layer's, not the convolutions'.
# * A trained network is a file: lesson 07's run kept this one, and
#   [lesson 13](../transfer_learning/) takes the next step and reuses what a network
#   learned for a new task.
#
# ## Exercises
#
# 1. **Predict, then run.** Grad-CAM here uses the last convolution (8 × 8). Would the same
#    formula on the *first* convolution (32 × 32 maps, each unit seeing 3 × 3 pixels) give a
#    sharper map that points at the object, or something else? Think about what
#    $\partial z_c / \partial A^k$ averaged over all 1,024 positions means for a layer whose
#    units see three pixels. Set `answer_1` to `"object"` or `"edges"`, then compute it with
#    `enlarge(grad_cam(cnn, x_test[shown], predicted[shown], conv=0))` and draw it.
# 2. **Predict, then run.** The removal test set pixels to 0. If the removed pixels were set
#    to random values instead, would the gap between salient and random removal grow or
#    shrink? Set `answer_2` to `"grow"` or `"shrink"`, then change `remove` and rerun the
#    test.

# %%
answer_1 = None   # "object" or "edges"
answer_2 = None   # "grow" or "shrink"

# %% tags=["hide-input"]
check("first_layer_cam", answer_1, "edges",
      explain="a first-layer unit sees 3 x 3 pixels, so its maps are edge and colour "
              "detectors; averaging the gradient over every position weighs channels by "
              "how much those features matter on the whole, and the map lights every edge "
              "of that kind, on the object and off it")
check("random_fill", answer_2, "shrink",
      explain="random values are themselves unusual for the network wherever they are put, "
              "so random removal changes more answers too, and the difference between the "
              "two removals shrinks; 0, the average pixel, removes information with the "
              "least new evidence")

# %% [markdown]
# ## What this page checks

# %%
report.record("cnn_test_accuracy", float(correct.mean()))
report.record("explorer_test_accuracy", float(explorer_correct.mean()))
report.record("saliency_untrained_correlation", float(alike.mean()), better="lower")
report.record("late_channel_purity", float(purities["late"].mean()))
report.record("dense_unit_purity", float(purities["dense"].mean()))
report.record("explorer_agreement_fraction", page_network.same_answer / page_network.samples)
report.record("explorer_max_probability_gap", page_network.max_difference, better="lower")
expect("explorer_agreement_fraction").equals(1.0)
expect("explorer_max_probability_gap").at_most(cifar_explorer.TOLERANCE)
report.record("explorer_saliency_correlation", page_network.min_saliency_correlation)
expect("explorer_saliency_correlation").at_least(cifar_explorer.SALIENCY_CORRELATION)
expect("cnn_test_accuracy").at_least(0.5, profile="full")
expect("explorer_test_accuracy").at_least(0.45, profile="full")
expect("explorer_test_accuracy").between(0.08, 0.6, profile="quick")
