# %% [markdown]
# # A dense baseline on CIFAR-10
#
# Before we meet convolution, we ask how far an ordinary network gets. A *dense* (fully
# connected) network ignores that its input is a picture: it flattens the 32 × 32 × 3 pixels
# into one list of 3,072 numbers and connects every number to every unit of the next layer.
# Whatever it scores is the baseline that convolutional networks have to beat.

# %% [markdown]
# How big a run this page makes. These are the values of the full run; a quick build of the
# site uses fewer images and epochs, and the box at the top of the page says which ran.

# %% tags=["parameters"]
train_size = None   # training images to use (None: all of them)
epochs = 10

# %%
import keras
import matplotlib.pyplot as plt
import numpy as np

from convlab import data, machine, metrics, report, training, viz
from convlab.claims import claim
from convlab.exercises import check
from convlab.expectations import expect

keras.utils.set_random_seed(1234)   # the same run every time

# %% [markdown]
# ## The data
#
# As in [the previous lesson](../cifar10_data/), pixels are scaled to $x/255 - 0.5$.
# Labels become *one-hot* vectors: class 3 (cat) is $(0,0,0,1,0,0,0,0,0,0)$, the target the
# network's ten outputs should match.

# %%
cifar = data.load("cifar10")
x_train = cifar.x_train[:train_size] / 255 - 0.5
y_train = keras.utils.to_categorical(cifar.y_train[:train_size], 10)
x_test = cifar.x_test / 255 - 0.5
y_test = keras.utils.to_categorical(cifar.y_test, 10)
print("training", x_train.shape, "test", x_test.shape)

# %% [markdown]
# ## The network
#
# Five hidden layers, each narrower than the last, with the $\tanh$ activation, and a
# ten-way output. A dense layer with $n$ inputs and $m$ units computes
#
# $$h = \tanh(W x + b), \qquad W \in \mathbb{R}^{m \times n},\ b \in \mathbb{R}^m,$$
#
# so it has $(n + 1)\,m$ parameters (Keras keeps $W^\top$ as the layer's `kernel`, of shape
# $(n, m)$). The output layer uses *softmax*, which turns ten scores $z_k$ into probabilities
# $p_k = e^{z_k} / \sum_j e^{z_j}$ that sum to 1. We write the network as a function so that
# we can build a fresh copy of it later in the lesson.

# %%
def dense_network():
    return keras.Sequential([
        keras.Input(shape=(32, 32, 3)),
        keras.layers.Flatten(),                      # 32 * 32 * 3 = 3072 numbers
        keras.layers.Dense(1024, activation="tanh"),
        keras.layers.Dense(512, activation="tanh"),
        keras.layers.Dense(256, activation="tanh"),
        keras.layers.Dense(128, activation="tanh"),
        keras.layers.Dense(64, activation="tanh"),
        keras.layers.Dense(10, activation="softmax"),
    ])


model = dense_network()
model.summary()

# %% [markdown]
# The count follows from $(n + 1)\,m$, layer by layer:

# %%
widths = [3072, 1024, 512, 256, 128, 64, 10]
by_formula = sum((n + 1) * m for n, m in zip(widths, widths[1:]))
print(f"by formula {by_formula:,}; Keras counts {model.count_params():,}")

# %% [markdown]
# Most of them sit in the first layer: $3073 \times 1024 \approx 3.1$ million parameters, a
# weight for every pair of a pixel value and a first-layer unit plus one bias per unit.
#
# ## Training
#
# The loss is the *categorical cross-entropy* between the one-hot target $y$ and the
# predicted probabilities $p$, $L = -\sum_k y_k \log p_k$: it is $-\log$ of the probability
# given to the right class, 0 when the network is certain and right.
#
# The original tutorial does not say which optimiser, batch size or number of epochs it used,
# so these are our choices: stochastic gradient descent with momentum 0.9 and learning
# rate 0.01, batches of 64 images, a standard starting point for this kind of network. We hold
# out images for *validation* with `validation_split=0.15`: Keras cuts that fraction of the
# training arrays off their end, as one block, before any shuffling (the shuffling each epoch
# mixes only the images it trains on). They are never trained on, so they show how the
# network does on new images while it trains. The test set is kept for the very end.
#
# A second callback looks at the validation images the network gets wrong after each epoch:
# how sure it was of its wrong answer (the largest of its ten probabilities), and the loss
# those images cost. We come back to it when the curves have been drawn.

