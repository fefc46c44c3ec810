# %% [markdown]
# # Reusing what a network learned
#
# A CNN trained on many labelled images has learned filters that find edges, colours,
# textures and parts of objects. *Transfer learning* reuses them for a new task that has few
# labelled images. We pretrain a small CNN on five CIFAR-10 classes, then learn the other
# five from only 50, 100 and 500 labelled images per class, three ways: from scratch, on the
# pretrained network's frozen features, and by fine-tuning the whole pretrained network. One
# figure sets their test accuracy against the number of labelled images. Last, what
# `keras.applications` offers on a machine that can download its ImageNet weights, and why
# this course pretrains its own network here.

# %% [markdown]
# It builds on [the CIFAR-10 CNN](../cifar10_cnn/) (lesson 07: training a CNN, overfitting),
# [regularisation](../regularisation/) (lesson 11) and [reference
# architectures](../reference_architectures/) (lesson 12: global average pooling, the networks
# of `keras.applications`). Next: [how much faster is a GPU?](../gpu_speed/) (lesson 14).

# %% [markdown]
# How big a run this page makes. These are the values of the full run: every training and
# test image of this course's copy of CIFAR-10; a quick build of the site uses fewer images
# and epochs, and the box at the top of the page says which ran.

# %% tags=["parameters"]
train_size = None       # training images to draw from (None: all of them)
test_size = None        # test images to score (None: all of them)
pretrain_epochs = 20    # epochs on the five source classes
epochs = 30             # epochs for the new classifier on the target classes
finetune_epochs = 15    # further epochs that fine-tune the whole network

# %%
import logging

import keras
import matplotlib.pyplot as plt
import numpy as np

from convlab import data, metrics, report, style, training, viz
from convlab.claims import claim
from convlab.exercises import check
from convlab.expectations import expect

keras.utils.set_random_seed(1234)   # the same run every time

# %% tags=["hide-input"]
# This page trains ten networks in a row, and TensorFlow warns each time it traces a new one;
# here that is expected, so it stays quiet.
logging.getLogger("tensorflow").setLevel(logging.ERROR)

# %% [markdown]
# ## Two tasks from one data set
#
# CIFAR-10's classes 0 to 4 (airplane, automobile, bird, cat, deer) make the **source task**,
# on which we pretrain with every labelled image we have. Classes 5 to 9 (dog, frog, horse,
# ship, truck) make the **target task**: the new problem, for which we pretend to have only a
# few labelled images. The two tasks share no class, but they share a world: a dog looks
# more like a cat than like noise, a truck like an automobile, a ship's sea like an
# airplane's sky.
#
# Pixels are scaled to $x/255 - 0.5$ as before. Labels stay class numbers, renumbered 0 to 4
# within each task, and the loss is `sparse_categorical_crossentropy`, which takes them as
# they are (no one-hot vectors).

# %%
cifar = data.load("cifar10")
x_all = cifar.x_train[:train_size] / 255 - 0.5
y_all = cifar.y_train[:train_size, 0]
x_test_all = cifar.x_test[:test_size] / 255 - 0.5
y_test_all = cifar.y_test[:test_size, 0]

source, source_test = y_all < 5, y_test_all < 5
x_source, y_source = x_all[source], y_all[source]                    # classes 0-4
x_source_test, y_source_test = x_test_all[source_test], y_test_all[source_test]
x_target_test, y_target_test = x_test_all[~source_test], y_test_all[~source_test] - 5
source_names, target_names = cifar.class_names[:5], cifar.class_names[5:]
chance = 1 / 5                                                       # five classes a task
print("source:", x_source.shape, "test", x_source_test.shape)
print("target test images:", x_target_test.shape)

# %% [markdown]
# The target task's labelled sets: for each target class a fixed random order of its
# training images, of which we take the first 50, 100 or 500. The sets are *nested*: the 100
# images of a class include its 50, so a larger set only adds images. All of them are scored
# on the same {{ len(x_target_test):, }} test images of the five target classes.

# %%
per_class = [50, 100, 500]            # labelled images per target class
rng = np.random.default_rng(0)
order = [rng.permutation(np.flatnonzero(y_all == 5 + k)) for k in range(5)]
labelled = {n: np.concatenate([o[:n] for o in order]) for n in per_class}
for n in per_class:
    print(f"{n:>4} per class: {len(labelled[n]):,} labelled images")

