# %% [markdown]
# # Reference architectures: VGG blocks and residual networks
#
# The tutorial's CNN was designed by hand for one tutorial. Networks that win on image
# benchmarks are built from a few small, proven blocks repeated: stacks of 3 × 3 convolutions
# with batch normalisation (the *VGG* design) and blocks with a *skip connection* (the
# *residual network*, ResNet). We build one of each for CIFAR-10's 32 × 32 images, train them
# with one recipe, and set them beside the networks of the previous lesson: size, speed and
# accuracy. Then we look at the reference architectures that ship with Keras.

# %% [markdown]
# Previous: [regularisation](../regularisation/), whose techniques every network here uses;
# next: [how much faster is a GPU?](../gpu_speed/), which times the tutorial's CNN on this
# machine's devices.

# %% [markdown]
# How big a run this page makes. These are the values of the full run: every training image,
# 40 epochs for each of the two networks. A quick build of the site uses so few images and
# epochs that it only checks that the code runs; the box at the top of the page says which
# ran.

# %% tags=["parameters"]
train_size = None   # training images to use (None: all of them)
test_size = None    # test images to score (None: all of them)
epochs = 40         # epochs for each network

# %%

import logging

import keras
import matplotlib.pyplot as plt
import numpy as np

from convlab import data, metrics, report, training, viz
from convlab.exercises import check
from convlab.expectations import expect
from convlab.runs import same_data, stored_lesson_run

keras.utils.set_random_seed(1234)   # the same run every time
# Every new model traces its training step into a graph anew. When a run trains several in a
# row, TensorFlow warns that it traces often; here that is expected, so it stays quiet.
logging.getLogger("tensorflow").setLevel(logging.ERROR)

# %% [markdown]
# The same data as the previous lesson: pixels scaled to $x/255 - 0.5$, one-hot labels, and
# the last 0.15 of the training images held out for validation.

# %%
cifar = data.load("cifar10")
x_train = cifar.x_train[:train_size] / 255 - 0.5
y_train = keras.utils.to_categorical(cifar.y_train[:train_size], 10)
x_test = cifar.x_test[:test_size] / 255 - 0.5
y_test = keras.utils.to_categorical(cifar.y_test[:test_size], 10)
n_fit = int(0.85 * len(x_train))
x_fit, y_fit = x_train[:n_fit], y_train[:n_fit]     # trained on
x_val, y_val = x_train[n_fit:], y_train[n_fit:]     # held out: validation
print("trained on", x_fit.shape, "validation", x_val.shape, "test", x_test.shape)

# %% [markdown]
# ## A VGG-style network
#
# VGG (Simonyan and Zisserman, 2014) showed that depth built from one repeated block works
# better than a few large kernels: two 3 × 3 convolutions see a 5 × 5 patch with fewer weights
# than one 5 × 5 convolution, and add a second non-linearity. Our version has three blocks of
# two convolutions, each block with twice the filters of the one before (32, 64, 128) and
# ending in max pooling, so the channels grow as the image shrinks. Batch normalisation,
# which the original lacked, follows every convolution. Instead of a large dense head, a
# *global average pooling* layer averages each of the last 128 channels over the image: one
# number per channel, and almost no parameters left outside the convolutions.
#
# Both networks start with the same augmentation layers as the previous lesson's: random
# left-right flips and shifts, here of up to 4 pixels (mirrored at the border, close to the
# usual pad-and-crop), new at every epoch and active in training only.

# %%
def augmentation():
    """Random left-right flips and shifts of up to 4 pixels: active in training only."""
    return [keras.layers.RandomFlip("horizontal"),
            keras.layers.RandomTranslation(0.125, 0.125, fill_mode="reflect")]


def conv_bn(filters, strides=1):
    """3 x 3 convolution (no bias) with an L2 penalty, then batch normalisation."""
    return [keras.layers.Conv2D(filters, (3, 3), strides=strides, padding="same",
                                use_bias=False, kernel_regularizer=keras.regularizers.L2(0.0005)),
            keras.layers.BatchNormalization(momentum=0.9)]      # its shift replaces the bias


def relu():
    return keras.layers.Activation("relu")


