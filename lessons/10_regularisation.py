# %% [markdown]
# # Regularisation: closing the gap between training and validation
#
# The CIFAR-10 CNN of the earlier lesson fits its training images better than new ones.
# Here we train that same network again with each of the standard remedies, one at a time:
# dropout, an L2 penalty on the weights, batch normalisation, data augmentation and early
# stopping. Then we combine them. One table shows what each does to test accuracy, to the gap
# between training and validation accuracy, and to the time an epoch takes.

# %% [markdown]
# This lesson builds on [the CIFAR-10 CNN](../cifar10_cnn/) (the network and its overfitting)
# and on [the Fashion-MNIST lesson](../fashion_mnist/) (one run is one draw: a difference
# between two runs means something only when it is larger than the noise). Previous:
# [inside the MNIST network](../mnist_inside/); next:
# [reference architectures](../reference_architectures/).

# %% [markdown]
# How big a run this page makes. These are the values of the full run: ten epochs for every
# variant, on every training image found; a quick build of the site uses fewer images and
# epochs, and the box at the top of the page says which ran.

# %% tags=["parameters"]
train_size = None   # training images to use (None: all of them)
test_size = None    # test images to score (None: all of them)
epochs = 10         # epochs for every variant (early stopping may stop sooner)

# %%
import logging

import keras
import matplotlib.pyplot as plt
import numpy as np

from convlab import data, metrics, report, training, viz
from convlab.exercises import check
from convlab.expectations import expect
from convlab.references import tutorial
from convlab.runs import benchmark_result

keras.utils.set_random_seed(1234)   # the same run every time
# Every new model traces its steps into graphs anew. When a short run trains several in a
# row, TensorFlow warns that it traces often; here that is expected, so it stays quiet.
logging.getLogger("tensorflow").setLevel(logging.ERROR)

# %% [markdown]
# ## The data
#
# Pixels scaled to $x/255 - 0.5$, one-hot labels, and the last 0.15 of the training images,
# taken as one block from the end of the arrays, held out for validation: what
# `validation_split=0.15` does in the CNN lesson. We split them off by hand, so that
# after training we can score every variant on exactly the images it trained on and on the
# held-out ones.

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
# ## One network, four switches
#
# `cnn()` builds the tutorial's network exactly: six 3 × 3 convolutions in three pairs (64,
# 32 and 16 filters), two max-pooling layers, and a dense head of 512, 64 and 10 units. Each
# argument switches on one technique:
#
# * `dropout=p`: during training, zero a random share $p$ of the dense head's inputs at each
#   step (Keras scales the others by $1/(1-p)$). At test time every unit is used.
# * `l2=λ`: add an **L2 penalty** $\lambda \sum w^2$ over every kernel to the loss. Its
#   gradient, $2\lambda w$, pulls every weight towards zero. With plain SGD that pull is the
#   same share of every weight at every step, which is why an L2 penalty is often called
#   *weight decay*. Under Adam it is not: Adam divides each weight's whole gradient, the
#   penalty's part included, by a running estimate of that weight's gradient size, so weights
#   with large gradients are hardly pulled at all and weights with small ones a lot.
#   Loshchilov and Hutter ("Decoupled Weight Decay Regularization", 2019) showed the
#   difference matters and proposed *decoupled* weight decay, which shrinks every weight by
#   the same share outside the gradient step: `keras.optimizers.AdamW(weight_decay=...)`.
#   This page uses the L2 penalty with Adam, and calls it that.
# * `batchnorm=True`: after every convolution, normalise each channel over the batch to mean
#   0 and variance 1, then let the network learn a scale and a shift
#   (`BatchNormalization`). At test time it uses running averages of the batches' statistics
#   instead; `momentum=0.9` makes them average over about the last ten batches, so that they
#   are right even after a short run (Keras's default, 0.99, needs hundreds of steps).
# * `augment=True`: two Keras preprocessing layers in front of the network flip each training
#   image left-right with probability ½ and shift it by up to 2 pixels in each direction
#   (mirroring the border in), a new random version at every epoch. Like dropout, they act
#   only in training.

