# %% [markdown]
# # A CNN on CIFAR-10
#
# The dense baseline flattened every photograph into a list of numbers. Here we train the
# tutorial's convolutional network on the same CIFAR-10 images: six 3 × 3 convolution layers
# in three pairs, two pooling layers and a small dense head. We see why its first epochs
# are flat, compare it with the dense network on the same test images, and watch the
# next problem appear: *overfitting*, the network fitting its training images ever better
# while it stops getting better on new ones.
#
# It builds on four lessons: [the dense baseline](../dense_baseline/) (lesson 02, the figure
# to beat), [convolution](../convolution/) (lesson 03), [padding, stride and
# pooling](../padding_stride_pooling/) (lesson 04) and [tracing
# shapes](../tracing_shapes/) (lesson 05, the shapes and parameter counts used below).

# %% [markdown]
# How big a run this page makes. These are the values of the full run: the tutorial's 80
# epochs on every training image of this course's copy of CIFAR-10; a quick build of the
# site uses fewer images and epochs, and the box at the top of the page says which ran.

# %% tags=["parameters"]
train_size = None   # training images to use (None: all of them)
epochs = 80

# %%
import keras
import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf

from convlab import data, machine, metrics, report, style, training, viz
from convlab.claims import claim
from convlab.exercises import check
from convlab.keep import keep_model
from convlab.expectations import expect
from convlab.references import tutorial
from convlab.runs import same_data, stored_lesson_run

keras.utils.set_random_seed(1234)   # the same run every time

# %% [markdown]
# ## The data
#
# As before, pixels are scaled to $x/255 - 0.5$ and labels become one-hot vectors.

# %%
cifar = data.load("cifar10")
x_train = cifar.x_train[:train_size] / 255 - 0.5
y_train = keras.utils.to_categorical(cifar.y_train[:train_size], 10)
x_test = cifar.x_test / 255 - 0.5
y_test = keras.utils.to_categorical(cifar.y_test, 10)
print("training", x_train.shape, "test", x_test.shape)

# %% [markdown]
# This course's copy of CIFAR-10 has {{ len(cifar.x_train):, }} training and
# {{ len(cifar.x_test):, }} test images; the tutorial trained on all 50,000 training images of
# the official set.

# %% [markdown]
# ## The network
#
# Three blocks of two convolutions each, with 64, 32 and 16 filters of 3 × 3 pixels,
# `padding="same"` so that a convolution keeps the image's size, and the ReLU activation
# $\max(0, z)$. Max pooling halves the size after the first two blocks:
# 32 × 32 → 16 × 16 → 8 × 8. The last block leaves 8 × 8 × 16 = 1,024 numbers, which a
# dense head of 512 and 64 units turns into ten class probabilities. We write the network as
# a function, because later on this page we train a second copy of it.
#
# A convolution with a $k \times k$ kernel, $c_\text{in}$ input channels and $c_\text{out}$
# filters has $(k^2 c_\text{in} + 1)\, c_\text{out}$ parameters, however large the image.

# %%
def build_cnn():
    return keras.Sequential([
        keras.Input(shape=(32, 32, 3)),
        keras.layers.Conv2D(64, (3, 3), padding="same", activation="relu"),   # 32 x 32 x 64
        keras.layers.Conv2D(64, (3, 3), padding="same", activation="relu"),
        keras.layers.MaxPooling2D((2, 2)),                                     # 16 x 16 x 64
        keras.layers.Conv2D(32, (3, 3), padding="same", activation="relu"),   # 16 x 16 x 32
        keras.layers.Conv2D(32, (3, 3), padding="same", activation="relu"),
        keras.layers.MaxPooling2D((2, 2)),                                     # 8 x 8 x 32
        keras.layers.Conv2D(16, (3, 3), padding="same", activation="relu"),   # 8 x 8 x 16
        keras.layers.Conv2D(16, (3, 3), padding="same", activation="relu"),
        keras.layers.Flatten(),                                                # 1024
        keras.layers.Dense(512, activation="relu"),
        keras.layers.Dense(64, activation="relu"),
        keras.layers.Dense(10, activation="softmax"),
    ])


model = build_cnn()
model.summary()
# The dense baseline of lesson 02: 3,072 inputs, then 1024, 512, 256, 128, 64 and 10 units.
widths = [32 * 32 * 3, 1024, 512, 256, 128, 64, 10]
dense_parameters = sum((n + 1) * m for n, m in zip(widths, widths[1:]))