def vgg_style():
    return keras.Sequential([
        keras.Input(shape=(32, 32, 3)), *augmentation(),
        *conv_bn(32), relu(), *conv_bn(32), relu(),
        keras.layers.MaxPooling2D((2, 2)),                                  # 16 x 16 x 32
        *conv_bn(64), relu(), *conv_bn(64), relu(),
        keras.layers.MaxPooling2D((2, 2)),                                  # 8 x 8 x 64
        *conv_bn(128), relu(), *conv_bn(128), relu(),
        keras.layers.MaxPooling2D((2, 2)),                                  # 4 x 4 x 128
        keras.layers.GlobalAveragePooling2D(),                              # 128
        keras.layers.Dense(10, activation="softmax"),
    ])


vgg_style().summary()

# %% [markdown]
# ## A residual network
#
# Stack many more layers and a plain network trains *worse*, even on its training images:
# He et al. ("Deep Residual Learning for Image Recognition", 2015) found this *degradation*
# even with batch normalisation, and took it for a difficulty of optimisation, not of
# overfitting. They gave each block a shortcut: the block computes $\mathrm{ReLU}(x + F(x))$
# instead of $\mathrm{ReLU}(F(x))$, where $F$ is two 3 × 3 convolutions, each with batch
# normalisation and a ReLU between them. A block that has nothing useful to add can learn
# $F \approx 0$ and pass $x$ on unchanged, and the gradient flows back through the addition
# undiminished.
#
# Where a block halves the image and doubles the channels, its first convolution has a
# stride of 2, and $x$ no longer has $F(x)$'s shape. The shortcut then goes through a 1 × 1
# convolution with the same stride (the paper's *option B*; for CIFAR-10 it padded the new
# channels with zeros instead, option A, which has no weights). One block, drawn from the
# Keras model itself:

# %%
def residual_block(x, filters, strides=1):
    """ReLU(shortcut(x) + F(x)): F is conv-BN-ReLU-conv-BN. The shortcut is x itself where
    the shapes match, else a strided 1 x 1 convolution with batch normalisation."""
    y = x
    for layer in [*conv_bn(filters, strides), relu(), *conv_bn(filters)]:
        y = layer(y)
    if strides != 1 or x.shape[-1] != filters:
        x = keras.layers.Conv2D(filters, (1, 1), strides=strides, use_bias=False,
                                kernel_regularizer=keras.regularizers.L2(0.0005))(x)
        x = keras.layers.BatchNormalization(momentum=0.9)(x)
    return relu()(keras.layers.Add()([x, y]))


block_input = keras.Input(shape=(32, 32, 16), name="x")
block = keras.Model(block_input, residual_block(block_input, 16), name="residual_block")
diagram = keras.utils.model_to_dot(block, show_shapes=True)   # what plot_model draws
viz.show_svg(diagram.create_svg(), "one residual block: two convolutions with batch "
             "normalisation, and the skip connection that adds the input back")
print(f"one block of 16 filters: {block.count_params():,} parameters")

# %% [markdown]
# The network is He et al.'s **ResNet-20**, the smallest of the residual networks they
# designed for CIFAR-10: a 3 × 3 convolution of 16 filters, then three stages of three
# blocks each, with 16, 32 and 64 filters on images of 32 × 32, 16 × 16 and 8 × 8 pixels
# (the first block of the second and third stage halves the image), a global average
# pooling and one dense layer. That is $6 \cdot 3 + 2 = 20$ layers with weights, counting the
# first convolution and the dense layer but not the two 1 × 1 shortcut convolutions; deeper
# versions put more blocks in each stage.

# %%
def resnet20():
    inputs = keras.Input(shape=(32, 32, 3))
    x = inputs
    for layer in [*augmentation(), *conv_bn(16), relu()]:          # 32 x 32 x 16
        x = layer(x)
    for filters, strides in [(16, 1), (32, 2), (64, 2)]:           # 32, 16, 8 pixels wide
        x = residual_block(x, filters, strides)
        x = residual_block(x, filters)
        x = residual_block(x, filters)
    x = keras.layers.GlobalAveragePooling2D()(x)                   # 64
    outputs = keras.layers.Dense(10, activation="softmax")(x)
    return keras.Model(inputs, outputs, name="resnet20")