# %%
def cnn(dropout=0.0, l2=0.0, batchnorm=False, augment=False):
    """The tutorial CIFAR-10 CNN, with the chosen regularisers switched on."""
    keras.utils.set_random_seed(1234)   # every variant starts from the same random weights
    regulariser = keras.regularizers.L2(l2) if l2 else None

    def conv(filters):
        if not batchnorm:
            return [keras.layers.Conv2D(filters, (3, 3), padding="same", activation="relu",
                                        kernel_regularizer=regulariser)]
        return [keras.layers.Conv2D(filters, (3, 3), padding="same", use_bias=False,
                                    kernel_regularizer=regulariser),
                keras.layers.BatchNormalization(momentum=0.9),      # its shift replaces the bias
                keras.layers.Activation("relu")]

    def drop():
        return [keras.layers.Dropout(dropout)] if dropout else []

    augmentation = [keras.layers.RandomFlip("horizontal"),
                    keras.layers.RandomTranslation(0.0625, 0.0625, fill_mode="reflect")]
    return keras.Sequential([
        keras.Input(shape=(32, 32, 3)),
        *(augmentation if augment else []),
        *conv(64), *conv(64),
        keras.layers.MaxPooling2D((2, 2)),
        *conv(32), *conv(32),
        keras.layers.MaxPooling2D((2, 2)),
        *conv(16), *conv(16),
        keras.layers.Flatten(),
        *drop(),
        keras.layers.Dense(512, activation="relu", kernel_regularizer=regulariser),
        *drop(),
        keras.layers.Dense(64, activation="relu", kernel_regularizer=regulariser),
        keras.layers.Dense(10, activation="softmax"),
    ])


cnn().summary()

# %% [markdown]
# ## The training recipe
#
# The tutorial trains with SGD at learning rate 0.001 and momentum 0.5, a slow recipe: it
# needs {{ tutorial("cifar10_cnn.epochs"):.0f }} epochs to reach its
# {{ tutorial("cifar10_cnn.test_accuracy"):.1% }}, and a ten-epoch run of it would leave little
# overfitting to regularise. So every variant here trains with **Adam** at learning rate
# 0.001, batches of 32, for {{ epochs }} epochs; the table below shows how far the plain
# network's training and validation accuracy part in that time.
# That is the one change to the tutorial's recipe for the single techniques. After training,
# we score each variant on the images it trained on and on the validation images, with
# dropout and augmentation off, so that the **gap** between the two is a fair measure of what
# it memorised.

# %%
results = {}


def train(name, model, optimizer=None, callbacks=(), flip_average=False):
    """Train one variant, score it, and keep its history and figures in ``results``.

    ``flip_average``: classify each test image as it is and mirrored, and average the two
    predictions (test-time augmentation)."""
    model.compile(optimizer=optimizer or keras.optimizers.Adam(learning_rate=0.001),
                  loss="categorical_crossentropy", metrics=["accuracy"])
    log = training.EpochLog(lines=0)
    history = model.fit(x_fit, y_fit, epochs=epochs, batch_size=32,
                        validation_data=(x_val, y_val), verbose=0,
                        callbacks=[log, *callbacks])
    _, fit_accuracy = model.evaluate(x_fit, y_fit, batch_size=256, verbose=0)
    _, val_accuracy = model.evaluate(x_val, y_val, batch_size=256, verbose=0)
    truth = y_test.argmax(axis=1)
    predicted = model.predict(x_test, batch_size=256, verbose=0)
    plain_accuracy = float((predicted.argmax(axis=1) == truth).mean())
    if flip_average:
        predicted = predicted + model.predict(x_test[:, :, ::-1], batch_size=256, verbose=0)
    test_accuracy = float((predicted.argmax(axis=1) == truth).mean())
    results[name] = {
        "test": test_accuracy, "test_plain": plain_accuracy, "train": fit_accuracy,
        "validation": val_accuracy, "gap": fit_accuracy - val_accuracy,
        "epochs": len(history.history["loss"]),
        # the median over the epochs after the first, which also traces the training step
        "seconds_per_epoch": float(np.median(log.epoch_seconds[1:] or log.epoch_seconds)),
        "parameters": model.count_params(), "history": history.history,
    }
    print(f"{name:>16}: test {test_accuracy:.1%}, train {fit_accuracy:.1%}, "
          f"validation {val_accuracy:.1%}, {log.summary()}")