# %% tags=["hide-input"]
n_fit = int(np.floor(len(x_train) * (1 - 0.15)))   # where Keras cuts: the rest validates
x_held, y_held = x_train[n_fit:], cifar.y_train[:train_size][n_fit:, 0]
on_mistakes = []   # per epoch: (mean top probability, mean loss) on wrong validation answers


def look_at_mistakes(epoch, logs):
    p = model.predict(x_held, verbose=0)
    wrong = p.argmax(axis=1) != y_held
    on_mistakes.append((p.max(axis=1)[wrong].mean(),
                        -np.log(p[wrong, y_held[wrong]] + 1e-7).mean()))

# %%
model.compile(
    optimizer=keras.optimizers.SGD(learning_rate=0.01, momentum=0.9),
    loss="categorical_crossentropy",
    metrics=["accuracy"],
)
log = training.EpochLog()   # one line per epoch instead of a progress bar per batch
mistakes = keras.callbacks.LambdaCallback(on_epoch_end=look_at_mistakes)
history = model.fit(x_train, y_train, epochs=epochs, batch_size=64, validation_split=0.15,
                    verbose=0, callbacks=[log, mistakes])
validation_counts = np.bincount(cifar.y_train[:train_size][n_fit:, 0], minlength=10)

# %% [markdown]
# Here that block is the images at indices {{ n_fit:, }} to {{ len(x_train) - 1:, }} of
# the {{ len(x_train):, }}, the same {{ len(x_train) - n_fit:, }} in every epoch; the network
# trained on the first {{ n_fit:, }}. Because the block is the end of the arrays as they were
# given, data stored in some order (all cats last, say) would need shuffling first. In this
# copy of CIFAR-10 the classes are mixed: in this block each class has between
# {{ validation_counts.min():, }} and {{ validation_counts.max():, }} images.
#
# ## The training curves
#
# Each epoch Keras reports the loss and accuracy on the images it trained on (averaged over
# the epoch, while the weights were still changing) and on the validation block (measured at
# the end of the epoch).

# %%
viz.plot_history(history)
plt.show()

# %% tags=["hide-input"]
losses, val_losses = np.array(history.history["loss"]), np.array(history.history["val_loss"])
accuracies = np.array(history.history["accuracy"])
val_accuracies = np.array(history.history["val_accuracy"])
best_epoch = int(val_losses.argmin()) + 1          # counted from 1, as the log counts
rise = val_losses[-1] - val_losses.min()
claim("validation_loss_turns",
      "the validation loss is lowest in the first half of training or just after it, and ends "
      "at least 0.1 above that minimum, while the training loss falls every epoch",
      holds=best_epoch <= len(val_losses) // 2 + 1 and rise >= 0.1
      and bool(np.all(np.diff(losses) < 0)),
      evidence=f"validation loss lowest at epoch {best_epoch} of {len(val_losses)} "
               f"({val_losses.min():.3f}), {val_losses[-1]:.3f} at the end; training loss "
               f"from {losses[0]:.3f} to {losses[-1]:.3f}")