# %% [markdown]
# This course's copy of CIFAR-10 has {{ len(cifar.x_train):, }} training images (the
# official set has 50,000), about a thousand per class; the source task has
# {{ len(x_source):, }} of them.
#
# ## The network
#
# A compact CNN in two parts. The **base**: two 3 × 3 convolutions with 32 filters, max
# pooling, two with 64, max pooling, one with 128, and global average pooling, which averages
# each of the 128 last maps over the image. The **head**: one dense layer with a softmax over
# the five classes of a task. Why this shape: doubling the filters as pooling halves the
# image keeps the work of each stage similar (the VGG design of lesson 12); global average
# pooling leaves almost no weights outside the convolutions, so nearly everything the
# network learns lies in the base we want to reuse; and it is small enough to be trained ten
# times on this page on two processor cores. No batch normalisation: it keeps running
# averages of its inputs, which complicate freezing (more below).

# %%
def build_base():
    return keras.Sequential([
        keras.Input(shape=(32, 32, 3)),
        keras.layers.Conv2D(32, (3, 3), padding="same", activation="relu"),   # 32 x 32 x 32
        keras.layers.Conv2D(32, (3, 3), padding="same", activation="relu"),
        keras.layers.MaxPooling2D((2, 2)),                                     # 16 x 16 x 32
        keras.layers.Conv2D(64, (3, 3), padding="same", activation="relu"),   # 16 x 16 x 64
        keras.layers.Conv2D(64, (3, 3), padding="same", activation="relu"),
        keras.layers.MaxPooling2D((2, 2)),                                     # 8 x 8 x 64
        keras.layers.Conv2D(128, (3, 3), padding="same", activation="relu"),  # 8 x 8 x 128
        keras.layers.GlobalAveragePooling2D(),                                 # 128
    ], name="base")


def with_head(base):
    return keras.Sequential([base, keras.layers.Dense(5, activation="softmax", name="head")])


pretrained_base = build_base()
source_model = with_head(pretrained_base)
source_model.summary()

# %% [markdown]
# {{ source_model.count_params():, }} parameters, of which the head holds
# {{ source_model.get_layer("head").count_params():, }}: $(128 + 1) \cdot 5$.
#
# ## Pretraining on the source task
#
# Adam at its usual learning rate of 0.001, batches of 64, on all {{ len(x_source):, }}
# source images.

# %%
source_model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.001),
                     loss="sparse_categorical_crossentropy", metrics=["accuracy"])
log = training.EpochLog(lines=5)
source_model.fit(x_source, y_source, epochs=pretrain_epochs, batch_size=64, verbose=0,
                 callbacks=[log])
_, source_accuracy = source_model.evaluate(x_source_test, y_source_test, verbose=0)
pretrained_weights = pretrained_base.get_weights()    # what we reuse, kept
claim("source_learned",
      "the pretrained network labels more than half of its own five classes' test images "
      "correctly, where guessing gets one in five",
      holds=source_accuracy > 0.5,
      evidence=f"{source_accuracy:.1%} of {len(x_source_test):,} test images of airplane, "
               f"automobile, bird, cat and deer (chance {chance:.0%})")

# %% [markdown]
# After {{ pretrain_epochs }} epochs ({{ log.seconds:.0f }} s) the network labels
# **{{ source_accuracy:.1% }}** of the {{ len(x_source_test):, }} test images of its five
# classes correctly; guessing would get {{ chance:.0% }} {{ claim source_learned }}.
#
# ## What "features" are
#
# Take the head off and the base maps any 32 × 32 image to 128 numbers: the *features* of
# the image. Each is the average, over the image, of one filter of the last convolution,
# which answers "how much of my pattern is there?" for a pattern built from the patterns of
# the layers below. The head only draws straight boundaries between classes in this
# 128-dimensional space: it is softmax regression on the features. Pretraining made these
# 128 numbers good for telling airplanes from deer. The bet of transfer learning is that
# they are good for dogs and ships too, because the patterns that make them up (edges,
# colour blobs, fur, wheels, a horizon) are not specific to five classes.