def early_stopping():
    return keras.callbacks.EarlyStopping(monitor="val_loss", patience=2,
                                         restore_best_weights=True)


# %% [markdown]
# ## One technique at a time

# %%
train("no regularisation", cnn())
train("dropout", cnn(dropout=0.4))
train("L2 penalty", cnn(l2=0.0005))
train("batch norm", cnn(batchnorm=True))
train("augmentation", cnn(augment=True))
train("early stopping", cnn(), callbacks=[early_stopping()])

# %% [markdown]
# ## All of them together
#
# The combined model switches on all four techniques of the network and stops early the same
# way. Its recipe differs from the single techniques' in three more respects:
#
# * **Lighter dropout and L2 penalty** (0.1 and 0.00005). Regularisers add up: with
#   augmentation and batch normalisation on as well, the single rows' dropout 0.4 and L2
#   0.0005 can hold a short run back from fitting even its training images. This page does
#   not train that variant (it would cost another run in every build), so it shows no figure
#   for it and does not claim that it does worse; exercise 3 below lets you try it.
# * **A learning-rate schedule.** The rate rises from 0.0003 to 0.003 over the first epoch
#   (a *warm-up*, while batch normalisation's statistics settle) and then falls along a half
#   cosine to zero at the last step. Large steps early cover ground; small steps at the end
#   let the weights settle into a minimum instead of jumping around it. The peak is three
#   times Adam's usual rate: batch normalisation, which keeps every layer's inputs on one
#   scale, is what lets a network take larger steps. The row **schedule only** trains the
#   plain network with this schedule and nothing else, to tell its share from the
#   regularisers'.
# * **Flip averaging at test time**, augmentation's counterpart: each test image is
#   classified as it is and mirrored, and the two predictions are averaged.

# %%
steps_per_epoch = int(np.ceil(len(x_fit) / 32))
schedule = keras.optimizers.schedules.CosineDecay(
    initial_learning_rate=0.0003, warmup_target=0.003, warmup_steps=steps_per_epoch,
    decay_steps=max(1, (epochs - 1) * steps_per_epoch))
train("schedule only", cnn(), optimizer=keras.optimizers.Adam(learning_rate=schedule))
train("combined", cnn(dropout=0.1, l2=0.00005, batchnorm=True, augment=True),
      optimizer=keras.optimizers.Adam(learning_rate=schedule),
      callbacks=[early_stopping()], flip_average=True)

# %% [markdown]
# ## Side by side
#
# Each row is one run, one draw of many that other seeds would give, as the Fashion-MNIST
# lesson showed. Even with the network fixed, a test accuracy $p$ measured on $n$ test images
# is uncertain by about its **binomial standard error**, $\sqrt{p(1-p)/n}$: each image is
# right or wrong, and $n$ of them estimate $p$ only that well. The column ± gives it for
# each row. Below, a difference between two rows counts only when it exceeds twice the
# standard error of a difference, $2\sqrt{se_1^2 + se_2^2}$; smaller ones are called a tie.
# (Seeds move a result by more than this, so it is the least a difference must clear, not
# enough to be sure. It also treats the two rows' scores as independent, though both are
# measured on the same test images; it is a rule of thumb, not a test.)

# %%
names = list(results)
base = results["no regularisation"]
n_test = len(x_test)
se = {name: metrics.standard_error(r["test"], n_test) for name, r in results.items()}
report.markdown(report.markdown_table(
    ["variant", "test", "±", "train", "val.", "gap", "epochs", "s/epoch"],
    [[name, f"**{r['test']:.1%}**", f"{se[name]:.1%}", f"{r['train']:.1%}",
      f"{r['validation']:.1%}", f"{100 * r['gap']:+.1f}", r["epochs"],
      f"{r['seconds_per_epoch']:.1f}"] for name, r in results.items()],
))
viz.regularisation_bars(names, [results[n]["test"] for n in names],
                        [results[n]["gap"] for n in names], baseline=base["test"])
