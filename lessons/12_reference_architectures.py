# %% [markdown]
# # Reference architectures: VGG blocks and residual networks
#
# The tutorial's CNN was designed by hand for one tutorial. Networks that win on image
# benchmarks are built from a few small, proven blocks repeated: stacks of 3 × 3 convolutions
# with batch normalisation (the *VGG* design) and blocks with a *skip connection* (the
# *residual network*, ResNet). We first watch the problem that skip connections solve, a deep
# plain network training worse than its residual twin, then build one network of each design
# for CIFAR-10's 32 × 32 images, train them with one recipe, and set them beside the networks
# of the previous lesson: size, speed and accuracy. Then we look at the reference
# architectures that ship with Keras.

# %% [markdown]
# Previous: [regularisation](../regularisation/), whose techniques every network here uses;
# next: [how much faster is a GPU?](../gpu_speed/), which times the tutorial's CNN on this
# machine's devices.

# %% [markdown]
# How big a run this page makes. These are the values of the full run: every training image,
# 40 epochs for each of the two networks, and 4,000 images for 8 epochs for the small plain
# and residual networks that show degradation. A quick build of the site uses so few images and
# epochs that it only checks that the code runs (no network learns anything in it); the box
# at the top of the page says which ran.

# %% tags=["parameters"]
train_size = None   # training images to use (None: all of them)
test_size = None    # test images to score (None: all of them)
epochs = 40         # epochs for each network
twin_train_size = 4000   # training images of the plain network and its residual twin
twin_epochs = 8          # epochs for each of them

# %%
import logging

import keras
import matplotlib.pyplot as plt
import numpy as np

from convlab import data, machine, metrics, report, training, viz
from convlab.claims import claim
from convlab.exercises import check
from convlab.expectations import expect
from convlab.runs import same_data, stored_lesson_run

keras.utils.set_random_seed(1234)   # the same run every time

# %% tags=["hide-input"]
# Every new model traces its training step into a graph anew. When a run trains several in a
# row, TensorFlow warns that it traces often; here that is expected, so it stays quiet.
logging.getLogger("tensorflow").setLevel(logging.ERROR)
run_hardware = machine.summary()   # the machine this run was made on, for the text

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
# $F \approx 0$ and pass $x$ on, and the shortcut gives the gradient a way back to $x$ that
# does not go through $F$'s weights: the derivative of $x + F(x)$ with respect to $x$ is
# $1 + F'(x)$, so even where $F'(x)$ is tiny the 1 is left.
#
# Not quite undiminished, though, in this block: the ReLU *after* the addition passes the
# gradient back only where $x + F(x) > 0$ and stops it elsewhere, so every block still gates
# it. He et al.'s later **pre-activation** block ("Identity Mappings in Deep Residual
# Networks", 2016) moves batch normalisation and the ReLU inside $F$ and puts nothing after
# the addition, $x + F(x)$; then the shortcuts form a clean identity path from the last block
# to the first, which let them train a 1001-layer network. This page keeps the original
# block, as in ResNet-20.
#
# Where a block halves the image and doubles the channels, its first convolution has a
# stride of 2, and $x$ no longer has $F(x)$'s shape. The shortcut then goes through a 1 × 1
# convolution with the same stride (the paper's *option B*; for CIFAR-10 it padded the new
# channels with zeros instead, option A, which has no weights). One block, drawn from the
# Keras model itself:

# %%
def residual_block(x, filters, strides=1, shortcut=True):
    """ReLU(shortcut(x) + F(x)): F is conv-BN-ReLU-conv-BN. The shortcut is x itself where
    the shapes match, else a strided 1 x 1 convolution with batch normalisation. With
    ``shortcut=False`` the same layers make a plain block, ReLU(F(x))."""
    y = x
    for layer in [*conv_bn(filters, strides), relu(), *conv_bn(filters)]:
        y = layer(y)
    if not shortcut:
        return relu()(y)
    if strides != 1 or x.shape[-1] != filters:
        x = keras.layers.Conv2D(filters, (1, 1), strides=strides, use_bias=False,
                                kernel_regularizer=keras.regularizers.L2(0.0005))(x)
        x = keras.layers.BatchNormalization(momentum=0.9)(x)
    return relu()(keras.layers.Add()([x, y]))     # the ReLU after the addition


