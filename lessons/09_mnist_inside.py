# %% [markdown]
# # MNIST: looking inside a trained CNN
#
# A trained network is not a black box: its weights and its intermediate results are arrays
# we can print and draw. We train a very small CNN, one convolution layer and one dense layer,
# on handwritten digits, then look at why its validation accuracy runs above its training
# accuracy, at what it outputs for a digit it is unsure of, at the digits it gets wrong and
# how sure it was of them, at the 32 filters it learned (measuring which of them detect
# edges, and in which direction) and at what those filters see in one digit.
#
# It builds on [the CIFAR-10 CNN](../cifar10_cnn/) (lesson 07: a CNN trained with `model.fit`,
# curves that part when a network overfits) and on [convolution](../convolution/) (lesson 03:
# what a 3 × 3 kernel computes), and follows [lesson 08](../fashion_mnist/), where CNNs beat a
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

from convlab import data, digit_explorer, machine, metrics, report, training, viz
from convlab.claims import claim
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
untrained_kernels = model.layers[0].kernel.numpy()   # the random starting filters, kept
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
# how to time training fairly, is [lesson 14](../gpu_speed/)'s subject).

# %% tags=["hide-input"]
run_hardware = machine.summary()   # the machine this run was made on, for the text below

# %%
test_loss, test_accuracy = model.evaluate(x_test, y_test, verbose=0)
report.compare({"test_accuracy": test_accuracy, "test_loss": test_loss,
                "parameters": model.count_params()}, reference="mnist_inside")

# %% [markdown]
# After {{ epochs }} epochs on {{ len(x_train):, }} digits the network labels
# **{{ test_accuracy:.2% }}** of the {{ len(x_test):, }} test digits correctly; the tutorial,
# which trained the same network on the same first 20,000 training digits, reports
# {{ tutorial("mnist_inside.test_accuracy"):.2% }} after 6 epochs. This run was made on
# {{ run_hardware }}, with Keras {{ keras.__version__ }}; the tutorial's with an older
# Keras, and its own random starting weights.
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

train_curve = history.history["accuracy"]
shown = min(6, len(val_curve))
widest_gap = max(abs(val_curve[k] - tutorial_curve[k]) for k in range(shown))

# %% [markdown]
# Over the {{ shown }} epochs both ran, the two curves are at most
# {{ 100 * widest_gap:.1f }} points apart. What makes the difference, this page cannot
# tell: the tutorial's weights started from other random values, in an older Keras, and one
# run of each is no test.
#
# ## Why validation runs above training
#
# [Lesson 07](../cifar10_cnn/) showed training accuracy above validation accuracy: a network
# that overfits does better on the images it learned from. Here the curves sit the other way
# round:

# %%
claim("validation_above_training",
      "in every epoch the validation accuracy is above the training accuracy Keras logged",
      holds=all(v > t for v, t in zip(val_curve, train_curve)),
      evidence="; ".join(f"epoch {k + 1}: {t:.1%} training, {v:.1%} validation"
                         for k, (t, v) in enumerate(zip(train_curve, val_curve))))

# %% [markdown]
# Validation is higher at every epoch {{ claim validation_above_training }}. That does not
# mean the network knows unseen digits better than the ones it learned from: the two
# figures are not measured the same way.
# Keras's training accuracy for an epoch is the mean over that epoch's batches, each scored
# *while the network was training*: with dropout on, so a quarter of the pooled values and
# half of the flattened ones were switched off, and with the weights of that moment, which
# early in the epoch were worse than at its end. The validation accuracy is measured once,
# at the end of the epoch, with dropout off.
#
# To check, we score the trained network on its own {{ len(x_train):, }} training digits
# twice: as it predicts (dropout off), and as it trained (dropout on, `training=True`).

# %%
train_truth = mnist.y_train[:train_size]
right_dropout_off = model.predict(x_train, verbose=0).argmax(axis=1) == train_truth
right_dropout_on = np.concatenate([                       # in batches: the maps are large
    keras.ops.convert_to_numpy(model(x_train[i:i + 1000], training=True)).argmax(axis=1)
    for i in range(0, len(x_train), 1000)]) == train_truth