stalled = val_accuracies[-1] - val_accuracies[best_epoch - 1]
climbed = accuracies[-1] - accuracies[best_epoch - 1]
claim("validation_accuracy_stalls",
      "after the validation loss's minimum, validation accuracy moves by less than 2 points "
      "while training accuracy climbs by more than 10",
      holds=abs(stalled) < 0.02 and climbed > 0.10,
      evidence=f"from epoch {best_epoch} to the end: validation accuracy "
               f"{val_accuracies[best_epoch - 1]:.1%} to {val_accuracies[-1]:.1%}, training "
               f"accuracy {accuracies[best_epoch - 1]:.1%} to {accuracies[-1]:.1%}")
sure_best, mistake_loss_best = on_mistakes[best_epoch - 1]
sure_last, mistake_loss_last = on_mistakes[-1]
claim("surer_when_wrong",
      "from the validation loss's minimum to the end, the network grows surer of its wrong "
      "answers on the validation images, and those mistakes cost more loss",
      holds=sure_last > sure_best + 0.03 and mistake_loss_last > mistake_loss_best + 0.1,
      evidence=f"on wrong validation answers, top probability {sure_best:.2f} at epoch "
               f"{best_epoch} and {sure_last:.2f} at the end; their mean loss "
               f"{mistake_loss_best:.2f} and {mistake_loss_last:.2f}")

# %% [markdown]
# The two losses part early. The training loss falls every epoch, from
# {{ losses[0]:.2f }} to {{ losses[-1]:.2f }}; the validation loss is lowest at epoch
# {{ best_epoch }} ({{ val_losses.min():.2f }}) and rises after it, to
# {{ val_losses[-1]:.2f }} at the end {{ claim validation_loss_turns }}. Over the same
# epochs validation accuracy changes little ({{ val_accuracies[best_epoch - 1]:.1% }} at
# epoch {{ best_epoch }}, {{ val_accuracies[-1]:.1% }} at the end) while training accuracy
# climbs from {{ accuracies[best_epoch - 1]:.1% }} to {{ accuracies[-1]:.1% }}
# {{ claim validation_accuracy_stalls }}.
#
# How can the loss rise while accuracy stays put? Accuracy counts only whether the most
# probable class is right; the loss, $-\log p$ of the right class, also weighs how sure the
# network is. After epoch {{ best_epoch }} the network grows ever more confident on its
# training images, and on new images too, including where it is wrong. On the validation
# images it labels wrongly, its top probability averages {{ sure_best:.2f }} at epoch
# {{ best_epoch }} and {{ sure_last:.2f }} at the end, and the loss those mistakes cost
# grows from {{ mistake_loss_best:.2f }} to {{ mistake_loss_last:.2f }} an image
# {{ claim surer_when_wrong }}: confident mistakes cost more than the extra confidence on
# right answers saves, so the validation loss rises while accuracy stays put. That is
# *overfitting*: from here on, more epochs fit the training images better and the validation
# images no better. Stopping at the validation loss's minimum
# (*early stopping*) and the other remedies come in
# [the lesson on regularisation](../regularisation/); this lesson keeps its
# {{ len(val_losses) }} epochs, so the numbers below are those of the network after the last
# epoch.
#
# ## How good is it?
#
# The test images played no part in training or in our choices, so the test accuracy is an
# honest estimate of how the network does on photographs it has never seen.

# %%
_, train_accuracy = model.evaluate(x_train[:n_fit], y_train[:n_fit], verbose=0)  # trained on
_, test_accuracy = model.evaluate(x_test, y_test, verbose=0)
truth = cifar.y_test[:, 0]
predicted = model.predict(x_test, verbose=0).argmax(axis=1)
dense_correct = predicted == truth            # one True or False per test image

# %% tags=["hide-input"]
report.compare({"train_accuracy": train_accuracy, "test_accuracy": test_accuracy},
               reference="dense_baseline")
report.record_correct("dense", dense_correct)   # lesson 07 compares its CNN on these images