block_input = keras.Input(shape=(32, 32, 16), name="x")
block = keras.Model(block_input, residual_block(block_input, 16), name="residual_block")
diagram = keras.utils.model_to_dot(block, show_shapes=True)   # what plot_model draws
viz.show_svg(diagram.create_svg(), "one residual block: two convolutions with batch "
             "normalisation, and the skip connection that adds the input back")
print(f"one block of 16 filters: {block.count_params():,} parameters")

# %% [markdown]
# ## Degradation, seen
#
# Before building ResNet-20, we test the claim that opens this section on networks small
# enough to train here. The **plain network** is a 3 × 3 convolution of 16 filters with a
# stride of 2 (the image becomes 16 × 16 × 16), fifteen of the blocks above *without* their
# shortcut, each $\mathrm{ReLU}(F(x))$, with a 2 × 2 max pooling halfway (8 × 8 × 16), a
# global average pooling and a dense layer: $1 + 15 \cdot 2 + 1 = 32$ layers with weights.
# Its **residual twin** has the same layers, built in the same order from the same random
# seed, so it starts from the same weights; each block adds its input back,
# $\mathrm{ReLU}(x + F(x))$. Every block keeps 16 channels, so every shortcut is the identity
# and the twin has not one weight more. A third, **shallow plain network** has three blocks
# instead of fifteen (8 layers): degradation means that the deeper of two plain networks
# fits its *training* images worse, which no amount of overfitting can explain.
#
# He et al. showed it with 20 and 56 layers, 64,000 steps on 50,000 images. This page's
# budget is a few hundred steps on a processor, so the networks are narrow (16 channels,
# where ResNet-20 grows to 64) and the plain one is 32 layers deep, which already suffices to
# see it. All three keep batch normalisation after every convolution, as He et al.'s did, so
# what the figure shows is not the older trouble of signals that fade or explode through
# many layers, which batch normalisation cures: every layer's output is rescaled, and still
# the deep plain network is hard to optimise. All three train alike: on the first
# {{ twin_train_size:, }} training images, without augmentation, for {{ twin_epochs }} epochs of
# plain SGD with momentum 0.9, a constant learning rate of 0.01 and batches of 128.

# %%
def stack(blocks, shortcuts):
    """A 3 x 3 convolution of stride 2, then ``blocks`` blocks of 16 filters (with or without
    their shortcut) and a max pooling halfway, global average pooling, one dense layer."""
    keras.utils.set_random_seed(1234)        # the same initial weights for twins
    inputs = keras.Input(shape=(32, 32, 3))
    x = inputs
    for layer in [*conv_bn(16, strides=2), relu()]:                  # 16 x 16 x 16
        x = layer(x)
    for b in range(blocks):
        if b == blocks // 2:
            x = keras.layers.MaxPooling2D((2, 2))(x)                  # 8 x 8 x 16
        x = residual_block(x, 16, shortcut=shortcuts)
    x = keras.layers.GlobalAveragePooling2D()(x)
    outputs = keras.layers.Dense(10, activation="softmax")(x)
    return keras.Model(inputs, outputs)


x_twin = cifar.x_train[:twin_train_size] / 255 - 0.5
y_twin = keras.utils.to_categorical(cifar.y_train[:twin_train_size], 10)
labels_twin = y_twin.argmax(axis=1)
twins = {}


def train_twin(name, model):
    """Train with plain SGD; keep the curves and the final fit to the training images."""
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.01, momentum=0.9),
                  loss="categorical_crossentropy",
                  metrics=["accuracy", keras.metrics.CategoricalCrossentropy(name="cross_entropy")])
    log = training.EpochLog(lines=0)
    history = model.fit(x_twin, y_twin, epochs=twin_epochs, batch_size=128, verbose=0,
                        callbacks=[log])
    p = model.predict(x_twin, batch_size=500, verbose=0)        # inference mode, at the end
    twins[name] = {
        "layers": sum(isinstance(layer, (keras.layers.Conv2D, keras.layers.Dense))
                      for layer in model.layers),
        "history": history.history,
        "loss": float(-np.mean(np.log(p[np.arange(len(p)), labels_twin] + 1e-7))),
        "correct": p.argmax(axis=1) == labels_twin,
        "seconds": log.training_seconds,
    }
    t = twins[name]
    print(f"{name:>22}: {t['layers']} layers, training loss {t['loss']:.3f}, training "
          f"accuracy {t['correct'].mean():.1%}, {log.summary()}")
    return model