dropout_effect = metrics.paired_comparison(right_dropout_off, right_dropout_on)
claim("dropout_lowers_training_score",
      "on the same training digits, the trained network scores higher with dropout off than on",
      holds=dropout_effect.winner == "a",
      evidence=dropout_effect.evidence("dropout off", "dropout on", images="training images"))
claim("training_above_logged",
      "scored with dropout off at the end of training, the training digits give a higher "
      "accuracy than the figure Keras logged during the last epoch",
      holds=bool(right_dropout_off.mean() > train_curve[-1]),
      evidence=f"{right_dropout_off.mean():.2%} with dropout off at the end, "
               f"{train_curve[-1]:.2%} logged during epoch {len(train_curve)}")
claim("no_overfitting_yet",
      "scored the same way, training and test accuracy are within 1 point of each other",
      holds=abs(right_dropout_off.mean() - test_accuracy) < 0.01,
      evidence=f"training digits {right_dropout_off.mean():.2%}, test digits "
               f"{test_accuracy:.2%}, both with dropout off after the last epoch")

# %% tags=["hide-input"]
report.markdown(report.markdown_table(
    ["accuracy", "dropout", "weights", "value"],
    [["training, as Keras logged it", "on", f"mean over epoch {len(train_curve)}",
      f"{train_curve[-1]:.2%}"],
     ["training digits, scored again", "on", "end of training",
      f"{right_dropout_on.mean():.2%}"],
     ["training digits, scored again", "off", "end of training",
      f"{right_dropout_off.mean():.2%}"],
     ["test digits (validation)", "off", "end of training", f"{test_accuracy:.2%}"]]))

# %% [markdown]
# With dropout on, the trained network labels {{ right_dropout_on.mean():.1% }} of its
# training digits correctly; with dropout off, {{ right_dropout_off.mean():.1% }}
# {{ claim dropout_lowers_training_score }}, above the {{ train_curve[-1]:.1% }} Keras logged
# during the last epoch {{ claim training_above_logged }}. Of that gap, switching dropout off
# accounts for {{ 100 * (right_dropout_off.mean() - right_dropout_on.mean()):.1f }} points.
# The other {{ 100 * (right_dropout_on.mean() - train_curve[-1]):.1f }} lie between the logged
# figure and the rescoring with dropout still on: the logged figure is a mean over an epoch in
# which the weights were still improving, so it tends to lie a little below the end-of-epoch
# score; with dropout's randomness in both, a few tenths of a point either way mean little.
# Measured the same way as the test digits, the training digits score
# {{ right_dropout_off.mean():.1% }} against {{ test_accuracy:.1% }}
# {{ claim no_overfitting_yet }}: after {{ epochs }} epochs this small, dropout-regularised
# network has not begun to overfit. Compare training and validation
# figures only when they are measured alike.
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
rate_effect = metrics.paired_comparison(
    model.predict(x_test, verbose=0).argmax(axis=1) == mnist.y_test,
    default_model.predict(x_test, verbose=0).argmax(axis=1) == mnist.y_test)
claim("rate_matters", "the network trained with a learning rate of 1.0 labels more test "
      "digits correctly than the one trained with Keras 3's default rate",
      holds=rate_effect.winner == "a",
      evidence=rate_effect.evidence("rate 1.0", "default rate"))

# %% [markdown]
# With the default rate the network labels **{{ default_rate_test_accuracy:.1% }}** of the
# test digits correctly, against {{ test_accuracy:.1% }} with the rate at 1.0 (guessing
# scores 10%) {{ claim rate_matters }}. The code runs without a warning either way: only the
# result tells you.
#
# ## What it outputs for one digit
#
# The softmax layer gives a probability to each of the ten classes. For most digits one bar
# takes nearly everything, which shows little; the bars say more for a digit the network is
# unsure of. So we pick the one it was most torn over: of the digits it got wrong, the one
# whose two largest probabilities are closest.

