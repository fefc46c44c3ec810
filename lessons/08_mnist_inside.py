# %% [markdown]
# # MNIST: looking inside a trained CNN
#
# A trained network is not a black box: its weights and its intermediate results are arrays
# we can print and draw. We train a very small CNN, one convolution layer and one dense layer,
# on handwritten digits, then look at what it outputs for a digit, at the digits it gets wrong
# and how sure it was of them, at the 32 filters it learned and at what those filters see in
# one digit.
#
# It builds on [the CIFAR-10 CNN](../cifar10_cnn/) (lesson 06: a CNN trained with `model.fit`,
# curves that part when a network overfits) and on [convolution](../convolution/) (lesson 03:
# what a 3 × 3 kernel computes), and follows [lesson 07](../fashion_mnist/), where CNNs beat a
# dense network on Fashion-MNIST.

# %% [markdown]
# How big a run this page makes. The tutorial trains on the first 20,000 of the 60,000
# training digits for 6 epochs; a quick build of the site trains fewer epochs, and the box at
# the top of the page says which ran.

# %% tags=["parameters"]
train_size = 20000   # the first 20,000 training digits, as the tutorial
epochs = 6

# %%
import keras
import matplotlib.pyplot as plt
import numpy as np

from convlab import data, digit_explorer, report, training, viz
from convlab.exercises import check
from convlab.expectations import expect
from convlab.references import tutorial

keras.utils.set_random_seed(1234)   # the same run every time

# %% [markdown]
# ## The data
#
# Pixels scaled to $[0, 1]$, a channel axis added, labels one-hot.

# %%
mnist = data.load("mnist")
x_train = mnist.x_train[:train_size, :, :, np.newaxis] / 255
y_train = keras.utils.to_categorical(mnist.y_train[:train_size], 10)
x_test = mnist.x_test[:, :, :, np.newaxis] / 255
y_test = keras.utils.to_categorical(mnist.y_test, 10)
print("training", x_train.shape, "test", x_test.shape)

# %% [markdown]
# ## The network
#
# One convolution layer of 32 filters, 3 × 3, without padding, so the 28 × 28 digit becomes
# 26 × 26 × 32; max pooling halves that to 13 × 13 × 32 = 5,408 numbers, and one dense layer
# maps them to ten probabilities. Two *dropout* layers switch off a random quarter and half of
# their inputs at each training step (and none when the network predicts), so that no unit
# can rely on any one other: a guard against overfitting.

# %%
model = keras.Sequential([
    keras.Input(shape=(28, 28, 1)),
    keras.layers.Conv2D(32, (3, 3), activation="relu"),   # 26 x 26 x 32
    keras.layers.MaxPooling2D((2, 2)),                     # 13 x 13 x 32
    keras.layers.Dropout(0.25),
    keras.layers.Flatten(),                                # 5408
    keras.layers.Dropout(0.5),
    keras.layers.Dense(10, activation="softmax"),
])
model.summary()

# %% [markdown]
# {{ model.count_params():, }} parameters: $(3 \cdot 3 + 1) \cdot 32$ =
# {{ model.layers[0].count_params():, }} in the filters and $(5408 + 1) \cdot 10$ =
# {{ model.layers[-1].count_params():, }} in the dense layer.
#
# ## Training
#
# The tutorial does not show its compile line; the Keras example it follows uses the
# Adadelta optimiser with categorical cross-entropy. Adadelta's default learning rate was 1.0
# in the original, multi-backend Keras 2 (`tf.keras` already used 0.001) and is 0.001 in
# Keras 3, a thousand times smaller, so code written for that Keras that leaves the rate out
# takes steps a thousand times smaller in Keras 3 (we measure below
# what that does to the accuracy). So we set the rate to 1.0 explicitly. Batches of
# 128; the test set serves as validation data, as in the example.

# %%
model.compile(optimizer=keras.optimizers.Adadelta(learning_rate=1.0),
              loss="categorical_crossentropy", metrics=["accuracy"])
log = training.EpochLog()
history = model.fit(x_train, y_train, epochs=epochs, batch_size=128,
                    validation_data=(x_test, y_test), verbose=0, callbacks=[log])

# %% [markdown]
# The run: {{ len(log.epoch_seconds) }} epochs in {{ log.seconds:.0f }} s,
# {{ log.images_per_second:,.0f }} images a second (how fast that is for this machine, and
# how to time training fairly, is [lesson 11](../gpu_speed/)'s subject).