plain_model = train_twin("plain, 32 layers", stack(15, shortcuts=False))
twin_model = train_twin("residual twin, 32 layers", stack(15, shortcuts=True))
train_twin("plain, 8 layers", stack(3, shortcuts=False))
twin_start_differs = sum(not np.array_equal(a, b) for a, b in
                         zip(stack(15, False).get_weights(), stack(15, True).get_weights()))
print("initial weight arrays that differ between the twins:", twin_start_differs)

# %% tags=["hide-input"]
fig, axes = plt.subplots(1, 2, figsize=(9, 3.3), layout="constrained")
styles = {"plain, 8 layers": ":", "plain, 32 layers": "-", "residual twin, 32 layers": "-"}
for name, t in twins.items():
    epoch_numbers = np.arange(1, len(t["history"]["loss"]) + 1)
    for ax, key in zip(axes, ["cross_entropy", "accuracy"]):
        ax.plot(epoch_numbers, t["history"][key], styles[name], marker="o", markersize=3,
                label=name)
axes[0].axhline(np.log(10), color="grey", linewidth=0.8, linestyle="--")   # guessing
axes[0].set(xlabel="epoch", ylabel="training loss (cross-entropy)",
            title="loss on the training images")
axes[1].set(xlabel="epoch", ylabel="training accuracy", title="accuracy on the training images")
axes[1].yaxis.set_major_formatter(plt.matplotlib.ticker.PercentFormatter(1.0))
axes[1].legend()
plt.show()

# %% tags=["hide-input"]
plain32, twin32, plain8 = (twins[name] for name in twins)
twin_versus_plain = metrics.paired_comparison(twin32["correct"], plain32["correct"])
shallow_versus_deep = metrics.paired_comparison(plain8["correct"], plain32["correct"])
first_epoch = {name: t["history"]["cross_entropy"][0] for name, t in twins.items()}
claim("twin_lower_loss", "the residual twin ends with a training loss lower than the plain "
      "32-layer network's by more than 0.1", holds=twin32["loss"] < plain32["loss"] - 0.1,
      evidence=f"training loss (cross-entropy on the {len(x_twin):,} training images, "
               f"evaluated after the last epoch): residual twin {twin32['loss']:.3f}, plain "
               f"{plain32['loss']:.3f}")
claim("twin_more_accurate", "the residual twin labels more of its training images correctly "
      "than the plain 32-layer network", holds=twin_versus_plain.winner == "a",
      evidence=twin_versus_plain.evidence("residual twin", "plain", "training images"))
claim("deeper_plain_worse", "the 32-layer plain network fits its training images worse than "
      "the 8-layer one: a higher training loss and fewer of them labelled correctly",
      holds=shallow_versus_deep.winner == "a" and plain8["loss"] < plain32["loss"],
      evidence=f"training loss 8 layers {plain8['loss']:.3f}, 32 layers "
               f"{plain32['loss']:.3f}; " + shallow_versus_deep.evidence(
                   "8 layers", "32 layers", "training images"))
claim("twin_starts_higher", "in its first epoch the residual twin's training loss is higher "
      "than the plain 32-layer network's", holds=first_epoch["residual twin, 32 layers"]
      > first_epoch["plain, 32 layers"],
      evidence=f"mean cross-entropy over the first epoch: residual twin "
               f"{first_epoch['residual twin, 32 layers']:.2f}, plain "
               f"{first_epoch['plain, 32 layers']:.2f}")