# %%
features = pretrained_base.predict(x_target_test[:8], verbose=0)
print("features of 8 target test images:", features.shape)
print(np.round(features[:2, :8], 2), "...")

# %% [markdown]
# ## Three ways to learn the target task
#
# For each labelled set we train three networks with the same architecture and score them on
# the same target test images:
#
# 1. **From scratch**: the base starts from random weights, as in every lesson so far, and
#    everything is trained on the labelled images.
# 2. **Frozen features**: the pretrained base with `trainable = False`, so its weights never
#    change, and a new head trained on top, for {{ epochs }} epochs: only
#    {{ source_model.get_layer("head").count_params():, }} parameters learned from the
#    labelled images instead of {{ source_model.count_params():, }}. With 50 images per class,
#    250 in all, fitting {{ source_model.count_params():, }} numbers overfits badly; fitting
#    {{ source_model.get_layer("head").count_params():, }} is a well-posed problem. On fixed
#    features the head is softmax regression, a small and well-behaved problem, so it can
#    take a larger learning rate than a whole network: 0.01.
# 3. **Fine-tuned**: start from the frozen model once its head is trained, set
#    `trainable = True` on the base and train everything for {{ finetune_epochs }} more
#    epochs with a learning rate ten times smaller than the pretraining's, 0.0001. The
#    pretrained weights are
#    already a good starting point, and the small rate only adjusts them. A large rate, or
#    fine-tuning with a random head whose errors send large gradients into the base, can
#    wreck the features in the first steps, and the few labelled images cannot rebuild them.
#
# In Keras, `trainable` is read when the model is compiled: after changing it, call `compile`
# again. The scratch network trains as many epochs as the fine-tuned one does in all,
# {{ epochs + finetune_epochs }}, at 0.001. None of them has a validation set to stop on: with
# 50 labelled images per class there are none to spare, so each trains a fixed number of
# epochs, batches of 32.

# %%
def compiled(model, learning_rate):
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=learning_rate),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def right_answers(model):
    """One True or False per target test image."""
    return model.predict(x_target_test, batch_size=256, verbose=0).argmax(axis=1) == y_target_test


correct = {"scratch": {}, "frozen": {}, "fine-tuned": {}}
frozen_unchanged, scratch_kernels = True, None
for n in per_class:
    x, y = x_all[labelled[n]], y_all[labelled[n]] - 5

    scratch = compiled(with_head(build_base()), 0.001)
    scratch.fit(x, y, epochs=epochs + finetune_epochs, batch_size=32, verbose=0)
    correct["scratch"][n] = right_answers(scratch)

    base = build_base()
    base.set_weights(pretrained_weights)       # a fresh copy of the pretrained base
    base.trainable = False
    model = compiled(with_head(base), 0.01)   # only the head learns
    model.fit(x, y, epochs=epochs, batch_size=32, verbose=0)
    correct["frozen"][n] = right_answers(model)
    frozen_unchanged &= all(np.array_equal(a, b)
                            for a, b in zip(base.get_weights(), pretrained_weights))

    base.trainable = True
    model = compiled(model, 0.0001)            # compile again: trainable changed
    model.fit(x, y, epochs=finetune_epochs, batch_size=32, verbose=0)
    correct["fine-tuned"][n] = right_answers(model)
    if n == per_class[0]:
        scratch_kernels = scratch.layers[0].layers[0].kernel.numpy()   # for a figure below
    print(f"{n:>4} per class: " + ", ".join(f"{way} {correct[way][n].mean():.1%}"
                                           for way in correct))
accuracy = {way: np.array([correct[way][n].mean() for n in per_class]) for way in correct}

# %% [markdown]
# ## Accuracy against labelled images
#
# Each point is one trained network scored on the {{ len(x_target_test):, }} target test
# images; the bars are ± one binomial standard error, $\sqrt{p(1-p)/n}$, how far another
# draw of as many test images would typically move the figure.

# %% tags=["hide-input"]
fig, ax = plt.subplots(figsize=(7.4, 3.6), layout="constrained")
for way, marker in zip(correct, "osD"):
    ax.errorbar(per_class, accuracy[way],
                yerr=metrics.standard_error(accuracy[way], len(x_target_test)),
                marker=marker, capsize=3, label=way)