plt.show()

# %%
keys = {"no regularisation": "baseline", "dropout": "dropout", "L2 penalty": "l2",
        "batch norm": "batchnorm", "augmentation": "augmentation",
        "early stopping": "early_stopping", "schedule only": "schedule_only",
        "combined": "combined"}
for name, key in keys.items():
    report.record(f"{key}_test_accuracy", results[name]["test"])
    report.record(f"{key}_gap", results[name]["gap"])
    report.record(f"{key}_epochs", results[name]["epochs"])
    report.record(f"{key}_parameters", results[name]["parameters"])
    report.record(f"{key}_seconds_per_epoch", results[name]["seconds_per_epoch"])
report.record("combined_unflipped_test_accuracy", results["combined"]["test_plain"])
gap = {name: 100 * r["gap"] for name, r in results.items()}
test = {name: r["test"] for name, r in results.items()}
slower = {name: r["seconds_per_epoch"] / base["seconds_per_epoch"] for name, r in results.items()}
stopped = results["early stopping"]["epochs"]
singles = [n for n in names if n not in ("no regularisation", "schedule only", "combined")]


def noise(a, b):
    """Twice the standard error of the difference between rows a and b: what it must clear."""
    return metrics.noise_margin(test[a], test[b], n_test)


def versus_baseline(name):
    """'above', 'below' or 'tied with' the plain network, against the noise."""
    difference = test[name] - test["no regularisation"]
    if abs(difference) <= noise(name, "no regularisation"):
        return "tied with the plain network"
    return f"{'above' if difference > 0 else 'below'} the plain network"


report.record("test_standard_error", se["no regularisation"])
report.record("combined_margin", test["combined"] - test["no regularisation"]
              - noise("combined", "no regularisation"))
best_single = max(singles, key=test.get)
runner_up = max((n for n in singles if n != best_single), key=test.get)


def ranking_sentence():
    """Which single technique did best, only as far as the noise allows."""
    above = [n for n in singles if versus_baseline(n).startswith("above")]
    text = (f"On {n_test:,} test images the standard error of one accuracy is about "
            f"{se['no regularisation']:.1%}, so two rows must differ by more than about "
            f"{100 * noise(best_single, 'no regularisation'):.1f} points to count. ")
    if not above:
        text += "No single technique beats the plain network by more than that in this run"
    else:
        text += (f"Beating the plain network by more than that: "
                 f"{', '.join(f'**{n}**' for n in above)}")
    if test[best_single] - test[runner_up] > noise(best_single, runner_up):
        text += (f"; the best single technique is **{best_single}** "
                 f"({test[best_single]:.1%}), clearly ahead of {runner_up} "
                 f"({test[runner_up]:.1%}).")
    else:
        text += (f". The highest single row, {best_single} ({test[best_single]:.1%}), is "
                 f"within the noise of {runner_up} ({test[runner_up]:.1%}), so this run "
                 "names no best single technique.")
    return text


def combined_parts_sentence():
    """The combined model's result taken apart: flip averaging, the schedule, the regularisers."""
    combined = results["combined"]
    flip = combined["test"] - combined["test_plain"]
    scheduled = test["schedule only"]
    text = (f"Without flip averaging the combined model scores {combined['test_plain']:.1%}; "
            f"averaging over mirrored images moves that by {100 * flip:+.1f} points. The "
            f"schedule alone takes the plain network to {scheduled:.1%} "
            f"({100 * (scheduled - base['test']):+.1f} points, "
            f"{versus_baseline('schedule only')}), so the regularisers on top of it account "
            f"for {100 * (combined['test_plain'] - scheduled):+.1f} points")
    if abs(combined["test_plain"] - scheduled) <= noise("combined", "schedule only"):
        return text + ", within the noise: this run does not separate them from the schedule."
    return text + ", more than the noise."