# %% [markdown]
# The curves are each epoch's running mean over its batches, as `fit` reports them; the
# figures in the text are measured once more after the last epoch, on all
# {{ len(x_twin):, }} training images with the final weights and batch normalisation in its
# inference mode. After {{ twin_epochs }} epochs the residual twin's training loss is
# **{{ twin32["loss"]:.2f}}** and the plain network's **{{ plain32["loss"]:.2f }}**
# {{ claim twin_lower_loss }}; the twin labels {{ twin32["correct"].mean():.1% }} of its
# training images correctly, the plain network {{ plain32["correct"].mean():.1% }}
# {{ claim twin_more_accurate }}. And this is degradation, not overfitting: the 32-layer
# plain network fits the very images it trains on worse than the 8-layer plain network
# ({{ plain8["loss"]:.2f }}, {{ plain8["correct"].mean():.1% }})
# {{ claim deeper_plain_worse }}, though it has every layer of the shallow one and more, and
# could in principle copy the shallow one and set its extra blocks to pass their input on.
# SGD does not find that solution; with shortcuts, passing the input on is what a block does
# when $F = 0$.
#
# The twin starts worse {{ claim twin_starts_higher }}: each shortcut adds a block's output
# to what it carries, so after fifteen additions its features are large, and its first
# predictions are confidently wrong; it overtakes later, as the figures above say. The run is short,
# and a curve still falling says nothing about where it would end; He et al.'s figure 6 shows
# the plain networks' deficit lasting to the end of a long training.

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
#   confident enough. It is usually also less sure of itself on the images it gets wrong,
#   though this page does not measure that.
# * **A one-cycle learning-rate schedule**: SGD with Nesterov momentum 0.9, the learning rate
#   rising linearly from 0.01 to 0.1 over the first 5 epochs (fewer in a run too short for
#   that) and then falling on a half cosine to zero. The rise is there because the first
#   steps are the risky ones: from random weights the gradients are large and change
#   direction from batch to batch, and momentum adds them up, so a rate of 0.1 from the first
#   step can throw the weights far off, or make the loss diverge. Small steps first, large
#   ones once training is under way. The long fall lets the weights settle into a minimum.
# * **An L2 penalty** of 0.0005 on every convolution kernel (not on the dense output layer),
#   and batches of 128. Under SGD the penalty's gradient shrinks all the penalised weights by
#   the same share at a step (a share that follows the learning rate), so here it is
#   equivalent to SGD's weight decay (under Adam it would not be, as the previous lesson
#   explains). And every penalised kernel is followed by batch normalisation, which divides
#   the convolution's output by its own spread: scaling a kernel up or down leaves the
#   network's output, and so the loss, unchanged. The penalty therefore does not make the
#   network simpler; it keeps the kernels small, and a gradient step of a given size changes
#   a small kernel more, so its main effect is to raise the effective learning rate.
# * At test time, **flip averaging**: each test image is classified as it is and mirrored,
#   and the two predictions are averaged. It costs one more forward pass.

# %%
results = {}
truth = y_test.argmax(axis=1)


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
    results[name] = {
        "parameters": model.count_params(),
        # training images per second over the whole run, as the log reports it
        "images_per_second": log.images_per_second or len(x_fit) / log.epoch_seconds[-1],
        "correct_plain": plain.argmax(axis=1) == truth,           # one True/False per image
        "correct": (plain + mirrored).argmax(axis=1) == truth,    # with flip averaging
        "epochs": len(history.history["loss"]), "loss": history.history["loss"][-1],
        "history": history.history,
    }
    r = results[name]
    r["test"], r["test_flip"] = float(r["correct_plain"].mean()), float(r["correct"].mean())
    r["seconds_per_epoch"] = len(x_fit) / r["images_per_second"]
    print(f"{name:>10}: test {r['test']:.1%} (with flips {r['test_flip']:.1%}), "
          f"{log.summary()}")


train("VGG-style", vgg_style())
train("ResNet-20", resnet20())

# %% [markdown]
# ## The two networks, image by image
#
# As in the previous lesson, two networks are compared on the same test images by the
# images on which they disagree (the exact McNemar test; a split that chance would often
# give is a tie).

# %%
resnet, vgg = results["ResNet-20"], results["VGG-style"]
resnet_versus_vgg = metrics.paired_comparison(resnet["correct"], vgg["correct"])
flip_gain = {name: metrics.paired_comparison(r["correct"], r["correct_plain"])
             for name, r in results.items()}
print(resnet_versus_vgg.evidence("ResNet-20", "VGG-style"))
for name, versus in flip_gain.items():
    print(f"{name}, flip averaging: " + versus.evidence("with", "without"))

# %% tags=["hide-input"]
n_test = len(x_test)
slower = vgg["images_per_second"] / resnet["images_per_second"]
claim("resnet_not_ahead", "in this recipe ResNet-20 does not beat the VGG-style network on "
      "the test images", holds=resnet_versus_vgg.winner != "a",
      evidence=resnet_versus_vgg.evidence("ResNet-20", "VGG-style"))
claim("flip_helps", "flip averaging labels more test images correctly, for both networks",
      holds=all(versus.winner == "a" for versus in flip_gain.values()),
      evidence="; ".join(f"{name}: " + versus.evidence("with flips", "without")
                         for name, versus in flip_gain.items()))
claim("resnet_slower", "ResNet-20 trains fewer images per second than the VGG-style network "
      "on this page's machine", holds=slower > 1,
      evidence=f"{resnet['images_per_second']:,.0f} against {vgg['images_per_second']:,.0f} "
               f"training images per second (×{slower:.2f})")