# %% [markdown]
# ## How the two networks are trained
#
# The recipe follows what made the fast CIFAR-10 results possible, and every part of it has
# a reason:
#
# * **Augmentation**, as above: flips and shifts of up to 4 pixels, new at every epoch.
# * **Label smoothing** 0.2: the target for the right class is 0.82 instead of 1, and 0.02 for
#   each of the others. A network can never reach a target of exactly 1, so without
#   smoothing it keeps growing its weights to get closer; with it, it stops when it is
#   confident enough, and is less sure of itself on the images it gets wrong.
# * **A one-cycle learning-rate schedule**: SGD with Nesterov momentum 0.9, the learning rate
#   rising linearly from 0.01 to 0.1 over the first 5 epochs (fewer in a run too short for
#   that) and then falling on a half cosine to zero. The rise lets batch normalisation's
#   statistics settle before large steps; the long fall lets the weights settle into a
#   minimum.
# * **An L2 penalty** of 0.0005 on every kernel, and batches of 128. Under SGD the penalty's
#   gradient shrinks all the weights by the same share at a step (a share that follows the
#   learning rate), so here it *is* weight decay (under Adam it would not be, as the previous
#   lesson explains).
# * At test time, **flip averaging**: each test image is classified as it is and mirrored,
#   and the two predictions are averaged. It costs one more forward pass.

# %%
results = {}


def train(name, model):
    """Train one network for ``epochs`` epochs with the recipe above; score it on the test set."""
    steps = int(np.ceil(len(x_fit) / 128))                      # batches in one epoch
    warmup = min(5, max(epochs - 1, 0)) * steps
    schedule = keras.optimizers.schedules.CosineDecay(
        initial_learning_rate=0.01, warmup_target=0.1, warmup_steps=max(warmup, 1),
        decay_steps=max(1, epochs * steps - warmup))
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=schedule, momentum=0.9,
                                                 nesterov=True),
                  loss=keras.losses.CategoricalCrossentropy(label_smoothing=0.2),
                  metrics=["accuracy"])
    log = training.EpochLog(lines=0)
    history = model.fit(x_fit, y_fit, epochs=epochs, batch_size=128,
                        validation_data=(x_val, y_val), verbose=0, callbacks=[log])
    plain = model.predict(x_test, batch_size=256, verbose=0)
    mirrored = model.predict(x_test[:, :, ::-1], batch_size=256, verbose=0)
    truth = y_test.argmax(axis=1)
    results[name] = {
        "parameters": model.count_params(),
        # the median over the epochs after the first, which also traces the training step
        "seconds_per_epoch": float(np.median(log.epoch_seconds[1:] or log.epoch_seconds)),
        "test": float((plain.argmax(axis=1) == truth).mean()),
        "test_flip": float(((plain + mirrored).argmax(axis=1) == truth).mean()),
        "epochs": len(history.history["loss"]), "loss": history.history["loss"][-1],
        "history": history.history,
    }
    print(f"{name:>10}: test {results[name]['test']:.1%} "
          f"(with flips {results[name]['test_flip']:.1%}), {log.summary()}")


train("VGG-style", vgg_style())
train("ResNet-20", resnet20())

# %% [markdown]
# ## Beside the previous lesson's networks
#
# The previous lesson trained the tutorial's network for 10 epochs with Adam, plain and with
# every regulariser combined. Rather than train them again, this page reads their figures
# from that lesson's stored full run, when there is one made on the same images; the page is
# built again whenever that run changes.

# %%
earlier = stored_lesson_run("regularisation")
comparable = (earlier is not None and train_size is None and test_size is None
              and same_data(earlier, "cifar10", cifar.provenance.fingerprint))
previous = earlier["results"] if comparable else {}     # its report.record values by name
rows = []
if comparable:
    for name, key in [("tutorial CNN, plain (lesson 09)", "baseline"),
                      ("tutorial CNN, combined (lesson 09)", "combined")]:
        flipped = key == "combined"      # the previous lesson flip-averages only this one
        rows.append({"name": name, "parameters": previous[f"{key}_parameters"],
                     "seconds_per_epoch": previous[f"{key}_seconds_per_epoch"],
                     "epochs": int(previous[f"{key}_epochs"]),
                     "test": previous["combined_unflipped_test_accuracy" if flipped
                                     else f"{key}_test_accuracy"],
                     "test_flip": previous[f"{key}_test_accuracy"] if flipped else None})