def stopping_sentence():
    losses = results["early stopping"]["history"]["val_loss"]
    best = int(np.argmin(losses)) + 1      # the first lowest: a tie is no improvement
    if len(losses) - best >= 2:            # two epochs without a new lowest: it stopped
        return (f"It stopped after epoch {stopped}, when the validation loss had not improved "
                f"for two epochs, and went back to the weights of epoch {best}.")
    if epochs <= 2:
        return (f"A run of {epochs} epoch{'s' if epochs != 1 else ''} is too short for it to "
                "act at all: it stops only after two epochs without a new lowest validation "
                "loss.")
    return (f"In this run's {epochs} epochs the validation loss never went two epochs without "
            "a new lowest value, so it trained to the end; longer runs are where it pays off.")


def curves_sentence():
    """What the two training curves below show in this run."""
    plain, both = results["no regularisation"]["history"], results["combined"]["history"]
    plain_gap = 100 * (plain["accuracy"][-1] - plain["val_accuracy"][-1])
    both_gap = 100 * (both["accuracy"][-1] - both["val_accuracy"][-1])

    def apart(gap):
        return f"{abs(gap):.1f} points {'above' if gap >= 0 else 'below'}"

    n = len(plain["accuracy"])
    text = (f"Over {n} epoch{'s' if n != 1 else ''} the plain network's training accuracy goes "
            f"from {plain['accuracy'][0]:.1%} to {plain['accuracy'][-1]:.1%} and its "
            f"validation accuracy from {plain['val_accuracy'][0]:.1%} to "
            f"{plain['val_accuracy'][-1]:.1%}. Its training curve ends {apart(plain_gap)} "
            f"its validation curve, the combined model's {apart(both_gap)}.")
    if plain_gap >= 5 and plain_gap >= both_gap + 5:
        return text + (" The plain network's two curves part as it memorises its training "
                       "images; the combined model's stay "
                       f"{'together' if abs(both_gap) < 5 else 'closer'}.")
    return text + (" So in this run the curves do not show the difference yet: a run this "
                   "short leaves the plain network little time to memorise its training "
                   "images.")


# %% [markdown]
# ## Why each one moves the gap
#
# Trained without regularisation, the network scores {{ base["train"]:.1% }} on its own
# training images and {{ base["validation"]:.1% }} on the validation images: a gap of
# {{ gap["no regularisation"]:.1f }} points, and {{ base["test"]:.1% }} on the test set.
#
# * **Dropout** (gap {{ gap["dropout"]:.1f }} points, test {{ test["dropout"]:.1% }},
#   {{ versus_baseline("dropout") }}). With a random part of its inputs missing at every
#   step, no unit of the dense head can rely on one particular combination of features, and
#   that is how a network memorises single images. The head holds most of the parameters,
#   so that is where it matters.
# * **L2 penalty** (gap {{ gap["L2 penalty"]:.1f }} points, test
#   {{ test["L2 penalty"]:.1% }}, {{ versus_baseline("L2 penalty") }}). Memorising an image
#   takes large, finely tuned weights; the penalty makes every weight pay for its size, so
#   the network keeps only the weights that help on many images (under Adam, unevenly, as
#   said above).
# * **Batch normalisation** (gap {{ gap["batch norm"]:.1f }} points, test
#   {{ test["batch norm"]:.1% }}, {{ versus_baseline("batch norm") }}). It is mainly a help
#   to optimisation: with every layer's input on the same scale, training makes faster
#   progress per epoch. Its regularising effect is a side effect: each image is normalised
#   with the statistics of a random batch, a little noise at every step. It can fit the
#   training images faster too, so the gap need not shrink.
# * **Data augmentation** (gap {{ gap["augmentation"]:.1f }} points, test
#   {{ test["augmentation"]:.1% }}, {{ versus_baseline("augmentation") }}). A flipped or
#   shifted photograph of a ship is still a ship: each epoch shows the network new versions
#   of its images, so there is less to memorise and more to generalise from. It attacks the
#   cause, too few training images; the price is that the ever-changing training set takes
#   more epochs to fit.
# * **Early stopping** (gap {{ gap["early stopping"]:.1f }} points, test
#   {{ test["early stopping"]:.1% }}, {{ versus_baseline("early stopping") }}). It changes
#   nothing in the network; it only stops training when the validation loss stops improving.
#   {{ stopping_sentence() }} It saves time rather than raising the ceiling.
#
# {{ ranking_sentence() }}
#
# Together, with the learning-rate schedule and flip averaging, they reach
# **{{ test["combined"]:.1% }}** with a gap of {{ gap["combined"]:.1f }} points,
# {{ versus_baseline("combined") }}. {{ combined_parts_sentence() }} An epoch of the combined
# model took ×{{ slower["combined"]:.1f }} as long as the plain network's (median over the
# epochs after the first): batch normalisation adds six layers and augmentation transforms
# every image at every epoch. Each variant is timed in one run on a machine other programs
# may share, so a ratio near 1 can be noise.
#
# The training curves of the plain network and of the combined one. {{ curves_sentence() }}