# %%
test_loss, test_accuracy = model.evaluate(x_test, y_test, verbose=0)
report.compare({"test_accuracy": test_accuracy, "test_loss": test_loss,
                "parameters": model.count_params()}, reference="mnist_inside")

# %% [markdown]
# After {{ epochs }} epochs on {{ len(x_train):, }} digits the network labels
# **{{ test_accuracy:.2% }}** of the {{ len(x_test):, }} test digits correctly; the tutorial
# reports {{ tutorial("mnist_inside.test_accuracy"):.2% }} after 6 epochs.
#
# The tutorial also printed its validation accuracy (on the test set) after each of its six
# epochs; here it is beside this run's, epoch by epoch (grey diamonds: the tutorial).

# %%
tutorial_curve = [tutorial(f"mnist_inside.val_accuracy_epoch{k}") for k in range(1, 7)]
fig = viz.plot_history(history)
ax = fig.axes[1]   # the accuracy panel
ax.plot(range(1, 7), tutorial_curve, "D--", color="grey", label="original tutorial (validation)")
ax.legend()
plt.show()
val_curve = history.history["val_accuracy"]
report.markdown(report.markdown_table(
    ["epoch", "validation accuracy, this run", "original tutorial"],
    [[k, f"{val_curve[k - 1]:.2%}" if k <= len(val_curve) else "(not run)",
      f"{tutorial_curve[k - 1]:.2%}"] for k in range(1, 7)]))


def curve_sentence():
    shown = min(6, len(val_curve))
    gaps = [val_curve[k] - tutorial_curve[k] for k in range(shown)]
    widest = max(range(shown), key=lambda k: abs(gaps[k]))
    text = (f"Over the {shown} epoch{'s' if shown != 1 else ''} both ran, the widest gap is "
            f"after epoch {widest + 1}: this run {100 * abs(gaps[widest]):.1f} points "
            f"{'above' if gaps[widest] > 0 else 'below'} the tutorial.")
    if shown < 6:
        return text + (f" This run stopped after {shown} of the tutorial's 6 epochs, so it "
                       "cannot show how the curve ends.")
    first, last = val_curve[1] - val_curve[0], val_curve[5] - val_curve[4]
    text += (f" Its accuracy rose {100 * first:.1f} points from epoch 1 to epoch 2 and "
             f"{100 * last:.1f} from epoch 5 to epoch 6 (the tutorial: "
             f"{100 * (tutorial_curve[1] - tutorial_curve[0]):.1f} and "
             f"{100 * (tutorial_curve[5] - tutorial_curve[4]):.2f})")
    if first > last:
        return text + (": most of what this small network learns, it learns in the first "
                       "passes over the data.")
    return text + "."


# %% [markdown]
# {{ curve_sentence() }}
#
# ## What the default rate gives
#
# The same network, built afresh from the same seed and trained on the same
# {{ len(x_train):, }} digits for the same {{ epochs }} epochs, but compiled with Keras 3's
# default `keras.optimizers.Adadelta()`:

# %%
keras.utils.set_random_seed(1234)
default_model = keras.models.clone_model(model)   # same layers, fresh weights
default_model.compile(optimizer=keras.optimizers.Adadelta(),   # learning_rate=0.001
                      loss="categorical_crossentropy", metrics=["accuracy"])
default_model.fit(x_train, y_train, epochs=epochs, batch_size=128, verbose=0)
_, default_rate_test_accuracy = default_model.evaluate(x_test, y_test, verbose=0)
report.record("default_rate_test_accuracy", default_rate_test_accuracy)
print(f"test accuracy with Adadelta's default rate: {default_rate_test_accuracy:.1%}")

# %% [markdown]
# With the default rate the network labels **{{ default_rate_test_accuracy:.1% }}** of the
# test digits correctly, against {{ test_accuracy:.1% }} with the rate at 1.0 (guessing
# scores 10%). The code runs without a warning either way: only the result tells you.
#
# ## What it outputs for one digit
#
# The softmax layer gives a probability to each of the ten classes. For the first test digit:

# %%
probabilities = model.predict(x_test, verbose=0)
predicted = probabilities.argmax(axis=1)
truth = mnist.y_test
top = probabilities.max(axis=1)
viz.image_grid(x_test[:1], [f"test digit 0: a {truth[0]}"], ncols=1, size=1.6)
plt.show()
viz.probability_bars(probabilities[0], mnist.class_names, true=int(truth[0]),
                     title=f"probabilities for test digit 0 (a {truth[0]})")
plt.show()