rows += [{"name": name, **r} for name, r in results.items()]


def earlier_sentence():
    """Where the previous lesson's rows come from, or why they are missing."""
    if earlier is None:
        return ("No stored run of the previous lesson was found (a notebook opened outside the "
                "course's repository does not have the store), so only this page's two "
                "networks are shown.")
    if train_size is not None or test_size is not None:
        return (f"This run trains on {len(x_fit):,} images and scores {len(x_test):,}, fewer "
                "than the previous lesson's stored full run, so that run's figures are not "
                "comparable and are not shown.")
    if not comparable:
        return ("The previous lesson's stored run loaded another copy of CIFAR-10 than this "
                "run, so its figures are not comparable and are not shown.")
    return (f"Its rows come from its stored run of {earlier['executed_at']} on "
            f"{earlier['hardware']}; their seconds per epoch were measured there, at batches "
            "of 32, and it flip-averaged only the combined model's score.")


# %% [markdown]
# ## Side by side
#
# {{ earlier_sentence() }}

# %%
report.markdown(report.markdown_table(
    ["network", "params", "epochs", "s/epoch", "test", "flipped"],
    [[r["name"], f"{r['parameters']:,.0f}", r["epochs"], f"{r['seconds_per_epoch']:.1f}",
      f"**{r['test']:.1%}**", "" if r["test_flip"] is None else f"{r['test_flip']:.1%}"]
     for r in rows],
))
viz.model_comparison([r["name"] for r in rows], [r["parameters"] for r in rows],
                     [r["seconds_per_epoch"] for r in rows],
                     [r["test"] if r["test_flip"] is None else r["test_flip"] for r in rows],
                     title=f"CIFAR-10, {len(x_fit):,} training images")
plt.show()

keys = {"VGG-style": "vgg", "ResNet-20": "resnet"}
for name, key in keys.items():
    report.record(f"{key}_parameters", results[name]["parameters"])
    report.record(f"{key}_test_accuracy", results[name]["test"])
    report.record(f"{key}_flip_test_accuracy", results[name]["test_flip"])
    report.record(f"{key}_epochs", results[name]["epochs"])
    report.record(f"{key}_seconds_per_epoch", results[name]["seconds_per_epoch"])
    report.record(f"{key}_final_loss", results[name]["loss"])   # a diverged run is NaN
best = max(results, key=lambda name: results[name]["test_flip"])
report.record("best_flip_test_accuracy", results[best]["test_flip"])
resnet, vgg = results["ResNet-20"], results["VGG-style"]
n_test = len(x_test)
largest_standard_error = metrics.standard_error(0.5, n_test)   # an accuracy's, at p = 50%

# Chance is 10% on ten classes; on n test images a guessing network scores within about
# 3 standard errors of it, 3 * sqrt(0.1 * 0.9 / n) (6 points on 200 images, 1 on 10,000).
guessing = 3 * metrics.standard_error(0.1, n_test)
learned = [name for name in results if results[name]["test_flip"] > 0.1 + guessing]


def run_sentence():
    """What this run shows, or that it is too short to show anything."""
    run = f"{epochs} epoch{'s' if epochs != 1 else ''} on {len(x_fit):,} training images"
    if not learned:
        return (f"This run, {run}, only checks that the code runs: it is far too little "
                f"training to show what the networks can do. On {n_test:,} test images, "
                f"guessing scores 10% give or take {guessing:.0%}, and neither network does "
                "better than that, so the table says nothing about which is best. The timings "
                "of so short a run include the one-off cost of building each training step.")
    p, q = resnet["test_flip"], vgg["test_flip"]
    slower = resnet["seconds_per_epoch"] / vgg["seconds_per_epoch"]
    noise = metrics.noise_margin(p, q, n_test)   # what a difference must clear
    if abs(p - q) <= noise:
        order = (f"The two are within the noise of each other (they would have to differ by "
                 f"more than {100 * noise:.1f} points)")
    else:
        winner, loser = ("ResNet-20", "VGG-style") if p > q else ("VGG-style", "ResNet-20")
        order = (f"{winner} is ahead of {loser} by more than the noise "
                 f"({100 * abs(p - q):.1f} points, against {100 * noise:.1f})")
    text = (f"In this run, {run}, ResNet-20 labels **{p:.1%}** of the {n_test:,} test images "
            f"correctly with flip averaging ({resnet['test']:.1%} without), and the VGG-style "
            f"network **{q:.1%}** ({vgg['test']:.1%}). {order}. ResNet-20 has "
            f"{resnet['parameters']:,} parameters to the VGG-style network's "
            f"{vgg['parameters']:,}, and an epoch took ×{slower:.1f} as long")
    if slower > 1.1:
        text += (": its nineteen 3 × 3 convolutions of 16 to 64 channels are many small "
                 "steps, which keep a processor less busy than a few wide ones.")
    else:
        text += "."
    if comparable:
        combined = previous["combined_test_accuracy"]
        gain = results[best]["test_flip"] - combined
        noise = metrics.noise_margin(results[best]["test_flip"], combined, n_test)
        verdict = "more than the noise" if abs(gain) > noise else "within the noise"
        text += (f" The best of the two, {best}, scores {100 * gain:+.1f} points against the "
                 f"previous lesson's combined model ({combined:.1%} in "
                 f"{previous['combined_epochs']:.0f} epochs), {verdict}, with "
                 f"{results[best]['parameters'] / previous['combined_parameters']:.0%} of its "
                 "parameters.")
    return text