# %%
fig, axes = plt.subplots(1, 2, figsize=(9, 3.2), sharey=True, layout="constrained")
for ax, name in zip(axes, ["no regularisation", "combined"], strict=True):
    h = results[name]["history"]
    epoch_axis = np.arange(1, len(h["accuracy"]) + 1)
    ax.plot(epoch_axis, h["accuracy"], "o-", label="training (as trained)")
    ax.plot(epoch_axis, h["val_accuracy"], "o-", label="validation")
    ax.set_title(name)
    ax.set_xlabel("epoch")
axes[0].set_ylabel("accuracy")
axes[0].legend()
plt.show()

# %% [markdown]
# The combined model's training curve is measured as it trains, with dropout and
# augmentation on, which is why it can lie *below* validation; the table's training column
# is measured with them off.
#
# ## Against the tutorial's long run
#
# The tutorial trains its network for {{ tutorial("cifar10_cnn.epochs"):.0f }} epochs. We ran
# that once on this course's machine, with the tutorial's recipe, on the same copy of CIFAR-10
# (`benchmarks/tutorial_cnn_80_epochs.py`; the result is stored in
# `benchmarks/results/tutorial_cnn_80_epochs.json`, with the command, the hardware and a
# fingerprint of the data).

# %%
stored = "benchmarks/results/tutorial_cnn_80_epochs.json"
reference_run = benchmark_result(stored)      # None where the file is absent
same_data = (reference_run is not None
             and reference_run["data_fingerprint"] == cifar.provenance.fingerprint
             and train_size is None)
if same_data:
    report.record("tutorial_80_epochs_accuracy", reference_run["test_accuracy"])
    report.markdown(report.markdown_table(
        ["", "epochs", "test accuracy"],
        [["tutorial CNN and recipe (stored run)", reference_run["epochs"],
          f"{reference_run['test_accuracy']:.1%}"],
         ["combined model (this run)", results["combined"]["epochs"],
          f"{test['combined']:.1%}"]]))


def reference_sentence():
    if reference_run is None:
        return (f"No stored run was found at {stored} (a notebook opened outside the course's "
                "repository does not have it), so there is nothing to compare with here.")
    if not same_data:
        return ("The stored run used other training images than this page (another copy of "
                "CIFAR-10, or a subset of it), so its figure is not comparable and is not "
                "shown.")
    verdict = "beats" if test["combined"] > reference_run["test_accuracy"] else "falls short of"
    return (f"On the same {reference_run['data']['n_train']:,} images, the tutorial's network "
            f"and recipe reached {reference_run['test_accuracy']:.1%} after "
            f"{reference_run['epochs']} epochs (on {reference_run['hardware']}, "
            f"{reference_run['date']}). The combined model {verdict} it after "
            f"{results['combined']['epochs']} epochs.")


def combined_sentence():
    """Whether this run shows the combined model beating the tutorial's long run."""
    if not same_data:
        return "this run has no comparable stored run to show it, as said above."
    verdict = "beats" if test["combined"] > reference_run["test_accuracy"] else "falls short of"
    return (f"here the combined model {verdict} the tutorial's {reference_run['epochs']}-epoch "
            f"run after {results['combined']['epochs']} epochs.")