# %% tags=["hide-input"]
ran_on = machine.summary()
gap = train_accuracy - test_accuracy
claim("memorises_training_images",
      "the network labels its own training images correctly far more often than the test "
      "images: at least 10 points more",
      holds=gap >= 0.10,
      evidence=f"{train_accuracy:.1%} of the {n_fit:,} training images against "
               f"{test_accuracy:.1%} of the {len(x_test):,} test images")
tutorial_train_images = 50_000   # the official training set; any validation split unstated
test_error = 2 * metrics.standard_error(test_accuracy, len(x_test))

# %% [markdown]
# After {{ epochs }} epochs on {{ n_fit:, }} images, the network labels
# **{{ test_accuracy:.1% }}** of the {{ len(x_test):, }} test images correctly,
# {{ test_accuracy / 0.10:.1f }} times the 10% of random guessing (on {{ len(x_test):, }} test
# images a measured accuracy is good to about ±{{ 100 * test_error:.1f }} points, two standard
# errors). On its own training
# images it scores {{ train_accuracy:.1% }}, {{ 100 * gap:.1f }} points more
# {{ claim memorises_training_images }}: the difference is what it memorised about those
# particular images rather than learned about cats and ships in general.
#
# The table sets these beside the tutorial's figures, which are not the same experiment: the
# tutorial trained on the {{ tutorial_train_images:, }} official CIFAR-10 training images
# (whether it held some of them out for validation, it does not say), for a number of epochs
# it does not state; this run trained on {{ n_fit:, }} (the course's copy of
# CIFAR-10 holds {{ len(cifar.x_train):, }} training images, and {{ len(x_train) - n_fit:, }}
# of those validate), on {{ ran_on }}. With {{ n_fit / tutorial_train_images:.0% }} as many
# training images, a lower test accuracy and a
# larger gap to the training accuracy are what one would expect; the box at the top says
# which data and profile built this page.
#
# Which classes does it get right? Accuracy per class, on the test set:

# %%
per_class = np.array([dense_correct[truth == k].mean() for k in range(10)])

# %% tags=["hide-input"]
fig, ax = plt.subplots(figsize=(9, 3))
ax.bar(cifar.class_names, per_class, color="tab:blue")
ax.axhline(0.1, color="grey", ls="--", label="guessing")
ax.set_ylabel("test accuracy")
ax.set_title("test accuracy per class")
ax.tick_params(axis="x", rotation=30)
ax.legend()
fig.tight_layout()
plt.show()

# %% tags=["hide-input"]
best, worst = per_class.argmax(), per_class.argmin()
per_class_images = np.bincount(truth, minlength=10)
class_error = 2 * max(metrics.standard_error(per_class[k], per_class_images[k])
                      for k in range(10))   # the widest bar's: largest near 50%
claim("classes_differ",
      "every class is recognised better than guessing, and the best class scores at least 20 "
      "points more than the worst",
      holds=per_class.min() > 0.10 and per_class[best] - per_class[worst] >= 0.20,
      evidence=f"{cifar.class_names[best]} {per_class[best]:.1%}, "
               f"{cifar.class_names[worst]} {per_class[worst]:.1%}, "
               f"on {len(truth):,} test images, at least {per_class_images.min():,} a class")

# %% [markdown]
# Some classes are far easier than others: in this run the best is
# **{{ cifar.class_names[best] }}** ({{ per_class[best]:.0% }} right), the worst
# **{{ cifar.class_names[worst] }}** ({{ per_class[worst]:.0% }}), and every class is above
# guessing {{ claim classes_differ }}. With about {{ per_class_images.min():, }} test images
# a class, each bar is good to about ±{{ 100 * class_error:.1f }} points at worst (two
# standard errors, widest for a class that is right half the time), so two classes whose
# bars differ by less than that may swap places in another run; only the broad picture, not
# the exact order, is the network's.
#
# ## What a dense layer knows about pictures
#
# The first layer gives every pixel position its own weights: unit $j$ computes
# $\sum_i W_{ji} x_i$, and $W_{ji}$ belongs to input number $i$, one colour of one pixel at
# one place. So a dense layer is tied to *absolute* position: a cat's ear in the top-left
# corner and the same ear in the bottom-right meet entirely different weights, and the
# network must learn each pattern again at every position, from only about
# {{ n_fit // 10:, }} training images of each class. What it does not know is which inputs
# are *neighbours*: nothing in $\sum_i W_{ji} x_i$ depends on the order in which the inputs
# are numbered.
#
# We can test that. Shuffle the 3,072 input values with one fixed random order, the same
# for every image, and train the same network with the same recipe, from the same random
# seed, on the shuffled images:

# %%
order = np.random.default_rng(1234).permutation(32 * 32 * 3)   # one order for every image


def shuffle_pixels(images):
    flat = images.reshape(len(images), -1)
    return flat[:, order].reshape(images.shape)


viz.image_grid(np.stack([cifar.x_test[0], shuffle_pixels(cifar.x_test[:1])[0]]),
               ["a test image", "its 3,072 values shuffled"], ncols=2, size=2.2)
plt.show()

# %%
keras.utils.set_random_seed(1234)   # the same starting weights and batches as before
shuffled_model = dense_network()
shuffled_model.compile(
    optimizer=keras.optimizers.SGD(learning_rate=0.01, momentum=0.9),
    loss="categorical_crossentropy",
    metrics=["accuracy"],
)
shuffled_model.fit(shuffle_pixels(x_train), y_train, epochs=epochs, batch_size=64,
                   validation_split=0.15, verbose=0, callbacks=[training.EpochLog()])
shuffled_correct = shuffled_model.predict(shuffle_pixels(x_test), verbose=0).argmax(1) == truth
versus_shuffled = metrics.paired_comparison(dense_correct, shuffled_correct)

# %% tags=["hide-input"]
claim("shuffled_pixels_tie",
      "the network trained on shuffled pixels and the one trained on the pictures tie on the "
      "same test images",
      holds=versus_shuffled.tie,
      evidence=versus_shuffled.evidence("pictures", "shuffled pixels"))

# %% [markdown]
# To a person the shuffled image is noise. The dense network labels
# {{ versus_shuffled.accuracy_b:.1% }} of the shuffled test images correctly, against
# {{ versus_shuffled.accuracy_a:.1% }} for the pictures, and on the same test images the
# paired test finds no difference: each gets right {{ versus_shuffled.only_a:, }} and
# {{ versus_shuffled.only_b:, }} images the other gets wrong, a split a fair coin would make
# easily (exact McNemar test, p = {{ versus_shuffled.p_value:.2f }})
# {{ claim shuffled_pixels_tie }}. A tie in a test does not by itself prove the two equal;
# here the reason they must be is plain algebra. Shuffling the inputs with an order $\pi$
# is the same as shuffling the rows of the first layer's kernel: on shuffled inputs unit $j$
# computes $\sum_i K'_{ij}\, x_{\pi(i)}$, which is $\sum_i K_{ij}\, x_i$ for the kernel $K$
# whose row $\pi(i)$ is row $i$ of $K'$, and every gradient step moves the renumbered
# weights exactly as it would move the originals.
# So the shuffled run is the original network trained from a starting kernel with its rows
# permuted. Glorot's starting weights are drawn independently, each from the same
# distribution, so a permuted draw is just another draw: the two runs differ only as two
# runs with different random seeds for the first layer do. The arrangement of the pixels,
# everything that makes a picture a picture, is information this network cannot use.
#
# Convolutional layers use it. A convolution looks at a small window of *neighbouring*
# pixels (locality) and slides one small set of weights across the whole image (weight
# sharing), so a pattern its weights have come to detect is detected wherever it appears.
# That is where the course goes next: [convolution, one window at a time](../convolution/).
#
# ## Summary
#
# * The dense network has {{ by_formula:, }} parameters, counted by $(n + 1)\,m$ layer by
#   layer and by Keras alike; {{ (3072 + 1) * 1024 / by_formula:.0%}} of them are in the first
#   layer.
# * Trained for {{ epochs }} epochs on {{ n_fit:, }} images (the other
#   {{ len(x_train) - n_fit:, }}, the end of the arrays, held out for validation), it labels
#   {{ test_accuracy:.1% }} of the test images correctly and {{ train_accuracy:.1% }} of its
#   training images.
# * Its validation loss is lowest at epoch {{ best_epoch }} and rises after it, the first sign
#   of overfitting {{ claim validation_loss_turns }}.
# * A dense layer is tied to absolute positions but blind to which pixels are neighbours:
#   with its inputs shuffled it learns as well as before. Convolution adds locality and
#   weight sharing.
#
# ## Exercises
#
# Put your answer in the cell below and run the check cell after it.
#
# **1. Count parameters.** Make the first hidden layer 512 units wide instead of 1,024,
# everything else unchanged. How many parameters has the network? Work it out with
# $(n + 1)\,m$ and set `answer_parameters`.
#
# **2. Where the split falls.** With `validation_split=0.2` instead, how many of this run's
# training images would Keras hold out for validation? Set `answer_validation_images`.
#
# **3. One pixel's weights.** How many of the first layer's weights multiply the values of
# the top-left pixel (its red, green and blue)? Set `answer_corner_weights`.
#
# **4. Try it.** Change the learning rate to 0.1 or 0.001 in the training cell, run the
# network cell again (so that training starts from fresh weights) and then the training
# cell: the check cell prints the test accuracy of whatever model you trained last, beside
# this page's.