# %% [markdown]
# It gives {{ probabilities[0, predicted[0]]:.1% }} to {{ predicted[0] }}, and the other nine
# share the rest.
#
# ## The digits it gets wrong
#
# {{ (predicted != truth).sum():, }} of the {{ len(truth):, }} test digits are misclassified.
# Here are the first ones, each with the network's answer and the probability it gave that
# answer and the right one:

# %%
viz.misclassified_gallery(mnist.x_test, truth, predicted, probabilities, mnist.class_names)
plt.show()

# %% [markdown]
# Look at them: which would a person hesitate over too? Is the network less sure when it is
# wrong? Its *confidence* is
# the probability of its answer, the tallest bar:

# %%
wrong = predicted != truth
viz.confidence_histogram(top, top[wrong])
plt.show()

# %% [markdown]
# Over all test digits the mean confidence is {{ top.mean():.1% }}; over the wrong ones it is
# {{ top[wrong].mean() if wrong.any() else float("nan"):.1% }}.
# {{ (top[~wrong] > 0.9).mean():.0% }} of the right answers come with a probability above 0.9,
# {{ (top[wrong] > 0.9).mean() if wrong.any() else 0:.0% }} of the wrong ones. A low top
# probability is a useful warning, though not a reliable one: {{ (top[wrong] > 0.9).sum():, }}
# mistakes were made with more than 90% confidence.
#
# ## The 32 filters it learned
#
# The convolution layer's weights, `model.layers[0].kernel`, have shape (3, 3, 1, 32): a
# 3 × 3 kernel for each of the 32 filters. Red weights are positive, blue negative.

# %%
kernels = model.layers[0].kernel.numpy()
print("kernel shape", kernels.shape)
viz.filter_grid(kernels, title="the 32 learned 3x3 filters of the first layer")
plt.show()

# %% [markdown]
# A kernel with a row of red above a row of blue responds to a horizontal edge, bright above
# and dark below; one with red on one side and blue on the other to a vertical edge. At
# 3 × 3, a filter can only be a small edge, stroke or spot detector.
#
# ## What the filters see in one digit
#
# Applying the first layer alone to a digit gives its 32 *activation maps*, one per filter:
# bright where the filter's pattern is present, black where the ReLU cut it to 0.

# %%
maps = model.layers[0](x_test[:1]).numpy()[0]   # (26, 26, 32)
print("activation maps", maps.shape)
viz.activation_grid(maps, title=f"the 32 activation maps of test digit 0 (a {truth[0]})")
plt.show()
active = (maps.max(axis=(0, 1)) > 0).sum()

# %% [markdown]
# {{ active }} of the 32 filters respond somewhere in this digit. Each map traces a part of
# the stroke: its upper edges, its lower edges, its left or right sides. Pooling and the dense
# layer then combine these 32 pictures into the ten probabilities.
#
# ## Draw a digit
#
# Below, the network this page trained runs in your browser: draw a digit (mouse, finger or
# pen; or the arrow keys and space), or load a test digit, and watch its ten probabilities and
# its 32 activation maps follow. Your stroke is prepared as MNIST's digits were: fitted into a
# 20 × 20 box, centred by its centre of mass in the 28 × 28 frame, scaled to $[0, 1]$.

# %%
page_network = digit_explorer.show(model, x_test, y_test, predicted)

# %% [markdown]
# The page's network is this one with its weights rounded to 8 bits (one scale per tensor,
# {{ page_network.payload_bytes / 1000:.0f }} kB in all). On the
# {{ page_network.samples }} sample digits it gives the same answer as Keras for
# {{ page_network.same_answer }}, its probabilities at most
# {{ page_network.max_difference:.4f }} from Keras's (the page's test allows
# {{ digit_explorer.TOLERANCE }}), and it labels {{ page_network.page_accuracy:.2% }} of the
# test digits correctly, against {{ test_accuracy:.2% }} for the model itself.
#
# ## Fighting overfitting
#
# This network uses dropout. The other common remedies:
#
# * **L1 and L2 penalties** (lasso and ridge): add $\lambda \sum |w|$ or $\lambda \sum w^2$ to
#   the loss, so large weights cost something (`kernel_regularizer=keras.regularizers.l2(...)`).
# * **Early stopping**: keep the weights of the epoch where validation was best
#   (`keras.callbacks.EarlyStopping(restore_best_weights=True)`).
# * **Batch normalisation**: normalise each layer's inputs over the batch
#   (`keras.layers.BatchNormalization()`); it speeds training and regularises a little.
#
# [Lesson 09](../regularisation/) measures dropout, an L2 penalty, batch normalisation, data
# augmentation and early stopping side by side on the CIFAR-10 CNN.
#
# ## Summary
#
# * A CNN of {{ model.count_params():, }} parameters, one convolution layer and one dense
#   layer, labels {{ test_accuracy:.2% }} of the {{ len(x_test):, }} test digits correctly after
#   {{ epochs }} epochs on {{ len(x_train):, }} digits (the tutorial:
#   {{ tutorial("mnist_inside.test_accuracy"):.2% }}).
# * Optimiser defaults change between versions: with Keras 3's default Adadelta rate the same
#   run reaches {{ default_rate_test_accuracy:.1% }}. Write the rate out.
# * The network is less sure when it is wrong: mean confidence {{ top.mean():.1% }} over all
#   test digits, {{ top[wrong].mean() if wrong.any() else float("nan"):.1% }} over its
#   {{ wrong.sum():, }} mistakes.
# * Its 32 first-layer filters are small edge and stroke detectors; {{ active }} of them
#   respond somewhere in test digit 0.
#
# ## Exercises
#
# Each exercise has a check cell: set `my_answer` in the cell above it, run both, and the
# check says whether you are right (it computes the answer, so try before reading it).
#
# **1. More filters.** With 64 filters instead of 32 in the convolution layer (and nothing
# else changed), how many parameters does the network have? Work it out as above, then check.