# %% [markdown]
# {{ reference_sentence() }} The tutorial reports
# {{ tutorial("cifar10_cnn.test_accuracy"):.1%}} after {{ tutorial("cifar10_cnn.epochs"):.0f }}
# epochs on CIFAR-10's full training set of 50,000 images (less the share it holds out for
# validation).
#
# ## What we have
#
# * Overfitting shows as a gap between training and validation accuracy: here
#   {{ gap["no regularisation"]:.1f }} points for the plain network after {{ epochs }}
#   epochs. Each technique works against it in its own way, though a short run need not show
#   it: noise in the network (dropout), a price on large weights (the L2 penalty; under Adam
#   not the same as decoupled weight decay, `AdamW`), new versions of the data
#   (augmentation), or stopping in time.
# * One run is one draw: on {{ n_test:, }} test images a test accuracy is uncertain by about
#   {{ se["no regularisation"]:.1%}} (one binomial standard error), and a ranking of
#   techniques is only as good as the gaps between them are large against that.
# * Batch normalisation mostly helps optimisation: it makes a higher learning rate safe, and
#   training progresses faster per epoch.
# * Combined, with a learning-rate schedule and flip averaging, they reach
#   {{ test["combined"]:.1% }} against the plain network's {{ test["no regularisation"]:.1% }};
#   they can let a short run reach what the tutorial's recipe needs many times the epochs for,
#   or more; {{ combined_sentence() }}
#
# ## Exercises
#
# Do these in the downloaded notebook; each check cell says whether your answer is right.
#
# 1. **Parameters of batch normalisation.** Each `BatchNormalization` layer keeps four
#    numbers per channel (scale, shift, and the two running averages) and `cnn(batchnorm=True)`
#    drops the convolutions' biases. Predict `cnn(batchnorm=True).count_params()` before
#    running it, and set `my_parameters` below.
# 2. **The noise of a test score.** A network has test accuracy 0.6 on 500 test images. What is the
#    binomial standard error of that score, as a fraction? Set `my_standard_error`.
# 3. **Heavier regularisers combined** (a training run). Change the combined model's cell to
#    `cnn(dropout=0.4, l2=0.0005, batchnorm=True, augment=True)`, run the page again, and
#    compare its test accuracy with the combined row of this run (note it before you
#    re-run), against the noise. No check cell: the answer is the run.

# %%
my_parameters = None        # exercise 1: your prediction, e.g. 600_000
my_standard_error = None    # exercise 2: your answer as a fraction, e.g. 0.05

# %% tags=["hide-input"]
check("exercise 1", my_parameters, cnn(batchnorm=True).count_params())
check("exercise 2", my_standard_error, metrics.standard_error(0.6, 500), atol=0.001)

# %% [markdown]
# Next, [reference architectures](../reference_architectures/): networks built from
# repeated blocks, trained with a recipe like the combined model's.
#
# ## What this page checks

# %%
report.record("parameters", base["parameters"])
report.record("variants", len(results))
expect("parameters").equals(tutorial("cifar10_cnn.parameters"))   # its network, unchanged
expect("variants").equals(8)
expect("early_stopping_epochs").at_most(epochs)
expect("baseline_test_accuracy").at_least(0.20, profile=("quick", "full"))   # twice guessing
expect("combined_test_accuracy").at_least(0.15, profile="quick")   # a short, noisy start
# the combined model beats the plain one by more than twice the standard error of a difference
expect("combined_margin").at_least(0, profile="full")
if cifar.provenance.subset:      # the course's 10,000-image copy
    expect("combined_test_accuracy").at_least(0.65, profile="full")
    expect("combined_gap").at_most("baseline_gap", profile="full")
    if same_data:
        expect("combined_test_accuracy").at_least("tutorial_80_epochs_accuracy",
                                                  profile="full")
else:                            # all 50,000 images: the tutorial's own setting
    report.record("tutorial_accuracy", tutorial("cifar10_cnn.test_accuracy"))
    expect("combined_test_accuracy").at_least("tutorial_accuracy", profile="full")