# %%
probabilities = model.predict(x_test, verbose=0)
predicted = probabilities.argmax(axis=1)
truth = mnist.y_test
top = probabilities.max(axis=1)
ranked = np.sort(probabilities, axis=1)
margin = ranked[:, -1] - ranked[:, -2]                  # largest minus second largest
margin[predicted == truth] = np.inf                     # only the digits it got wrong
torn = int(margin.argmin())
runner_up = int(np.argsort(probabilities[torn])[-2])
viz.image_grid(x_test[torn:torn + 1], [f"test digit {torn}: a {truth[torn]}"], ncols=1,
               size=1.6)
plt.show()
viz.probability_bars(probabilities[torn], mnist.class_names, true=int(truth[torn]),
                     title=f"probabilities for test digit {torn} (a {truth[torn]})")
plt.show()

# %% [markdown]
# The network answers {{ predicted[torn] }} with {{ probabilities[torn, predicted[torn]]:.1% }}
# and gives {{ probabilities[torn, runner_up]:.1% }} to {{ runner_up }}; the digit is a
# {{ truth[torn] }}, which gets {{ probabilities[torn, truth[torn]]:.1% }}. The probabilities
# show the doubt that the answer alone hides. Such digits are rare: half the test digits get
# {{ np.median(top):.1% }} or more for the network's answer.
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
claim("less_sure_when_wrong",
      "the network's mean confidence is lower on the digits it gets wrong than on those it "
      "gets right", holds=wrong.any() and top[wrong].mean() < top[~wrong].mean(),
      evidence=f"mean confidence {top[~wrong].mean():.1%} on {(~wrong).sum():,} right answers, "
               f"{top[wrong].mean() if wrong.any() else float('nan'):.1%} on "
               f"{wrong.sum():,} wrong ones")
confident_mistakes = int((top[wrong] > 0.9).sum())

# %% [markdown]
# Over the right answers the mean confidence is {{ top[~wrong].mean():.1% }}; over the wrong
# ones it is {{ top[wrong].mean() if wrong.any() else float("nan"):.1% }}
# {{ claim less_sure_when_wrong }}. {{ (top[~wrong] > 0.9).mean():.0% }} of the right answers
# come with a probability above 0.9, {{ (top[wrong] > 0.9).mean() if wrong.any() else 0:.0% }}
# of the wrong ones. A low top probability is a useful warning, though not a reliable one:
# {{ confident_mistakes:, }} mistakes were made with more than 90% confidence.
#
# ## The 32 filters it learned
#
# The convolution layer's weights, `model.layers[0].kernel`, have shape (3, 3, 1, 32): a
# 3 × 3 kernel for each of the 32 filters. We draw them below, once we have measured what
# each one detects.

# %%
kernels = model.layers[0].kernel.numpy()
print("kernel shape", kernels.shape)

# %% [markdown]
# What does each filter detect? Its response at a position is the sum of its weights times
# the pixels under them (lesson 03). A kernel whose weights rise steadily in one direction, a
# *ramp*, as the Sobel kernels of lesson 03 nearly are, responds most where the image gets
# brighter in that direction: it is an edge detector. So we split each 3 × 3 kernel into
# three parts: its mean (a response to brightness alone), the best-fitting ramp, and what is
# left (lines, spots, corners). The three parts are orthogonal, so their shares of the
# kernel's squared weight add up to 1. A filter whose ramp takes more than half is an edge
# detector; the ramp's direction says on which side the bright part must be.

# %%
rows, columns = np.mgrid[-1:2, -1:2]               # offsets from the centre: down, right