# %% [markdown]
# {{ model.count_params():, }} parameters, {{ model.count_params() / dense_parameters:.0%}} of
# [the dense baseline](../dense_baseline/)'s {{ dense_parameters:, }}, and most of them
# ({{ model.layers[-3].count_params():, }}) in the first dense layer. The six convolutions
# together hold only {{ sum(layer.count_params() for layer in model.layers[:8]):, }}: the same
# few 3 × 3 kernels slide over every position of the image.
#
# ## Before training: a uniform guess
#
# Keras starts each layer from random weights (its default, Glorot's uniform
# initialisation) and zero biases. We pass a few hundred training images through the
# untrained network and measure how large the numbers are after each layer, and how large
# the gradient of the loss is for each layer's weights.

# %%
probe = keras.Model(model.inputs, [layer.output for layer in model.layers])
activations = probe.predict(x_train[:500], verbose=0)
for layer, values in zip(model.layers, activations):
    print(f"{layer.name:>16}  {str(values.shape[1:]):>14}  std {values.std():.4f}")
untrained = activations[-1]                  # the softmax's ten probabilities per image
right_class = untrained[np.arange(len(untrained)), y_train[:500].argmax(axis=1)]
untrained_loss = float(-np.log(right_class).mean())   # cross-entropy: -log p(right class)
shrink = float(x_train[:500].std() / activations[-2].std())   # input against last hidden layer
spread = [x_train[:500].std()] + [values.std() for values in activations[:-1]]
first_shrink = spread[0] / spread[1]         # what the first convolution does to the spread
later_shrink = max(a / b for a, b in zip(spread[1:], spread[2:]))   # the most any other does
pooling_raises = all(spread[i + 1] > spread[i] for i, layer in enumerate(model.layers)
                     if isinstance(layer, keras.layers.MaxPooling2D))

# The gradient of the loss for each layer's kernel, on the same images, before any training.
with tf.GradientTape() as tape:
    start_loss = keras.ops.mean(keras.losses.categorical_crossentropy(y_train[:500],
                                                                       model(x_train[:500])))
weighted = [layer for layer in model.layers if layer.weights]
gradients = tape.gradient(start_loss, [layer.kernel for layer in weighted])
relative_gradient = [float(np.sqrt(np.mean(g.numpy() ** 2))
                           / np.sqrt(np.mean(layer.kernel.numpy() ** 2)))
                     for layer, g in zip(weighted, gradients)]
step_change = 0.001 * 2 * max(relative_gradient)   # learning rate x about 2 with momentum 0.5

# %% tags=["hide-input"]
fig, (ax_spread, ax_grad) = plt.subplots(1, 2, figsize=(7.4, 3), layout="constrained")
names = ["input"] + [layer.name for layer in model.layers[:-1]]
ax_spread.semilogy(range(len(spread)), spread, "o-")
ax_spread.set_xticks(range(len(spread)), names, rotation=90, fontsize=7)
ax_spread.set_ylabel("standard deviation")
ax_spread.set_title("the numbers after each layer")
ax_grad.semilogy(range(len(weighted)), relative_gradient, "o-", color="tab:orange")
ax_grad.set_xticks(range(len(weighted)), [layer.name for layer in weighted], rotation=90,
                   fontsize=7)
ax_grad.set_ylabel("gradient size / weight size")
ax_grad.set_title("each layer's gradient at the start")
style.describe(fig, "left: the standard deviation of the numbers after each layer of the "
                    "untrained network, on a log scale, falling from the input to the last "
                    "hidden layer; right: for each layer with weights, the size of the loss's "
                    "gradient relative to the size of its weights, before training")
plt.show()

# %%
claim("starts_at_chance",
      "before training the network gives every class nearly the same probability, so its "
      "loss is that of a uniform guess, ln 10",
      holds=abs(untrained_loss - np.log(10)) < 0.01 and untrained.min() > 0.05
      and untrained.max() < 0.15,
      evidence=f"untrained loss {untrained_loss:.4f} against ln 10 = {np.log(10):.4f}; "
               f"probabilities between {untrained.min():.3f} and {untrained.max():.3f}")
claim("signal_shrinks",
      "with the default initialisation the numbers shrink overall through the layers (max "
      "pooling raises their spread slightly): the last hidden layer's are more than 10 times "
      "smaller than the input's",
      holds=shrink > 10 and pooling_raises,
      evidence=f"standard deviation {x_train[:500].std():.3f} at the input, "
               f"{activations[-2].std():.4f} after the last hidden layer ({shrink:.0f} times "
               "smaller); after each pooling layer: "
               + ", ".join(f"{spread[i]:.4f} to {spread[i + 1]:.4f}"
                           for i, layer in enumerate(model.layers)
                           if isinstance(layer, keras.layers.MaxPooling2D)))