# %%
my_answer = None   # your parameter count, e.g. 12345


# %% tags=["hide-input"]
wider = keras.Sequential([keras.Input(shape=(28, 28, 1)),
                          keras.layers.Conv2D(64, (3, 3), activation="relu"),
                          keras.layers.MaxPooling2D((2, 2)), keras.layers.Flatten(),
                          keras.layers.Dense(10, activation="softmax")])
check("exercise 1", my_answer, wider.count_params())

# %% [markdown]
# **2. A larger kernel.** With 5 × 5 kernels instead of 3 × 3 (still no padding), how many
# numbers does `Flatten` pass to the dense layer? Give one whole number.

# %%
my_answer = None   # the length of the flattened vector

# %% tags=["hide-input"]
larger = keras.Sequential([keras.Input(shape=(28, 28, 1)),
                           keras.layers.Conv2D(32, (5, 5), activation="relu"),
                           keras.layers.MaxPooling2D((2, 2)), keras.layers.Flatten()])
check("exercise 2", my_answer, int(larger.output_shape[-1]))

# %% [markdown]
# **3. The confusions.** When the trained network gets a test digit that is really a 4
# wrong, which digit does it most often give instead? Count them
# (`np.bincount(predicted[(truth == 4) & wrong])`), then check.

# %%
my_answer = None   # a digit 0..9

# %% tags=["hide-input"]
mistaken_for = np.bincount(predicted[(truth == 4) & wrong], minlength=10)
check("exercise 3", my_answer, int(mistaken_for.argmax()) if mistaken_for.any() else None)

# %% [markdown]
# Next, [lesson 09](../regularisation/) takes the overfitting of [lesson 06](../cifar10_cnn/)
# and measures what dropout, an L2 penalty, batch normalisation, augmentation and early
# stopping do about it.
#
# ## What this page checks

# %%
report.record("mean_confidence_all", top.mean())
report.record("mean_confidence_wrong", top[wrong].mean() if wrong.any() else top.mean())
report.record("explorer_agreement_fraction", page_network.same_answer / page_network.samples)
report.record("explorer_max_probability_gap", page_network.max_difference, better="lower")
report.record("explorer_test_accuracy", page_network.page_accuracy)
expect("parameters").equals(tutorial("mnist_inside.parameters"))   # its summary()
expect("mean_confidence_wrong").at_most("mean_confidence_all", profile=("quick", "full"))
# The page's 8-bit network answers as Keras does on every sample digit, within the tolerance.
expect("explorer_agreement_fraction").equals(1.0)
expect("explorer_max_probability_gap").at_most(digit_explorer.TOLERANCE)
expect("explorer_test_accuracy").at_least("test_accuracy", plus=-0.005)
expect("test_accuracy").at_least(0.90, profile="quick")
expect("test_accuracy").at_least(0.955, profile="full")            # the tutorial: 96.85%
# Keras 3's default Adadelta rate (0.001) leaves the same run far behind the rate of 1.0.
expect("default_rate_test_accuracy").at_most(0.5, profile="full")
expect("test_accuracy").at_least("default_rate_test_accuracy", plus=0.3, profile="quick")
expect("test_accuracy").at_least("default_rate_test_accuracy", plus=0.5, profile="full")