# %% [markdown]
# How much arithmetic each network does per image: a convolution computes, at each of its
# output positions, one multiply-add per kernel weight, and a floating-point count takes
# two operations for each.

# %%
def forward_flops(model):
    """Floating-point operations of one image's forward pass through the convolutions and
    dense layers (batch normalisation, ReLUs, pooling and additions are left out)."""
    total = 0
    for layer in model.layers:
        if isinstance(layer, keras.layers.Conv2D):
            _, height, width, channels_out = layer.output.shape
            kh, kw = layer.kernel_size
            total += 2 * height * width * kh * kw * layer.input.shape[-1] * channels_out
        elif isinstance(layer, keras.layers.Dense):
            total += 2 * layer.input.shape[-1] * layer.units
    return total


work = {"VGG-style": forward_flops(vgg_style()), "ResNet-20": forward_flops(resnet20())}
for name, count in work.items():
    print(f"{name}: {count / 1e6:.0f} million operations per image, forward")

# %% [markdown]
# In {{ epochs }} epochs on {{ len(x_fit):, }} training images, ResNet-20 labels
# **{{ resnet["test_flip"]:.1% }}** of the {{ n_test:, }} test images correctly with flip
# averaging ({{ resnet["test"]:.1% }} without), and the VGG-style network
# **{{ vgg["test_flip"]:.1% }}** ({{ vgg["test"]:.1% }}). Depth and shortcuts do not win
# here: ResNet-20 does not beat the shallower VGG-style network
# {{ claim resnet_not_ahead }}. That is no surprise: He et al.'s own plain networks on
# CIFAR-10 trained well at twenty layers and degraded only deeper (their figure 6), so
# shortcuts buy little at this depth; what they buy is the ability to go much deeper, which
# this page does not try. Flip averaging helps both {{ claim flip_helps }}.
#
# ResNet-20 has {{ resnet["parameters"]:, }} parameters to the VGG-style network's
# {{ vgg["parameters"]:, }}, yet it trained {{ resnet["images_per_second"]:,.0f }} images a
# second against {{ vgg["images_per_second"]:,.0f }}: each epoch took ×{{ slower:.1f }} as
# long {{ claim resnet_slower }}, measured over whole epochs as the training logs above
# report them. The arithmetic is close: a forward pass costs
# {{ work["ResNet-20"] / 1e6:.0f }} million floating-point operations per image in
# ResNet-20's convolutions and dense layer and {{ work["VGG-style"] / 1e6:.0f }} million in
# the VGG-style network's. ResNet-20 spreads its work over nineteen thin convolutions of 16
# to 64 channels, each followed by batch normalisation, additions and ReLUs that read and
# write whole feature maps, and many thin layers keep a processor less busy than a few wider
# ones.

# %% tags=["hide-input"]
earlier = stored_lesson_run("regularisation")
comparable = (earlier is not None and train_size is None and test_size is None
              and same_data(earlier, "cifar10", cifar.provenance.fingerprint))
previous = earlier["results"] if comparable else {}     # its report.record values by name
# which test images its models got right, where that run recorded them
previous_correct = earlier.get("correct", {}) if comparable else {}
previous_epochs = (f"{earlier['results']['combined_epochs']:.0f} epochs" if earlier
                   else "the number of epochs that lesson sets")
if not comparable:
    print("The previous lesson's stored full run is missing (a notebook opened outside the "
          "course's repository), or this run's images differ from it: its rows are left out.")

# %% [markdown]
# ## Beside the previous lesson's networks
#
# The previous lesson trained the tutorial's network with Adam, plain and with every
# regulariser combined, for {{ previous_epochs }} in its stored full run. Rather than train
# them again, this page reads their figures
# from that lesson's stored full run, when there is one made on the same test images; the
# page is built again whenever that run changes.

# %% tags=["hide-input"]
rows = []
if comparable:
    for name, key in [("tutorial CNN, plain (lesson 11)", "baseline"),
                      ("tutorial CNN, combined (lesson 11)", "combined")]:
        flipped = key == "combined"      # the previous lesson flip-averages only this one
        rows.append({"name": name, "parameters": previous[f"{key}_parameters"],
                     "seconds_per_epoch": previous[f"{key}_seconds_per_epoch"],
                     "epochs": int(previous[f"{key}_epochs"]),
                     "test": previous["combined_unflipped_test_accuracy" if flipped
                                     else f"{key}_test_accuracy"],
                     "test_flip": previous[f"{key}_test_accuracy"] if flipped else None})