def edge_detectors(kernels):
    """For each 3 x 3 kernel of a (3, 3, 1, filters) array: whether a ramp holds over half
    its squared weight, and on which side the ramp wants the image bright."""
    weights = kernels[:, :, 0, :]                  # (3, 3, filters)
    squared = (weights ** 2).sum(axis=(0, 1))
    slope_right = (weights * columns[:, :, None]).sum(axis=(0, 1)) / 6   # least squares
    slope_down = (weights * rows[:, :, None]).sum(axis=(0, 1)) / 6
    ramp_share = 6 * (slope_right ** 2 + slope_down ** 2) / squared
    mean_share = 9 * weights.mean(axis=(0, 1)) ** 2 / squared   # brightness alone
    angle = np.degrees(np.arctan2(-slope_down, slope_right)) % 360    # 0 right, 90 up
    sides = np.array(["right", "up", "left", "down"])[((angle + 45) % 360 // 90).astype(int)]
    return ramp_share > 0.5, sides, mean_share


edge, bright_side, mean_share = edge_detectors(kernels)
per_side = {side: int(np.sum(edge & (bright_side == side)))
            for side in ("up", "down", "left", "right")}
untrained_edge, _, _ = edge_detectors(untrained_kernels)   # the same filters before training
print("edge detectors:", edge.sum(), "of 32; bright side:", per_side)
print("edge detectors among the untrained filters:", untrained_edge.sum(), "of 32")
claim("edge_filters",
      "more than a third of the 32 filters are edge detectors (a ramp holds over half of "
      "their squared weight), at least twice as many as among the same filters before "
      "training, and each of the four directions (bright side up, down, left, right) has at "
      "least two of them",
      holds=edge.sum() > 32 / 3 and edge.sum() >= 2 * max(untrained_edge.sum(), 3)
      and min(per_side.values()) >= 2,
      evidence=f"{edge.sum()} of 32 filters after training, {untrained_edge.sum()} before; "
               + ", ".join(f"bright side {side}: {n}" for side, n in per_side.items()))

# %% tags=["hide-input"]
arrows = {"up": "↑", "down": "↓", "left": "←", "right": "→"}
fig = viz.filter_grid(kernels, title="the 32 learned 3x3 filters; an arrow: an edge "
                                     "detector, bright side that way")
for i, ax in enumerate(fig.axes[:32]):
    ax.set_title(f"{i} {arrows[bright_side[i]]}" if edge[i] else str(i), fontsize=8)
plt.show()
report.markdown(report.markdown_table(
    ["kind", "filters", "which"],
    [[f"edge, bright side {side}", per_side[side],
      ", ".join(str(i) for i in np.flatnonzero(edge & (bright_side == side)))]
     for side in per_side]
    + [["other (ramp under half)", int((~edge).sum()),
        ", ".join(str(i) for i in np.flatnonzero(~edge))]]))

# %% [markdown]
# Red weights are positive, blue negative; an arrow marks an edge detector and points to the
# side it wants bright. {{ edge.sum() }} of the 32 filters are edge detectors in this sense,
# and they face every way: {{ per_side["up"] }} want the bright side up,
# {{ per_side["down"] }} down, {{ per_side["left"] }} left and {{ per_side["right"] }} right
# {{ claim edge_filters }}. Training made them: before it, the same 32 filters, drawn at
# random, held {{ untrained_edge.sum() }} edge detectors by the same test (a random 3 × 3
# kernel passes it now and then by chance). On a digit, white strokes on black, a filter with its
# bright side up fires where a stroke lies above the background: along the strokes' lower
# edges; bright side down, along their upper edges; left or right, along their sides. In the
# other {{ (~edge).sum() }} filters the ramp holds less than half: the rest is a response to
# brightness alone (the mean holds up to
# {{ mean_share[~edge].max() if (~edge).any() else 0:.0% }} of one filter's squared weight)
# or a line, spot or corner pattern; at 3 × 3, a filter has room for little more.
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
# {{ active }} of the 32 filters respond somewhere in this digit. Compare a few maps with the
# arrows above: an edge detector's map should light along the edges its arrow predicts.
# Pooling and the dense layer then combine these 32 pictures into the ten probabilities.
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
# [Lesson 11](../regularisation/) measures dropout, an L2 penalty, batch normalisation, data
# augmentation and early stopping side by side on the CIFAR-10 CNN.
#
# ## Summary
#
# * A CNN of {{ model.count_params():, }} parameters, one convolution layer and one dense
#   layer, labels {{ test_accuracy:.2% }} of the {{ len(x_test):, }} test digits correctly after
#   {{ epochs }} epochs on {{ len(x_train):, }} digits (the tutorial, on the same digits:
#   {{ tutorial("mnist_inside.test_accuracy"):.2% }}).
# * Optimiser defaults change between versions: with Keras 3's default Adadelta rate the same
#   run reaches {{ default_rate_test_accuracy:.1% }}. Write the rate out.
# * Validation runs above training here because Keras logs the training figure with dropout
#   on and averaged over the epoch; scored alike, training and test digits are within a point
#   {{ claim no_overfitting_yet }}.
# * The network is less sure when it is wrong: mean confidence {{ top[~wrong].mean():.1% }}
#   over its right answers, {{ top[wrong].mean() if wrong.any() else float("nan"):.1% }} over
#   its {{ wrong.sum():, }} mistakes {{ claim less_sure_when_wrong }}.
# * {{ edge.sum() }} of its 32 first-layer filters are edge detectors, facing all four ways
#   {{ claim edge_filters }}; {{ active }} of the 32 respond somewhere in test digit 0.
#
# ## Exercises
#
# Each exercise has a check cell: set `my_answer` in the cell above it, run both, and the
# check says whether you are right. Under it, the answer and why, folded: open it after
# trying.
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
check("exercise 1", my_answer, wider.count_params(),
      explain=f"(3 · 3 + 1) · 64 = {wider.layers[0].count_params():,} in the filters; the "
              f"maps are now 13 × 13 × 64 = {wider.layers[2].output.shape[1]:,} numbers, so "
              f"the dense layer holds ({wider.layers[2].output.shape[1]:,} + 1) · 10 = "
              f"{wider.layers[3].count_params():,}. Twice the filters, about twice the weights in "
              f"both layers.")

# %% [markdown]
# **2. A larger kernel.** With 5 × 5 kernels instead of 3 × 3 (still no padding), how many
# numbers does `Flatten` pass to the dense layer? Give one whole number.

# %%
my_answer = None   # the length of the flattened vector

# %% tags=["hide-input"]
larger = keras.Sequential([keras.Input(shape=(28, 28, 1)),
                           keras.layers.Conv2D(32, (5, 5), activation="relu"),
                           keras.layers.MaxPooling2D((2, 2)), keras.layers.Flatten()])
check("exercise 2", my_answer, int(larger.output_shape[-1]),
      explain=f"28 − 5 + 1 = 24, pooled to 12, times 32 maps: 12 × 12 × 32 = "
              f"{int(larger.output_shape[-1]):,}. A larger kernel without padding shrinks the "
              f"maps, and so the dense layer.")

# %% [markdown]
# **3. The confusions.** When the trained network gets a test digit that is really a 4
# wrong, which digit does it most often give instead? Count them
# (`np.bincount(predicted[(truth == 4) & wrong])`), then check.

# %%
my_answer = None   # a digit 0..9

# %% tags=["hide-input"]
mistaken_for = np.bincount(predicted[(truth == 4) & wrong], minlength=10)
check("exercise 3", my_answer, int(mistaken_for.argmax()) if mistaken_for.any() else None,
      explain="How many misclassified 4s got each answer, 0 to 9: "
              + ", ".join(map(str, mistaken_for)) + ". Look at those digits in the gallery "
              "above: which strokes make them look like the answer?")

# %% [markdown]
# Next, [lesson 11](../regularisation/) takes the overfitting of [lesson 07](../cifar10_cnn/)
# and measures what dropout, an L2 penalty, batch normalisation, augmentation and early
# stopping do about it.
#
# ## What this page checks

# %%
report.record("training_accuracy_dropout_off", right_dropout_off.mean())
report.record("training_accuracy_dropout_on", right_dropout_on.mean())
report.record("edge_filters", int(edge.sum()))
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