ax.axhline(chance, color="grey", linewidth=0.8, linestyle="--", label="guessing")
ax.set_xscale("log")
ax.set_xticks(per_class, [str(n) for n in per_class])
ax.minorticks_off()                       # only the three sizes, not 6 x 10^1, 2 x 10^2...
ax.set_xlabel("labelled images per target class")
ax.set_ylabel("test accuracy, target classes")
ax.yaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:.0%}"))
ax.set_ylim(0, 1)
ax.legend()
style.describe(fig, "test accuracy on the five target classes against the number of "
                    "labelled images per class (50, 100, 500, log scale), one line each for "
                    "training from scratch, frozen pretrained features and fine-tuning, with "
                    "error bars of one standard error and a dashed line at guessing")
plt.show()

# %%
fewest, most = per_class[0], per_class[-1]
frozen_vs_scratch = metrics.paired_comparison(correct["frozen"][fewest],
                                              correct["scratch"][fewest])
tuned_vs_scratch = metrics.paired_comparison(correct["fine-tuned"][fewest],
                                             correct["scratch"][fewest])
print(frozen_vs_scratch.evidence("frozen", "scratch"))
print(tuned_vs_scratch.evidence("fine-tuned", "scratch"))
lead = {n: max(accuracy["frozen"][i], accuracy["fine-tuned"][i]) - accuracy["scratch"][i]
        for i, n in enumerate(per_class)}
claim("frozen_beats_scratch",
      f"with {fewest} labelled images per class, the frozen pretrained features label more "
      "of the same target test images correctly than the network trained from scratch",
      holds=frozen_vs_scratch.winner == "a",
      evidence=frozen_vs_scratch.evidence("frozen", "scratch"))
claim("finetuned_beats_scratch",
      f"with {fewest} labelled images per class, the fine-tuned network labels more of the "
      "same target test images correctly than the network trained from scratch",
      holds=tuned_vs_scratch.winner == "a",
      evidence=tuned_vs_scratch.evidence("fine-tuned", "scratch"))
claim("lead_shrinks",
      f"pretraining's lead over training from scratch (the better of frozen and fine-tuned, "
      f"against scratch) is larger with {fewest} labelled images per class than with {most}",
      holds=lead[fewest] > lead[most],
      evidence=", ".join(f"{100 * lead[n]:+.1f} points with {n} per class" for n in per_class))
scratch_vs_frozen = metrics.paired_comparison(correct["scratch"][most], correct["frozen"][most])
claim("frozen_lead_gone",
      f"with {most} labelled images per class, the frozen pretrained features no longer beat "
      "the network trained from scratch on the same target test images",
      holds=scratch_vs_frozen.winner != "b",
      evidence=scratch_vs_frozen.evidence("scratch", "frozen"))
claim("frozen_stays_frozen",
      "training the frozen model leaves every weight of its pretrained base exactly as it was",
      holds=frozen_unchanged,
      evidence="the base's weights compared with the pretrained ones after each frozen "
               f"training, for {', '.join(map(str, per_class))} images per class: "
               + ("all equal" if frozen_unchanged else "some changed"))

# %% [markdown]
# With {{ fewest }} labelled images per class the network trained from scratch labels
# {{ accuracy["scratch"][0]:.1% }} of the target test images correctly. The same network
# starting from the pretrained base does better: {{ accuracy["frozen"][0]:.1% }} with the
# base frozen {{ claim frozen_beats_scratch }}, {{ accuracy["fine-tuned"][0]:.1% }} fine-tuned
# {{ claim finetuned_beats_scratch }}. The paired test counts the images on which the two
# disagree: of them, the frozen network alone gets {{ frozen_vs_scratch.only_a:, }} right and
# the scratch network alone {{ frozen_vs_scratch.only_b:, }}.
#
# With more labels, training from scratch catches up: pretraining's lead (the better of
# frozen and fine-tuned, against scratch) is {{ 100 * lead[fewest]:+.1f }} points with
# {{ fewest }} images per class and {{ 100 * lead[most]:+.1f }} with {{ most }}
# {{ claim lead_shrinks }}. With {{ most }} per class the scratch network, at
# {{ accuracy["scratch"][-1]:.1% }}, has caught up with the frozen features'
# {{ accuracy["frozen"][-1]:.1% }}: the paired test finds no lead for the frozen features
# left {{ claim frozen_lead_gone }}. The labelled images teach the scratch network what the
# source task taught the others, and with enough of them it needs the source task less:
# features chosen for airplanes and deer are not the best ones for ships and frogs, and a
# frozen base cannot change them. Fine-tuning can: it reaches
# {{ accuracy["fine-tuned"][-1]:.1% }} there. Freezing, for its part, did what it promises:
# every weight of the frozen base is still the pretrained one {{ claim frozen_stays_frozen }}.
#
# Each point is a single run with a single draw of the labelled images. Which 50 dogs you
# happen to label, and the random starting weights, move a network's accuracy too; the error
# bars count only the test images' share of the noise.
#
# ## What the first layer learned
#
# The 32 first-layer filters of the pretrained base (top) and of the network trained from
# scratch on {{ fewest }} images per class (bottom), each drawn as a colour patch scaled to
# its own range:

# %%
viz.filter_grid(pretrained_weights[0], title="pretrained on 5 classes, all source images")
plt.show()
viz.filter_grid(scratch_kernels, title=f"from scratch, {fewest} images per target class")
plt.show()

# %% [markdown]
# Look for smooth colour gradients and edges of one orientation, and for patches of noise:
# few images and few steps leave a filter close to its random start. The first layer is
# the most general part of a network, which is why it transfers best; the last layers are
# the most specific to the classes they were trained on.
#
# ## Batch normalisation and freezing
#
# This page's network has no batch normalisation, and that spared it a trap. A
# `BatchNormalization` layer keeps two running averages per channel, the mean and variance
# of its inputs, learned during training and used at prediction. In Keras, setting
# `trainable = False` on it does two things: its scale and shift stop learning, and it runs
# in inference mode, using its stored averages instead of the batch's. So a frozen base
# behaves the same while the head trains. When fine-tuning, the usual advice is to keep it
# that way: call the base as `base(inputs, training=False)` in a functional model, so that
# its batch normalisation layers keep using the source's averages even after `trainable =
# True`; otherwise a few small batches of new images overwrite them, and the features the
# head learned to read shift under it.
#
# ## Pretrained networks in Keras
#
# `keras.applications` ships the classic architectures with weights trained on ImageNet:
# 1.28 million photographs of 1,000 classes. Among them ResNet50, MobileNetV2, MobileNetV3Small
# and MobileNetV3Large, EfficientNetB0 to B7 and EfficientNetV2, ConvNeXt, VGG16, DenseNet
# and Xception. The arguments that matter for transfer learning:
#
# * `weights="imagenet"` downloads the pretrained weights the first time (into
#   `~/.keras/models/`); `weights=None` builds the same network with random ones.
# * `include_top=False` leaves out the 1,000-class classifier, so the network ends with its
#   last convolutional maps; `pooling="avg"` adds global average pooling, one feature per
#   channel, as our base does.
# * `input_shape`: the ImageNet weights were trained on 224 × 224 images. Without its top
#   a network accepts other sizes, but its strides were chosen for photographs: a 32 × 32
#   image is shrunk to almost nothing before the last layers (below).
# * Each family expects its own pixel scale. `keras.applications.resnet50.preprocess_input`
#   turns 0-255 RGB pixels into what ResNet50 was trained on (BGR, ImageNet's mean pixel
#   subtracted); MobileNetV3 and EfficientNet rescale inside the model and take 0-255 pixels
#   as they are (their `preprocess_input` does nothing and is kept for old code).
#
# The standard recipe, on a machine that can download the weights (this page does not run
# it):
#
# ```python
# base = keras.applications.MobileNetV3Small(
#     weights="imagenet",            # downloaded the first time
#     include_top=False,             # no 1,000-class classifier
#     input_shape=(224, 224, 3), pooling="avg")
# base.trainable = False
#
# inputs = keras.Input(shape=(32, 32, 3))        # CIFAR-10 pixels, 0-255
# x = keras.layers.Resizing(224, 224)(inputs)    # the size it was trained on
# x = base(x, training=False)                    # batch normalisation stays in inference mode
# outputs = keras.layers.Dense(5, activation="softmax")(x)
# model = keras.Model(inputs, outputs)
# model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.001),
#               loss="sparse_categorical_crossentropy", metrics=["accuracy"])
# model.fit(x_labelled, y_labelled, epochs=10)   # the head only
#
# base.trainable = True                          # then fine-tune, gently
# model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.00001),
#               loss="sparse_categorical_crossentropy", metrics=["accuracy"])
# model.fit(x_labelled, y_labelled, epochs=5)
# ```
#
# Built with `weights=None`, the same base needs no download, and shows what it would cost:

# %%
mobile = keras.applications.MobileNetV3Small(weights=None, include_top=False,
                                             input_shape=(224, 224, 3))
mobile_small = keras.applications.MobileNetV3Small(weights=None, include_top=False,
                                                   input_shape=(32, 32, 3))
print(f"MobileNetV3Small without its top: {mobile.count_params():,} parameters, "
      f"{len(mobile.layers)} layers")
print("last maps for a 224 x 224 image:", mobile.output.shape[1:])
print("last maps for a 32 x 32 image:  ", mobile_small.output.shape[1:])

# %% [markdown]
# {{ mobile.count_params():, }} parameters,
# ×{{ mobile.count_params() / pretrained_base.count_params():.0f }} our base's
# {{ pretrained_base.count_params():, }}, and with `pooling="avg"`
# {{ mobile.output.shape[-1] }} features per image. Its last maps are
# {{ mobile.output.shape[1] }} × {{ mobile.output.shape[2] }} for a 224 × 224 photograph, but
# {{ mobile_small.output.shape[1] }} × {{ mobile_small.output.shape[2] }} for a 32 × 32 one:
# fed CIFAR-10 as it is, most of what the network learned about the layout of an object is
# lost. So CIFAR-10's images are enlarged to 224 × 224 first, and each then costs as much as
# an ImageNet photograph: 49 times the pixels.
#
# Why this course pretrains its own network instead:
#
# * **No network.** The machines that build this course have no internet connection, and
#   the weights are a download (about 100 MB for ResNet50).
# * **Size.** Enlarged to 224 × 224, every CIFAR-10 image would pass through millions of
#   parameters; on the two processor cores this course's runs use, that is hours, not the
#   minutes this page has.
# * **A fair test.** ImageNet contains dogs, frogs, horses, ships and trucks by the thousand.
#   A network pretrained on it has *seen* our target classes, so the experiment would no
#   longer ask whether features transfer to new classes. Here the source and target classes
#   are disjoint by construction.
#
# On a machine with a network and a GPU, the recipe above is where to start: ImageNet
# features are far richer than ours, and transfer learning from them is how most image
# classifiers in practice are made.
#
# ## What we have
#
# * Pretraining on {{ len(x_source):, }} images of five classes gives a base whose 128
#   features serve five other classes: with {{ fewest }} labelled images per class, frozen
#   features reach {{ accuracy["frozen"][0]:.1% }} and fine-tuning
#   {{ accuracy["fine-tuned"][0]:.1% }}, against {{ accuracy["scratch"][0]:.1% }} from
#   scratch.
# * Freezing trains only the head's {{ source_model.get_layer("head").count_params():, }}
#   parameters: few labels suffice for so few. Fine-tuning then adjusts the whole network at
#   a learning rate ten times smaller than the pretraining's.
# * The fewer the labels, the more pretraining helps; with {{ most }} per class its lead is
#   {{ 100 * lead[most]:+.1f }} points, and the frozen features fall behind the network
#   trained from scratch.
# * `keras.applications` gives ImageNet-pretrained networks in one line, on a machine that
#   can download them; a frozen base with `training=False` keeps its batch normalisation
#   as it was.
#
# ## Exercises
#
# Predict first, write your prediction down, then run the cell that checks it. Each check
# cell says whether you are right; on the page the answer is folded under it.
#
# 1. **What the frozen model trains.** How many of the frozen model's parameters does
#    `fit` change? Set `answer_1`, then check with `model.summary()` after setting
#    `base.trainable = False` (it lists trainable and non-trainable parameters).
# 2. **Which class gains most.** With {{ fewest }} labelled images per class, for which of
#    the five target classes (dog, frog, horse, ship, truck) does the frozen model's accuracy
#    rise most above the scratch network's? Think of which source class each resembles. Set
#    `answer_2` to its name; the check counts it from the run.
# 3. **Fine-tuning too fast.** Predict: if the fine-tuning step used the pretraining's
#    learning rate, 0.001, instead of 0.0001, would it end above or below the frozen
#    model, with {{ fewest }} images per class? Set `answer_3` to `"above"` or `"below"`;
#    the check cell below has run it (one more network, trained on {{ 5 * fewest }} images).