# Published test accuracies on all of CIFAR-10, with their sources in the prose below.
published = {"ResNet-20": 0.9125,    # He et al. 2015, table 6: 8.75% error
             "ResNet-110": 0.9357,   # the same table, best of five runs: 6.43% error
             "ResNet-9": 0.94}       # D. Page, "How to train your ResNet" (2018), 24 epochs
short_run_note = ("" if learned else
                  "; in a run this short that is no more than guessing, as said above")


def data_sentence():
    """Whether this run is comparable with the published figures."""
    if cifar.provenance.subset or train_size is not None:
        return (f"This run trained on {len(x_fit):,} images, not 45,000 or 50,000, so its "
                "figures are not comparable with theirs: with fewer examples of each class a "
                "network reaches less.")
    return (f"This run trained on {len(x_fit):,} of the 50,000 images (the rest held out for "
            f"validation), for {epochs} epochs: its ResNet-20 reaches "
            f"{resnet['test_flip']:.1%}, against the paper's {published['ResNet-20']:.2%} "
            "after 164 epochs.")


# %% [markdown]
# {{ run_sentence() }}
#
# ## What these networks reach elsewhere
#
# Trained on all 50,000 training images for 164 epochs (64,000 steps of 128 images), He et al.
# report {{ published["ResNet-20"]:.2% }} test accuracy for ResNet-20 ("Deep Residual Learning
# for Image Recognition", 2015, table 6), and deeper versions of it do better, up to
# {{ published["ResNet-110"]:.2% }} for ResNet-110 (the best of five runs). David Page's
# ResNet-9, with 6.5 million parameters (128 to 512 channels), reached
# {{ published["ResNet-9"]:.0% }} in 24 epochs ("How to train your ResNet", Myrtle.ai, 2018),
# with batches of 512, a schedule of straight lines, pad-and-crop and *cutout* augmentation
# and half precision; it is the design later fast-training work, such as Keller Jordan's
# *airbench*, built on. It is too slow for the two processor cores this course's full runs
# are made on, which is why this page trains the smaller network. These figures are for five
# times the training images of the course's copy and for other recipes, so they are targets,
# not something this page's recipe has been shown to reach. {{ data_sentence() }}

# %% [markdown]
# ## Reference architectures in Keras
#
# `keras.applications` ships the classic designs, built in one line: ResNet, VGG, MobileNet,
# EfficientNet and more. `weights=None` builds the architecture with random weights;
# `input_shape` and `classes` adapt it to CIFAR-10's 32 × 32 images and 10 classes.

# %%
resnet50 = keras.applications.ResNet50(weights=None, input_shape=(32, 32, 3), classes=10)
report.record("resnet50_parameters", resnet50.count_params())
print(f"ResNet50: {len(resnet50.layers)} layers, {resnet50.count_params():,} parameters")
print("first layers:", [layer.name for layer in resnet50.layers[1:6]])
print("last layers: ", [layer.name for layer in resnet50.layers[-3:]])