rows += [{"name": name, **r} for name, r in results.items()]
for r in rows:
    r["minutes"] = r["seconds_per_epoch"] * r["epochs"] / 60
report.markdown(report.markdown_table(
    ["network", "params", "epochs", "s/epoch", "training (min)", "test", "flipped"],
    [[r["name"], f"{r['parameters']:,.0f}", r["epochs"], f"{r['seconds_per_epoch']:.1f}",
      f"{r['minutes']:.0f}", f"**{r['test']:.1%}**",
      "" if r["test_flip"] is None else f"{r['test_flip']:.1%}"] for r in rows],
))
viz.model_comparison([r["name"] for r in rows], [r["parameters"] for r in rows],
                     [r["seconds_per_epoch"] for r in rows],
                     [r["test"] if r["test_flip"] is None else r["test_flip"] for r in rows],
                     title=f"CIFAR-10, {len(x_fit):,} training images")
plt.show()

# %% tags=["hide-input"]
combined = previous.get("combined_test_accuracy", float("nan"))


def versus_combined(name):
    """(whether network ``name`` beats lesson 11's combined model, the evidence): image by
    image where that run kept which images it got right, else by the rule of thumb."""
    if not comparable:
        return False, "no comparable stored run of the previous lesson"
    if "combined" in previous_correct:
        versus = metrics.paired_comparison(results[name]["correct"], previous_correct["combined"])
        return versus.winner == "a", versus.evidence(name, "lesson 11's combined model")
    ours = results[name]["test_flip"]
    margin = metrics.noise_margin(ours, combined, n_test)
    return ours - combined > margin, (
        f"{name} {ours:.1%} against lesson 11's combined model {combined:.1%} on the same "
        f"{n_test:,} test images; its stored run did not keep which images it got right, so "
        f"by the rule of thumb: the difference must exceed {100 * margin:.1f} points")


both = [versus_combined(name) for name in results]
claim("both_beat_combined", f"both networks of this page, after their {epochs} epochs, label "
      "more test images correctly than the previous lesson's combined model"
      + (f" after its {previous_epochs}" if earlier else ""),
      holds=all(holds for holds, _ in both), evidence="; ".join(text for _, text in both))
share = {name: r["parameters"] / previous.get("combined_parameters", float("nan"))
         for name, r in results.items()}
minutes = {r["name"]: r["minutes"] for r in rows}
earlier_when = f"{earlier['executed_at']}, {earlier['hardware']}" if earlier else "none found"
previous_minutes = (previous.get("combined_seconds_per_epoch", float("nan"))
                    * previous.get("combined_epochs", float("nan")) / 60)

# %% [markdown]
# Both networks of this page label more test images correctly than the previous lesson's
# combined model ({{ combined:.1% }}) {{ claim both_beat_combined }}, with fewer parameters:
# {{ share["VGG-style"]:.0% }} (VGG-style) and {{ share["ResNet-20"]:.0% }} (ResNet-20) of
# its {{ previous.get("combined_parameters", float("nan")):,.0f }}. It is not an even
# contest, and the table says why: they trained for {{ epochs }} epochs, about
# {{ minutes["VGG-style"]:.0f }} and {{ minutes["ResNet-20"]:.0f }} minutes, the combined
# model for {{ previous_epochs }}, about
# {{ previous_minutes:.0f }} minutes (timed in its own run, at batches of 32), and with
# another optimiser and schedule. So the difference belongs to the architectures and the
# longer recipe together; this page does not separate the two. The previous lesson's rows
# come from its stored full run ({{ earlier_when }}), where only the combined model's score
# was flip-averaged.

# %%
# Published test accuracies on all of CIFAR-10, with their sources in the prose below.
published = {"ResNet-20": 0.9125,    # He et al. 2015, table 6: 8.75% error
             "ResNet-110": 0.9357,   # the same table, best of five runs: 6.43% error
             "ResNet-9": 0.94}       # D. Page, "How to train your ResNet" (2018), 24 epochs