claim("start_gradients_tiny",
      "before training, one SGD step changes no layer's weights by more than 0.01% of their "
      "size",
      holds=step_change < 1e-4,
      evidence="gradient size relative to weight size, layer by layer: "
               + ", ".join(f"{r:.1e}" for r in relative_gradient)
               + f"; times the learning rate 0.001 and about 2 for momentum: {step_change:.1e}")
claim("first_layer_shrinks_most",
      "the first convolution shrinks the spread more than any other layer below the softmax",
      holds=first_shrink > later_shrink,
      evidence=f"the first convolution divides the spread by {first_shrink:.1f}; no later "
               f"layer by more than {later_shrink:.1f}")

# %% [markdown]
# The input's pixels spread with a standard deviation of {{ x_train[:500].std():.2f }}; after
# the last hidden layer the spread is {{ shrink:.0f }} times smaller: the numbers shrink
# overall, though each max pooling, which keeps the largest of four, raises the spread a
# little {{ claim signal_shrinks }}. Glorot's initialisation keeps the spread roughly steady
# through a layer without an activation that has as many inputs as outputs; a ReLU sets
# about half its inputs to zero, so each layer passes on less. The first convolution
# shrinks the signal most: it divides the spread by {{ first_shrink:.1f }}
# {{ claim first_layer_shrinks_most }}. Its filters read 3 × 3 × 3 = 27 numbers and write
# 64 channels, and Glorot's rule scales its weights for the average of its inputs and
# outputs (27 and 3 × 3 × 64 = 576), far too small for its few inputs.
# What reaches the softmax is nearly zero for every class, so every class gets a probability
# close to 1/10, whatever the image: the untrained loss is
# {{ untrained_loss:.4f }}, the $\ln 10 = {{ np.log(10):.4f }}$ of a uniform guess
# {{ claim starts_at_chance }}. The gradients that flow back through such small numbers are
# small too (the right panel): for every layer the gradient is a small fraction of the
# weights' size, so one step of the SGD below, at learning rate 0.001, changes no layer's
# weights by more than {{ 100 * step_change:.4f }}% {{ claim start_gradients_tiny }}. That
# will matter in a moment.
#
# ## Training
#
# The tutorial's recipe: stochastic gradient descent with learning rate 0.001 and momentum
# 0.5, categorical cross-entropy and batches of 32 (Keras's default). `validation_split=0.15`
# holds out, for validation, the last 0.15 of the training arrays as one block, taken before
# any shuffling (Keras shuffles only the rest between epochs).

# %%
model.compile(
    optimizer=keras.optimizers.SGD(learning_rate=0.001, momentum=0.5),
    loss="categorical_crossentropy",
    metrics=["accuracy"],
)
log = training.EpochLog(lines=10)   # about ten lines, however many epochs
history = model.fit(x_train, y_train, epochs=epochs, batch_size=32, validation_split=0.15,
                    verbose=0, callbacks=[log])
hardware = machine.summary()                # where this run was made

# %% [markdown]
# The run: {{ len(log.epoch_seconds) }} epochs in {{ log.seconds:,.0f }} s on
# {{ hardware }}, {{ log.images_per_second:,.0f }} training images a second, on
# {{ log.samples[0]:, }} training images per epoch, with
# {{ len(x_train) - log.samples[0]:, }} held out for validation. In the figure the dashed line
# is the tutorial's test accuracy, after 80 epochs on its 50,000 training images.

# %%
viz.plot_history(history, references={"accuracy": tutorial("cifar10_cnn.test_accuracy")})
plt.show()

# %%
loss_curve = np.array(history.history["loss"])
train_curve = np.array(history.history["accuracy"])
val_curve = np.array(history.history["val_accuracy"])
val_loss_curve = np.array(history.history["val_loss"])
best_epoch = int(val_curve.argmax()) + 1                 # highest validation accuracy
lowest_loss_epoch = int(val_loss_curve.argmin()) + 1     # lowest validation loss
gap = train_curve - val_curve
steps_per_epoch = int(np.ceil(log.samples[0] / 32))
flat_epochs = 5
claim("slow_start",
      f"for the first {flat_epochs} epochs the training loss stays above 2.2, close to the "
      "uniform guess's ln 10",
      holds=len(loss_curve) >= flat_epochs and bool(np.all(loss_curve[:flat_epochs] > 2.2)),
      evidence="training loss of the first epochs: "
               + ", ".join(f"{v:.3f}" for v in loss_curve[:flat_epochs]))