# %%
answer_1 = None   # parameters the frozen model's fit changes
answer_2 = None   # a target class name, e.g. "dog"
answer_3 = None   # "above" or "below"

# %% tags=["hide-input"]
check("exercise 1", answer_1, source_model.get_layer("head").count_params(),
      hint="only the head learns: 128 features into 5 classes, plus a bias for each class.",
      explain="(128 + 1) × 5: a weight from each of the 128 features to each of the 5 "
              "classes and 5 biases. The base's "
              f"{pretrained_base.count_params():,} parameters are left as they are.")
truth = y_target_test
per_class_frozen = np.array([correct["frozen"][fewest][truth == k].mean() for k in range(5)])
per_class_scratch = np.array([correct["scratch"][fewest][truth == k].mean() for k in range(5)])
gain = per_class_frozen - per_class_scratch
check("exercise 2", answer_2, target_names[int(gain.argmax())],
      explain="Accuracy gained by the frozen features over scratch, class by class: "
              + ", ".join(f"{name} {100 * g:+.1f} points" for name, g in zip(target_names, gain))
              + ". A class whose look the source classes share gains from their features.")

# %% tags=["hide-input"]
x, y = x_all[labelled[fewest]], y_all[labelled[fewest]] - 5
base = build_base()
base.set_weights(pretrained_weights)
base.trainable = False
fast = compiled(with_head(base), 0.01)
fast.fit(x, y, epochs=epochs, batch_size=32, verbose=0)
base.trainable = True
compiled(fast, 0.001).fit(x, y, epochs=finetune_epochs, batch_size=32, verbose=0)
fast_accuracy = right_answers(fast).mean()
check("exercise 3", answer_3, "above" if fast_accuracy > accuracy["frozen"][0] else "below",
      explain=f"Fine-tuned at 0.001: {fast_accuracy:.1%}; at 0.0001: "
              f"{accuracy['fine-tuned'][0]:.1%}; frozen: {accuracy['frozen'][0]:.1%}. At the "
              "larger rate every step moves the base's weights ten times further, fitted to "
              f"{len(x)} images.")

# %% [markdown]
# ## What this page checks

# %%
report.record("source_test_accuracy", source_accuracy)
for way, key in (("scratch", "scratch"), ("frozen", "frozen"), ("fine-tuned", "finetuned")):
    for i, n in enumerate(per_class):
        report.record(f"{key}_{n}_test_accuracy", accuracy[way][i])
report.record("base_parameters", pretrained_base.count_params())
report.record("mobilenet_v3_small_parameters", mobile.count_params())
expect("base_parameters").equals(139_424)        # (27+1)32 + (288+1)32 + ... + (576+1)128
expect("mobilenet_v3_small_parameters").between(800_000, 1_100_000)
expect("source_test_accuracy").at_least(0.35, profile="quick")
expect("source_test_accuracy").at_least(0.60, profile="full")
expect("frozen_50_test_accuracy").at_least(0.25, profile="quick")    # guessing: 20%
# A trial run of this recipe (head at 0.001, scratch for 30 epochs): scratch 59.8%, frozen
# 64.4%, fine-tuned 68.5% with 50 per class; the head at 0.01 fits its features better.
expect("frozen_50_test_accuracy").at_least("scratch_50_test_accuracy", plus=0.02, profile="full")
expect("finetuned_50_test_accuracy").at_least("scratch_50_test_accuracy", plus=0.02,
                                              profile="full")
# The trial run, 500 per class: scratch 78.6%, frozen 71.0%, fine-tuned 77.4%.
expect("scratch_500_test_accuracy").at_least("scratch_50_test_accuracy", plus=0.05,
                                             profile="full")