# %% [markdown]
# ## What these networks reach elsewhere
#
# Trained on all 50,000 training images for 164 epochs (64,000 steps of 128 images), He et al.
# report {{ published["ResNet-20"]:.2% }} test accuracy for ResNet-20 ("Deep Residual Learning
# for Image Recognition", 2015, table 6), and deeper versions of it do better, up to
# {{ published["ResNet-110"]:.2% }} for ResNet-110 (the best of five runs). David Page's
# ResNet-9, with 6.5 million parameters (64, 128, 256 and 512 channels), reached
# {{ published["ResNet-9"]:.0% }} in 24 epochs ("How to train your ResNet", Myrtle.ai, 2018),
# with batches of 512, a schedule of straight lines, pad-and-crop and *cutout* augmentation
# and half precision on a GPU; it is the design later fast-training work, such as Keller
# Jordan's *airbench*, built on. It is too slow for the machine this page's run was made on
# ({{ run_hardware }}), which is why this page trains smaller networks. Those figures are
# for 50,000 training images and this page's run uses {{ len(x_fit):, }} (the
# {{ len(cifar.x_train):, }} training images it found, less the validation share):
# with fewer examples of each class a network reaches less, and their recipes differ too, so
# they are targets, not something this page's recipe has been shown to reach.

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
# for 224 × 224 photographs: its first layers, a 7 × 7 convolution of stride 2 and a max
# pooling of stride 2, shrink the image by 4 at once, and each of its last three stages
# halves it again (exercise 3 asks what is left of a 32 × 32 image at the end). This page
# does not train it, so it shows nothing about how well it would do on CIFAR-10; those who
# adapt it to small images usually replace its first layers with a 3 × 3 convolution of
# stride 1 and drop the first pooling, so that the image is not shrunk before the blocks see
# it.
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
# * Deeper is not automatically better: a 32-layer plain network fitted its own training
#   images worse than an 8-layer one, and worse than its residual twin, which differs only by
#   its identity shortcuts. That is degradation, a difficulty of optimisation.
# * A shortcut lets the gradient skip a block's weights; in the original block a ReLU after
#   the addition still gates it, which the pre-activation block removes.
# * At twenty layers the residual network does not beat the VGG-style one in this recipe, and
#   it is slower per image on a processor: parameters are not a measure of work.
# * In the fast CIFAR-10 results the recipe mattered as much as the network: augmentation, a
#   one-cycle schedule and, later, label smoothing and flip averaging. This page does not
#   separate the two.
# * `keras.applications` builds the classic architectures for any input size; their
#   pretrained weights are a separate download.
#
# ## Exercises
#
# Do these in the downloaded notebook; each check cell says whether your answer is right, and
# on the page each answer is folded under its exercise. Only the last one trains a network.
#
# 1. **One residual block.** How many parameters has `residual_block` with 64 filters on an
#    input of 64 channels (two 3 × 3 convolutions without bias, each followed by batch
#    normalisation's four numbers per channel, and an identity shortcut)? Set
#    `my_block_parameters`.
# 2. **Two small kernels or one large.** With 64 channels in and out, how many more kernel
#    weights (no biases) has one 5 × 5 convolution than two 3 × 3 ones? Set
#    `my_extra_weights`.
# 3. **What ResNet50 leaves of a small image.** Predict the shape of the feature map that
#    `resnet50` above hands to its global average pooling for one 32 × 32 image, as (height,
#    width, channels); its last stage has 2,048 channels. Set `my_shape`, then check with
#    `resnet50.get_layer("avg_pool").input.shape`.
# 4. **Predict, then run: deeper still.** Give the plain network of the degradation
#    experiment thirty blocks instead of fifteen (62 layers) and train it exactly as the
#    others. Will its training loss after {{ twin_epochs }} epochs be higher or lower than the
#    32-layer plain network's ({{ plain32["loss"]:.2f }})? Set `my_deeper` to `"higher"` or
#    `"lower"`; the check cell trains it, for longer than the 32-layer network took, as it has
#    62 layers against 32.

# %%
my_block_parameters = None   # exercise 1, e.g. 70_000
my_extra_weights = None      # exercise 2, e.g. 30_000
my_shape = None              # exercise 3, e.g. (16, 16, 32)
my_deeper = None             # exercise 4: "higher" or "lower"

# %% tags=["hide-input"]
x_in = keras.Input(shape=(16, 16, 64))
check("exercise 1", my_block_parameters,
      keras.Model(x_in, residual_block(x_in, 64)).count_params(),
      explain="Each convolution has 3 × 3 × 64 × 64 = 36,864 weights and each batch "
              "normalisation 4 × 64 = 256 numbers (scale, shift and the two running "
              "averages): 2 × (36,864 + 256). The identity shortcut has none.")
check("exercise 2", my_extra_weights, 5 * 5 * 64 * 64 - 2 * 3 * 3 * 64 * 64,
      explain="One 5 × 5 convolution has 25 × 64 × 64 = 102,400 weights, two 3 × 3 ones "
              "2 × 9 × 64 × 64 = 73,728; they see the same 5 × 5 patch.")