# %%
answer_parameters = None          # exercise 1
answer_validation_images = None   # exercise 2
answer_corner_weights = None      # exercise 3

# %% tags=["hide-input"]
narrower = keras.Sequential([keras.Input(shape=(32, 32, 3)), keras.layers.Flatten()]
                            + [keras.layers.Dense(m, activation="tanh")
                               for m in (512, 512, 256, 128, 64)]
                            + [keras.layers.Dense(10, activation="softmax")])
check("exercise 1", answer_parameters, narrower.count_params(),
      explain="The first layer shrinks to $3073 \\times 512$ weights and biases and the second "
              "to $513 \\times 512$; the other layers are unchanged.")
held_out = len(x_train) - int(np.floor(len(x_train) * 0.8))
check("exercise 2", answer_validation_images, held_out,
      explain=f"Keras keeps the first {int(np.floor(len(x_train) * 0.8)):,} of the "
              f"{len(x_train):,} training images (80%, rounded down) and validates on the "
              "rest.")
first_kernel = keras.ops.convert_to_numpy(model.layers[1].kernel)   # (3072, 1024)
corner = first_kernel.reshape(32, 32, 3, -1)[0, 0]                     # (3, 1024)
check("exercise 3", answer_corner_weights, corner.size,
      explain="Each of its 3 values is connected to each of the 1,024 units of the first "
              "layer; a pixel in the middle, or any other, has 3,072 of its own, shared with "
              "no other position.")
print(f"exercise 4: the model trained last scores "
      f"{model.evaluate(x_test, y_test, verbose=0)[1]:.1%} on the test images; "
      f"this page's scored {test_accuracy:.1%}")

# %% [markdown]
# ## What this page checks

# %%
report.record("parameters_by_formula", by_formula)
report.record("parameters_in_keras", model.count_params())
report.record("shuffled_test_accuracy", versus_shuffled.accuracy_b)
expect("parameters_by_formula").equals("parameters_in_keras")
expect("test_accuracy").at_least(0.20, profile=("quick", "full"))  # twice guessing
expect("test_accuracy").between(0.28, 0.50, profile="quick")
expect("test_accuracy").between(0.38, 0.60, profile="full")
expect("shuffled_test_accuracy").at_least(0.20, profile=("quick", "full"))