# %% [markdown]
# ResNet50 has {{ resnet50.count_params():, }} parameters,
# ×{{ resnet50.count_params() / resnet["parameters"]:.0f }} our ResNet-20's. It was designed
# for 224 × 224 photographs: its first layers shrink the image by 4 at once, which leaves a
# 32 × 32 input with almost nothing to work on, one reason small networks designed for
# CIFAR-10, like ResNet-20, do better on it.
#
# The weights Keras offers for these networks (`weights="imagenet"`) were trained on
# ImageNet's 1.3 million photographs, and using them needs a download of the weight file
# (about 100 MB for ResNet50) from the internet the first time. This course never downloads
# them: every network on this page starts from random weights.
#
# ## What we have
#
# * Modern CNNs repeat a few blocks: 3 × 3 convolutions with batch normalisation, pooling or
#   strided convolutions to shrink the image, and skip connections to keep deep networks
#   trainable. Our ResNet-20 has {{ resnet["parameters"]:, }} parameters; the VGG-style
#   network {{ vgg["parameters"]:, }}.
# * In this run ({{ epochs }} epoch{{ 's' if epochs != 1 else '' }} on {{ len(x_fit):, }}
#   images) they score {{ resnet["test_flip"]:.1% }} (ResNet-20) and
#   {{ vgg["test_flip"]:.1% }} (VGG-style) with flip averaging, each give or take about
#   {{ largest_standard_error:.1%}} at most (one binomial standard error on {{ n_test:, }} test
#   images){{ short_run_note }}.
# * In the fast CIFAR-10 results the recipe mattered as much as the network: augmentation, a
#   one-cycle schedule and, later, label smoothing and flip averaging. This page does not
#   separate the two.
# * `keras.applications` builds the classic architectures for any input size; their
#   pretrained weights are a separate download.
#
# ## Exercises
#
# Do these in the downloaded notebook; each check cell says whether your answer is right.
# None of them needs training.
#
# 1. **One residual block.** How many parameters has `residual_block` with 64 filters on an
#    input of 64 channels (two 3 × 3 convolutions without bias, each followed by batch
#    normalisation's four numbers per channel, and an identity shortcut)? Set
#    `my_block_parameters`.
# 2. **Two small kernels or one large.** With 64 channels in and out, how many more kernel
#    weights (no biases) has one 5 × 5 convolution than two 3 × 3 ones? Set
#    `my_extra_weights`.
# 3. **Shapes through ResNet-20.** What is the shape of one image's feature map just before
#    ResNet-20's global average pooling, as (height, width, channels)? Set `my_shape`.

# %%
my_block_parameters = None   # exercise 1, e.g. 70_000
my_extra_weights = None      # exercise 2, e.g. 30_000
my_shape = None              # exercise 3, e.g. (16, 16, 32)

# %% tags=["hide-input"]
x_in = keras.Input(shape=(16, 16, 64))
check("exercise 1", my_block_parameters,
      keras.Model(x_in, residual_block(x_in, 64)).count_params())
check("exercise 2", my_extra_weights, 5 * 5 * 64 * 64 - 2 * 3 * 3 * 64 * 64)
check("exercise 3", my_shape, tuple(next(
    layer for layer in resnet20().layers
    if isinstance(layer, keras.layers.GlobalAveragePooling2D)).input.shape[1:]))

# %% [markdown]
# Next, [how much faster is a GPU?](../gpu_speed/): the same kind of training step, timed on
# each device of the machine.
#
# ## What this page checks

# %%
report.record("networks", len(results))
expect("networks").equals(2)
expect("resnet_parameters").between(260_000, 290_000)   # He et al.: 0.27 million
expect("resnet50_parameters").at_least(23_000_000)     # keras.applications.ResNet50, 10 classes
for key in keys.values():     # every network trained every epoch, and its loss stayed sane
    expect(f"{key}_epochs").equals(epochs)
    expect(f"{key}_final_loss").at_most(10)     # guessing scores about 2.3 at the start
if comparable:   # the previous lesson's networks, from its stored run on the same images
    report.record("stored_plain_cnn_test_accuracy", previous["baseline_test_accuracy"])
    expect("resnet_flip_test_accuracy").at_least("stored_plain_cnn_test_accuracy",
                                                 profile="full")
if cifar.provenance.subset:   # the course's 10,000-image copy
    expect("best_flip_test_accuracy").at_least(0.70, profile="full")