check("exercise 3", my_shape, tuple(resnet50.get_layer("avg_pool").input.shape[1:]),
      explain="The first convolution and pooling take 32 to 8, and the third, fourth and "
              "fifth stages each halve it: 4, 2, 1. The last blocks see one pixel, where "
              "a 224 × 224 photograph leaves 7 × 7.")

# %% tags=["hide-input"]
train_twin("plain, 62 layers", stack(30, shortcuts=False))
plain62 = twins["plain, 62 layers"]
check("exercise 4", my_deeper, "higher" if plain62["loss"] > plain32["loss"] else "lower",
      explain=f"after {twin_epochs} epochs the 62-layer plain network's training loss is "
              f"{plain62['loss']:.2f} and it labels {plain62['correct'].mean():.1%} of its "
              f"training images correctly, against {plain32['loss']:.2f} and "
              f"{plain32['correct'].mean():.1%} at 32 layers and {plain8['loss']:.2f} and "
              f"{plain8['correct'].mean():.1%} at 8. Without shortcuts every added block is "
              "one more layer the gradient must pass through to reach the first ones.")

# %% [markdown]
# Next, [how much faster is a GPU?](../gpu_speed/): the same kind of training step, timed on
# each device of the machine.
#
# ## What this page checks

# %%
keys = {"VGG-style": "vgg", "ResNet-20": "resnet"}
for name, key in keys.items():
    report.record(f"{key}_parameters", results[name]["parameters"])
    report.record(f"{key}_test_accuracy", results[name]["test"])
    report.record(f"{key}_flip_test_accuracy", results[name]["test_flip"])
    report.record(f"{key}_epochs", results[name]["epochs"])
    report.record(f"{key}_seconds_per_epoch", results[name]["seconds_per_epoch"])
    report.record(f"{key}_images_per_second", results[name]["images_per_second"],
                  quantity="number", better="higher")
    report.record(f"{key}_final_loss", results[name]["loss"])   # a diverged run is NaN
for key, name in [("plain", "plain, 32 layers"), ("twin", "residual twin, 32 layers"),
                  ("shallow_plain", "plain, 8 layers"), ("plain62", "plain, 62 layers")]:
    report.record(f"{key}_train_loss", twins[name]["loss"])
    report.record(f"{key}_train_accuracy", float(twins[name]["correct"].mean()))
    report.record(f"{key}_layers", twins[name]["layers"])
    report.record(f"{key}_epochs", len(twins[name]["history"]["loss"]))
report.record("twin_start_differences", twin_start_differs)
best = max(results, key=lambda name: results[name]["test_flip"])
report.record("best_flip_test_accuracy", results[best]["test_flip"])
report.record("networks", len(results))
expect("networks").equals(2)
expect("resnet_parameters").between(260_000, 290_000)   # He et al.: 0.27 million
expect("resnet50_parameters").at_least(23_000_000)     # keras.applications.ResNet50, 10 classes
# degradation: the plain network and its residual twin, and a shallow plain network
expect("plain_layers").equals(32)
expect("twin_layers").equals(32)
expect("shallow_plain_layers").equals(8)
expect("twin_start_differences").equals(0)      # the twins start from the same weights
for key in ["plain", "twin", "shallow_plain", "plain62"]:
    expect(f"{key}_epochs").equals(twin_epochs)
    # measured in inference mode: after a quick run's few steps batch normalisation's
    # running averages are still far off, and so is this loss
    expect(f"{key}_train_loss").at_most(10, profile="full")
expect("twin_train_loss").at_most("plain_train_loss", profile="full")
expect("twin_train_accuracy").at_least("plain_train_accuracy", plus=0.05, profile="full")
expect("shallow_plain_train_accuracy").at_least("plain_train_accuracy", profile="full")
for key in keys.values():     # every network trained every epoch, and its loss stayed sane
    expect(f"{key}_epochs").equals(epochs)
    expect(f"{key}_final_loss").at_most(10)     # guessing scores about 2.3 at the start
if comparable:   # the previous lesson's networks, from its stored run on the same images
    report.record("stored_plain_cnn_test_accuracy", previous["baseline_test_accuracy"])
    expect("resnet_flip_test_accuracy").at_least("stored_plain_cnn_test_accuracy",
                                                 profile="full")
if cifar.provenance.subset:   # the course's 10,000-image copy
    expect("best_flip_test_accuracy").at_least(0.70, profile="full")