claim("sgd_gap", "by the last epoch training accuracy is more than 5 points above "
      "validation accuracy", holds=gap[-1] > 0.05,
      evidence=f"training {train_curve[-1]:.1%}, validation {val_curve[-1]:.1%} after epoch "
               f"{len(gap)}")
claim("sgd_val_loss_turns",
      "the validation loss reaches its lowest at least 5 epochs before the end and then rises",
      holds=lowest_loss_epoch <= len(val_loss_curve) - 5
      and val_loss_curve[-1] > val_loss_curve.min() + 0.02,
      evidence=f"lowest {val_loss_curve.min():.3f} after epoch {lowest_loss_epoch} of "
               f"{len(val_loss_curve)}, last {val_loss_curve[-1]:.3f}")
window = min(10, len(val_curve) // 2)        # 10 epochs, fewer in a short run
last_ten, ten_before = slice(-window, None), slice(-2 * window, -window)
val_gain_late = val_curve[last_ten].mean() - val_curve[ten_before].mean()
train_gain_late = train_curve[last_ten].mean() - train_curve[ten_before].mean()
claim("sgd_val_levels_off",
      "over the last 10 epochs validation accuracy has levelled off (its mean gains less "
      "than 2 points on the 10 epochs before) while training accuracy still climbs (more than "
      "2 points)",
      holds=window == 10 and val_gain_late < 0.02 and train_gain_late > 0.02,
      evidence=f"mean over the last {window} epochs against the {window} before: validation "
               f"{val_curve[last_ten].mean():.1%} against {val_curve[ten_before].mean():.1%}, "
               f"training {train_curve[last_ten].mean():.1%} against "
               f"{train_curve[ten_before].mean():.1%}; {len(val_curve)} epochs in all")

# %% [markdown]
# ### Why the first epochs are flat
#
# For its first {{ flat_epochs }} epochs the training loss stays close to the uniform guess's
# {{ np.log(10):.3f }} {{ claim slow_start }}; it ends epoch 1 at {{ loss_curve[0]:.3f }}.
# Nothing is broken. SGD moves each weight by the learning rate times its gradient, and with
# momentum 0.5 about twice that once the steps agree: 0.002 times a gradient that, as
# measured above, is tiny {{ claim start_gradients_tiny }}. Each epoch makes
# {{ steps_per_epoch:, }} such steps, each changing the weights by a sliver of their size, so
# many steps pass before the network's outputs move away from 1/10 and the gradients grow.
# Then the loss falls steadily. A larger learning rate, an initialisation
# suited to ReLU (`kernel_initializer="he_normal"`), or an optimiser that scales each step
# to its gradient's typical size (Adam, below) all shorten this flat start.
#
# ### Where training and validation part
#
# The two curves are not measured alike. Keras's training accuracy and loss are running
# means over the epoch's batches, each batch scored just before its step, while the weights
# are still changing: they describe the network as it was, on average, during the epoch.
# The validation figures are measured once, with the weights at the end of the epoch, on
# images the network never trains on. Early in training, when the network improves quickly,
# this can put the training figures a little behind the validation ones; later, the gap
# between them is mostly the difference between images the network has fitted and new ones.
# By the last epoch training accuracy is {{ train_curve[-1]:.1% }} and validation accuracy
# {{ val_curve[-1]:.1% }}, a gap of {{ 100 * gap[-1]:.1f }} points {{ claim sgd_gap }}.
# The validation loss was lowest after epoch {{ lowest_loss_epoch }}
# ({{ val_loss_curve.min():.3f }}) and ended higher, at {{ val_loss_curve[-1]:.3f }}
# {{ claim sgd_val_loss_turns }}. Validation *accuracy* did not fall, but it has levelled
# off: over the last {{ window }} epochs it averaged {{ val_curve[last_ten].mean():.1% }},
# against {{ val_curve[ten_before].mean():.1% }} over the {{ window }} before, while training
# accuracy rose from {{ train_curve[ten_before].mean():.1% }} to
# {{ train_curve[last_ten].mean():.1% }} {{ claim sgd_val_levels_off }}. (One epoch's
# validation accuracy, on {{ len(x_train) - log.samples[0]:, }} images, is uncertain by more
# than a point either way, so which single epoch scored best, epoch {{ best_epoch }} here,
# says little.)
#
# How can the loss rise while the accuracy does not fall? Accuracy only asks whether the
# right class gets the highest probability; the cross-entropy also asks how confident the
# network is. Late in training the network grows more confident on the training images, and
# on the validation images it gets wrong it is now confidently wrong, which costs more loss
# than the few images it newly gets right save. A rising validation loss is the first sign
# of overfitting; with this slow recipe, 80 epochs only reach its beginning.
#
# Why so slow, when the tutorial's curves part around epoch
# {{ tutorial("cifar10_cnn.curves_part_epoch"):.0f }}? An epoch is one pass over the training
# images, and this course's copy has a fifth of the tutorial's: {{ steps_per_epoch:, }} steps
# per epoch here against {{ int(np.ceil(50_000 * 0.85 / 32)):, }} there. This run's
# {{ len(loss_curve) }} epochs make {{ len(loss_curve) * steps_per_epoch:, }} steps, as many
# as {{ len(loss_curve) * steps_per_epoch / np.ceil(50_000 * 0.85 / 32):.1f }} of the
# tutorial's epochs.

# %% [markdown]
# ## Overfitting in a short run: the same network with Adam
#
# To see overfitting in full without a much longer run, we train a second copy of the same
# network from the same starting weights (the same seed), changing only the optimiser: Adam
# at its usual learning rate of 0.001. Adam divides each weight's step by a running estimate
# of that weight's gradient size, so a weight moves by up to about the learning rate at each
# step, however small its gradient: the flat start disappears. We train it for 12 epochs
# (a quick build trains it for as many epochs as the run above).

# %%
keras.utils.set_random_seed(1234)             # the same starting weights as the SGD run
fast = build_cnn()
fast.compile(optimizer=keras.optimizers.Adam(learning_rate=0.001),
             loss="categorical_crossentropy", metrics=["accuracy"])
fast_epochs = min(12, epochs)                # 12, or fewer in a shorter run
fast_log = training.EpochLog()
fast_history = fast.fit(x_train, y_train, epochs=fast_epochs, batch_size=32,
                        validation_split=0.15, verbose=0, callbacks=[fast_log])
viz.plot_history(fast_history)
plt.show()

# %% tags=["hide-input"]
# The two optimisers side by side, over the Adam run's epochs: the same network, the same
# starting weights.
fig, ax = plt.subplots(figsize=(5.2, 3), layout="constrained")
shown = np.arange(1, fast_epochs + 1)
for name, run, colour in (("SGD", history, "tab:blue"), ("Adam", fast_history, "tab:orange")):
    ax.plot(shown, run.history["loss"][:fast_epochs], "-", color=colour,
            label=f"{name}, training")
    ax.plot(shown, run.history["val_loss"][:fast_epochs], "--", color=colour,
            label=f"{name}, validation")
ax.axhline(np.log(10), color="grey", linewidth=0.8, label="uniform guess, ln 10")
ax.set_xlabel("epoch")
ax.set_ylabel("loss")
ax.set_title("SGD and Adam from the same starting weights")
ax.legend(fontsize="small")
plt.show()

# %%
fast_train = np.array(fast_history.history["accuracy"])
fast_val = np.array(fast_history.history["val_accuracy"])
fast_val_loss = np.array(fast_history.history["val_loss"])
fast_gap = fast_train[-1] - fast_val[-1]
fast_lowest = int(fast_val_loss.argmin()) + 1
half = len(fast_train) // 2                   # the last epoch of the first half
train_gain = fast_train[-1] - fast_train[half - 1]
first_best = fast_val[:half].max(initial=0)   # best validation accuracy of each half
second_best = fast_val[half:].max(initial=0)
val_gain = second_best - first_best
claim("adam_starts_fast",
      "Adam's first epoch ends at a clearly lower training loss than SGD's, from the same "
      "starting weights",
      holds=fast_history.history["loss"][0] < loss_curve[0] - 0.1,
      evidence=f"training loss after epoch 1: Adam {fast_history.history['loss'][0]:.3f}, "
               f"SGD {loss_curve[0]:.3f}")
claim("adam_gap", "after the Adam run's last epoch training accuracy is more than 20 points "
      "above validation accuracy", holds=fast_gap > 0.20,
      evidence=f"training {fast_train[-1]:.1%}, validation {fast_val[-1]:.1%} after epoch "
               f"{len(fast_train)}")
claim("adam_stops_generalising",
      "over the second half of the Adam run training accuracy rises by more than 10 points, "
      "while the best validation accuracy of the second half is less than 3 points above the "
      "best of the first",
      holds=len(fast_train) >= 6 and train_gain > 0.10 and val_gain < 0.03,
      evidence=f"training {fast_train[half - 1]:.1%} after epoch {half}, {fast_train[-1]:.1%} "
               f"after epoch {len(fast_train)}; best validation {first_best:.1%} "
               f"in epochs 1-{half}, {second_best:.1%} after")
claim("adam_val_loss_rises",
      "the Adam run's validation loss reaches its lowest at least 4 epochs before the end "
      "and ends more than 20% above that lowest value",
      holds=fast_lowest <= len(fast_val_loss) - 4
      and fast_val_loss[-1] > 1.2 * fast_val_loss.min(),
      evidence=f"lowest {fast_val_loss.min():.3f} after epoch {fast_lowest}, last "
               f"{fast_val_loss[-1]:.3f} after epoch {len(fast_val_loss)}")

# %% [markdown]
# The figure above sets its loss curves beside the first epochs of the SGD run. The first
# epoch already ends at a training loss of
# {{ fast_history.history["loss"][0]:.3f }}, against SGD's {{ loss_curve[0]:.3f }}
# {{ claim adam_starts_fast }}. Then the curves tell the story of overfitting. Training
# accuracy climbs epoch after epoch and ends at {{ fast_train[-1]:.1% }}, while validation
# accuracy ends at {{ fast_val[-1]:.1% }} {{ claim adam_gap }}. From epoch {{ half }} to
# epoch {{ len(fast_train) }} training accuracy gained {{ 100 * train_gain:.1f }} points,
# while the best validation accuracy of those later epochs differs from the best of the
# earlier ones by {{ 100 * val_gain:+.1f }} points {{ claim adam_stops_generalising }}: the
# network goes on fitting its training photographs, their backgrounds and noise included,
# and stops getting better on new ones. The validation loss shows it first: lowest after
# epoch {{ fast_lowest }} ({{ fast_val_loss.min():.3f }}), it then climbs to
# {{ fast_val_loss[-1]:.3f }} {{ claim adam_val_loss_rises }}.
#
# The simplest remedy is to stop training where the validation loss was lowest, after epoch
# {{ fast_lowest }} here. [Lesson 11](../regularisation/) trains this network with Adam in the
# same way and tries that remedy and others.
#
# ## How good is it?
#
# The rest of the page looks at the network trained with the tutorial's recipe (SGD, 80
# epochs) on the {{ len(x_test):, }} test images, which neither run used.

# %%
test_loss, test_accuracy = model.evaluate(x_test, y_test, batch_size=256, verbose=0)
report.compare({"test_accuracy": test_accuracy, "test_loss": test_loss,
                "train_accuracy": train_curve[-1], "parameters": model.count_params()},
               reference="cifar10_cnn")
truth = cifar.y_test[:, 0]
predicted = model.predict(x_test, batch_size=256, verbose=0).argmax(axis=1)
cnn_correct = predicted == truth              # right or wrong, one per test image
report.record_correct("cnn", cnn_correct)     # for later lessons' paired comparisons
keep_model("cnn", model)                      # kept with the stored run, for lesson 10

# %% [markdown]
# After {{ len(loss_curve) }} epochs on {{ log.samples[0]:, }} training images, the network
# labels **{{ test_accuracy:.1% }}** of the {{ len(x_test):, }} test images correctly; the
# tutorial reports {{ tutorial("cifar10_cnn.test_accuracy"):.2% }} after 80 epochs on
# CIFAR-10's 50,000 training images (with the same `validation_split=0.15`), made on its own
# hardware; this page's run was made on {{ hardware }}. Five times the training
# images, and five times the steps in the same epochs: a lower figure here is what we
# expect.
#
# ### Against the dense network, on the same test images
#
# Did the convolutions help? Two accuracies measured on the same test images are compared
# image by image: what counts is how many images one network gets right and the other wrong,
# and whether that split could be chance (the paired test of
# [lesson 02](../dense_baseline/)). Lesson 02 records, in its stored full run, which test
# images its dense network labelled correctly; this page compares the CNN with it.

# %% tags=["hide-input"]
# dense_correct: which test images lesson 02's dense network labelled correctly, read from
# its stored full run (None when the store has no such record for this data).
dense_run = stored_lesson_run("dense_baseline")          # lesson 02's full run, or None
dense_correct = None
if dense_run is not None and same_data(dense_run, "cifar10", cifar.provenance.fingerprint):
    dense_correct = dense_run["correct"].get("dense")    # None in a run made before it was kept

# %%
if dense_correct is not None:
    versus = metrics.paired_comparison(cnn_correct, dense_correct)   # image by image
    print(versus.evidence("CNN", "dense"))

# %% tags=["hide-input"]
beats = "the CNN labels more of the same test images correctly than lesson 02's dense network"
if dense_correct is not None:
    claim("cnn_beats_dense", beats, holds=versus.winner == "a",
          evidence=versus.evidence("CNN", "dense"))
else:
    claim("cnn_beats_dense", beats, holds=False,
          evidence="lesson 02's stored full run does not record which test images its dense "
                   "network got right; run `convlab run 02 --profile full`, then this page")

# %% tags=["hide-input"]
sizes = f"{len(x_train):,} (this course's copy; {log.samples[0]:,} after the validation split)"
rows = [[f"this page's CNN, {len(loss_curve)} epochs", sizes, f"{test_accuracy:.1%}"]]
if dense_run is not None and same_data(dense_run, "cifar10", cifar.provenance.fingerprint):
    rows.append(["lesson 02's dense network (its stored full run)",
                 f"{dense_run['data']['cifar10']['n_train']:,} (this course's copy)",
                 f"{dense_run['results']['test_accuracy']:.1%}"])
rows += [["the tutorial's CNN, 80 epochs", "50,000 (official CIFAR-10)",
          f"{tutorial('cifar10_cnn.test_accuracy'):.2%}"],
         ["the tutorial's dense network", "50,000 (official CIFAR-10)",
          f"{tutorial('dense_baseline.test_accuracy'):.2%}"]]
report.markdown(report.markdown_table(["network", "training images", "test accuracy"], rows))
if dense_correct is None:
    report.markdown("*The image-by-image comparison needs lesson 02's full run with its "
                    "per-image record (`convlab run 02 --profile full`); the store does not "
                    "have it yet, so the claim below is not shown.*")
else:
    report.markdown(f"*Image by image:* {versus.evidence('CNN', 'dense')}.")

# %% [markdown]
# On the same test images the CNN is right more often than the dense network
# {{ claim cnn_beats_dense }}, with {{ model.count_params() / dense_parameters:.0%}} of its
# parameters. The tutorials' two figures, in the table, tell the same story on 50,000
# training images; this course's networks trained on the smaller copy, and both sizes are in
# the table.
#
# ## What it confuses
#
# The confusion matrix counts, for every true class (a row), how the network labelled its
# test images (the columns). The diagonal holds the correct answers.

# %%
viz.confusion_matrix(truth, predicted, cifar.class_names)
plt.show()

# %% tags=["hide-input"]
confusion = viz.confusion_counts(truth, predicted, 10)
mistakes = confusion + confusion.T          # a cat taken for a dog, or a dog for a cat
np.fill_diagonal(mistakes, 0)
pairs = sorted(((mistakes[i, j], i, j) for i in range(10) for j in range(i + 1, 10)),
               reverse=True)[:5]
report.markdown(report.markdown_table(
    ["classes", "confused (both ways)", "share of the two classes' test images"],
    [[f"{cifar.class_names[i]} / {cifar.class_names[j]}", f"{n:,}",
      f"{n / (confusion[i].sum() + confusion[j].sum()):.1%}"] for n, i, j in pairs],
))
(top_count, top_a, top_b), per_class = pairs[0], np.diag(confusion) / confusion.sum(axis=1)
best, worst = per_class.argmax(), per_class.argmin()
animals = {"bird", "cat", "deer", "dog", "frog", "horse"}
kind = ["animal" if name in animals else "vehicle" for name in cifar.class_names]
alike = sum(kind[i] == kind[j] for _, i, j in pairs)
claim("confused_pairs_alike",
      "at least 4 of the 5 most confused pairs of classes are two animals or two vehicles",
      holds=alike >= 4,
      evidence=f"{alike} of the 5: " + ", ".join(
          f"{cifar.class_names[i]} / {cifar.class_names[j]} ({n:,})" for n, i, j in pairs))

# %% [markdown]
# The pair confused most is **{{ cifar.class_names[top_a] }} / {{ cifar.class_names[top_b] }}**:
# {{ top_count:, }} test images of one labelled as the other. Most of the pairs in the table
# are two animals or two vehicles {{ claim confused_pairs_alike }}, classes that share
# shapes, colours and backgrounds at 32 × 32 pixels. Per class, the network does best on
# **{{ cifar.class_names[best] }}** ({{ per_class[best]:.0% }}) and worst on
# **{{ cifar.class_names[worst] }}** ({{ per_class[worst]:.0% }}):

# %%
viz.per_class_accuracy(truth, predicted, cifar.class_names, chance=0.1)
plt.show()

# %% [markdown]
# ## What we have
#
# * Convolutions share a few small kernels across the image: {{ model.count_params():, }}
#   parameters, {{ model.count_params() / dense_parameters:.0%}} of the dense baseline's,
#   and a test accuracy of {{ test_accuracy:.1% }} after {{ len(loss_curve) }} epochs on
#   {{ len(x_train):, }} training images (the tutorial:
#   {{ tutorial("cifar10_cnn.test_accuracy"):.1% }} on 50,000).
# * The untrained network guesses uniformly, and SGD at learning rate 0.001 leaves that
#   guess slowly: the first epochs are flat. Adam, from the same weights, leaves it at once.
# * Overfitting: trained long enough, the network fits its training images ever better and
#   stops getting better on new ones. The Adam run shows it within
#   {{ len(fast_train) }} epochs ({{ fast_train[-1]:.1% }} training against
#   {{ fast_val[-1]:.1% }} validation accuracy, validation loss rising after epoch
#   {{ fast_lowest }}); the slow SGD run only reaches its beginning in
#   {{ len(loss_curve) }} epochs.
# * The pair confused most is {{ cifar.class_names[top_a] }} / {{ cifar.class_names[top_b] }};
#   {{ alike }} of the {{ len(pairs) }} most confused pairs are two animals or two vehicles.
# * The stored full run of this page keeps the trained network (`keep_model("cnn", model)`:
#   its architecture and weights, beside the page's notebook):
#   [lesson 10](../network_sees/) looks inside it without training it again.
#
# Next: [Fashion-MNIST, dense against CNN](../fashion_mnist/) (lesson 08).
#
# ## Exercises
#
# Do these in the downloaded notebook; each check cell says whether your answer is right,
# and on the page the answer is folded under it.
#
# 1. **A larger kernel.** If the first layer were `Conv2D(64, (5, 5))` on the 3 colour
#    channels, how many parameters would it hold? Set `answer_1`.
# 2. **Weight sharing, counted.** Suppose the first layer were a dense layer producing the
#    same 32 × 32 × 64 numbers from the 32 × 32 × 3 image, every output connected to every
#    pixel value, plus a bias for each output. How many parameters would it hold? Set
#    `answer_2`.
# 3. **Another split.** Predict, then check: with `validation_split=0.25` instead of 0.15,
#    how many of this run's training images would the network train on in each epoch?
#    Set `answer_3`.

# %%
answer_1 = None   # parameters of Conv2D(64, (5, 5)) on 3 channels
answer_2 = None   # parameters of a dense layer from 32 x 32 x 3 to 32 x 32 x 64
answer_3 = None   # training images per epoch with validation_split=0.25

# %% tags=["hide-input"]
check("exercise 1", answer_1, (5 * 5 * 3 + 1) * 64,
      hint="count (k² c_in + 1) c_out: k² c_in weights and one bias per filter.",
      explain="Each of the 64 filters has 5 × 5 × 3 = 75 weights and one bias: "
              "(75 + 1) × 64. The image's size does not enter.")
check("exercise 2", answer_2, (32 * 32 * 3 + 1) * (32 * 32 * 64),
      hint="each of the 32 × 32 × 64 outputs has one weight per input number, and a bias.",
      explain=f"(3,072 + 1) × 65,536. The convolution computes the same number of outputs "
              f"with {model.layers[0].count_params():,} parameters, because every position "
              "shares the same 64 small kernels.")
check("exercise 3", answer_3, int(np.floor(len(x_train) * (1 - 0.25))),
      hint="Keras keeps the first floor(n × (1 - 0.25)) images for training.",
      explain=f"Keras cuts the arrays at floor({len(x_train):,} × 0.75); the last quarter "
              "becomes the validation set, and fewer images per epoch also mean fewer steps.")

# %% [markdown]
# ## What this page checks

# %%
report.record("best_validation_epoch", best_epoch)
report.record("final_train_validation_gap", gap[-1], quantity="fraction")
report.record("adam_train_validation_gap", fast_gap, quantity="fraction")
expect("parameters").equals(tutorial("cifar10_cnn.parameters"))   # its model.summary()
# A quick run takes a few hundred small steps of SGD, so it stays near guessing; the full run
# trains on this course's 10,000-image copy, a fifth of the tutorial's images.
expect("test_accuracy").between(0.08, 0.40, profile="quick")
expect("test_accuracy").at_least(0.50, profile="full")
expect("test_accuracy").at_least(tutorial("dense_baseline.test_accuracy"), profile="full")
# The curves part: overfitting begins in the SGD run, and is plain in the Adam run.
expect("final_train_validation_gap").at_least(0.05, profile="full")
expect("adam_train_validation_gap").at_least(0.20, profile="full")
