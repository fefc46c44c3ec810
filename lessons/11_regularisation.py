# %% [markdown]
# # Regularisation: closing the gap between training and validation
#
# The CIFAR-10 CNN of the earlier lesson fits its training images better than new ones.
# Here we train that same network again with each of the standard remedies, one at a time:
# dropout, an L2 penalty on the weights and its cousin decoupled weight decay, batch
# normalisation, data augmentation and early stopping. Then we combine them. One table shows
# what each does to test accuracy, to the gap between training and validation accuracy, and
# to the time training takes.

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
from convlab.claims import claim
from convlab.exercises import check
from convlab.expectations import expect
from convlab.references import tutorial
from convlab.runs import benchmark_result

keras.utils.set_random_seed(1234)   # the same run every time

# %% tags=["hide-input"]
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
# * `l2=λ`: add an **L2 penalty** $\lambda \sum w^2$ to the loss, summed over the kernels of
#   the six convolutions and of the two hidden dense layers (not over the biases, and not
#   over the output layer's kernel, which the code leaves unpenalised). Its gradient,
#   $2\lambda w$, pulls every penalised weight towards zero.
# * `batchnorm=True`: after every convolution, normalise each channel to mean 0 and variance 1
#   with the mean and variance of the current batch, then let the network learn a scale and
#   a shift (`BatchNormalization`). In training every step uses its own batch's statistics.
#   At test time there is no batch to speak of, so the layer uses running averages of the
#   statistics it saw in training instead; `momentum=0.9` makes them average over about the
#   last ten batches, so that they are right even after a short run (Keras's default, 0.99,
#   needs hundreds of steps).
# * `augment=True`: two Keras preprocessing layers in front of the network flip each training
#   image left-right with probability ½ and shift it by up to 2 pixels in each direction
#   (mirroring the border in), a new random version at every epoch. Like dropout, they act
#   only in training.
#
# **L2 penalty or weight decay?** With plain SGD the penalty's pull, $2\lambda w$ times the
# learning rate, takes the same share off every weight at every step, which is why an L2
# penalty is often called *weight decay*. Under Adam it is not the same thing: Adam divides
# each weight's whole gradient, the penalty's part included, by a running estimate of that
# weight's gradient size, so weights with large gradients are pulled little and weights with
# small ones a lot. Loshchilov and Hutter ("Decoupled Weight Decay Regularization", 2019)
# showed that the difference matters and proposed *decoupled* weight decay: shrink every
# weight by the same share outside the gradient step, $w \leftarrow w - \eta\,\delta\,w$ with
# learning rate $\eta$ and decay $\delta$. Keras has it as
# `keras.optimizers.AdamW(weight_decay=δ)`, which by default decays every trained weight of
# the network, the biases and the output layer included (its `exclude_from_weight_decay`
# can spare some). We train both below.

# %%
def augmentation():
    """Random left-right flips and shifts of up to 2 pixels (1/16 of 32): training only."""
    return [keras.layers.RandomFlip("horizontal"),
            keras.layers.RandomTranslation(0.0625, 0.0625, fill_mode="reflect")]


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

    return keras.Sequential([
        keras.Input(shape=(32, 32, 3)),
        *(augmentation() if augment else []),
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
        keras.layers.Dense(10, activation="softmax"),     # no penalty on the output layer
    ])


cnn().summary()

# %% [markdown]
# What augmentation shows the network: four training images (left column) and three random
# versions of each, made by the same two layers in training mode. Some are mirrored; each
# is shifted by a random amount of up to 2 pixels each way (fractions of a pixel too: the
# layer interpolates between pixels), and the strip uncovered at the border is filled with a
# mirror image of the pixels next to it.

# %%
augment = keras.Sequential(augmentation())
originals = x_fit[:4]
versions = [augment(originals, training=True).numpy() for _ in range(3)]
grid = np.stack([originals, *versions], axis=1).reshape(-1, 32, 32, 3)   # one image a row
titles = [cifar.class_names[int(label)] if i % 4 == 0 else f"version {i % 4}"
          for i, label in enumerate(np.repeat(y_fit[:4].argmax(axis=1), 4))]
viz.image_grid(np.clip(grid + 0.5, 0, 1), titles, ncols=4, size=1.4)
plt.show()

# %% [markdown]
# ## The training recipe
#
# The tutorial trains with SGD at learning rate 0.001 and momentum 0.5, a slow recipe: it
# needs {{ tutorial("cifar10_cnn.epochs"):.0f }} epochs to reach its
# {{ tutorial("cifar10_cnn.test_accuracy"):.1% }}, and a ten-epoch run of it would leave little
# overfitting to regularise. So every variant here trains with **Adam** at learning rate
# 0.001, batches of 32, for {{ epochs }} epochs. That is the one change to the tutorial's
# recipe for the single techniques.
#
# After training, we score each variant on the images it trained on and on the validation
# images, with dropout and augmentation off, so that the **gap** between the two is a fair
# measure of what it memorised. On the test images we keep more than a score: which images
# each variant labels correctly, one `True` or `False` per image, so that two variants can be
# compared image by image further down.

# %%
results = {}
truth = y_test.argmax(axis=1)


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
    predicted = model.predict(x_test, batch_size=256, verbose=0)
    correct_plain = predicted.argmax(axis=1) == truth           # one True/False per image
    if flip_average:
        predicted = predicted + model.predict(x_test[:, :, ::-1], batch_size=256, verbose=0)
    correct = predicted.argmax(axis=1) == truth
    results[name] = {
        "test": float(correct.mean()), "test_plain": float(correct_plain.mean()),
        "correct": correct, "correct_plain": correct_plain,
        "train": fit_accuracy, "validation": val_accuracy, "gap": fit_accuracy - val_accuracy,
        "epochs": len(history.history["loss"]),
        # training images per second, as the log reports it (validation time left out)
        "images_per_second": log.images_per_second or len(x_fit) / log.epoch_seconds[-1],
        "parameters": model.count_params(), "history": history.history,
    }
    print(f"{name:>16}: test {correct.mean():.1%}, train {fit_accuracy:.1%}, "
          f"validation {val_accuracy:.1%}, {log.summary()}")


def early_stopping():
    return keras.callbacks.EarlyStopping(monitor="val_loss", patience=2,
                                         restore_best_weights=True)


# %% [markdown]
# ## One technique at a time
#
# The decoupled decay is set to $\delta = 0.1$: with $\eta = 0.001$ each step takes a
# ten-thousandth off every weight, on top of Adam's step.

# %%
train("no regularisation", cnn())
train("dropout", cnn(dropout=0.4))
train("L2 penalty", cnn(l2=0.0005))
train("AdamW", cnn(), optimizer=keras.optimizers.AdamW(learning_rate=0.001, weight_decay=0.1))
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
#   for it and does not claim that it does worse; exercise 4 below lets you try it.
# * **A learning-rate schedule**, drawn below. The rate rises from 0.0003 to 0.003 over the
#   first epoch (a *warm-up*) and then falls along a half cosine to zero at the last step.
#   The warm-up is there because the first steps are the dangerous ones: the weights are
#   random, the gradients are large and point in changing directions, and Adam's running
#   estimates of each weight's gradient size have seen only a few batches, so a full-size
#   step at once can throw the weights somewhere training never recovers from. A small rate
#   at first keeps those early, noisy steps short. Large steps after that cover ground; small
#   steps at the end let the weights settle into a minimum instead of jumping around it. The
#   peak is three times the rate of the single rows.
# * **Flip averaging at test time**, augmentation's counterpart: each test image is
#   classified as it is and mirrored, and the two predictions are averaged.
#
# The row **schedule only** trains the plain network with this schedule and nothing else
# (no batch normalisation, no regulariser), to tell the schedule's share from the
# regularisers'.

# %%
steps_per_epoch = int(np.ceil(len(x_fit) / 32))
schedule = keras.optimizers.schedules.CosineDecay(
    initial_learning_rate=0.0003, warmup_target=0.003, warmup_steps=steps_per_epoch,
    decay_steps=max(1, (epochs - 1) * steps_per_epoch))

steps = np.arange(epochs * steps_per_epoch)
plt.figure(figsize=(6, 2.6))
plt.plot(steps / steps_per_epoch, [float(schedule(step)) for step in steps])
plt.xlabel("epoch")
plt.ylabel("learning rate")
plt.title("warm-up over the first epoch, then a half cosine to zero")
plt.show()

# %%
train("schedule only", cnn(), optimizer=keras.optimizers.Adam(learning_rate=schedule))
train("combined", cnn(dropout=0.1, l2=0.00005, batchnorm=True, augment=True),
      optimizer=keras.optimizers.Adam(learning_rate=schedule),
      callbacks=[early_stopping()], flip_average=True)

# %% [markdown]
# ## Side by side
#
# Each row is one run. Its test accuracy is measured on {{ len(x_test):, }} images, so it is
# uncertain by about its binomial standard error, $\sqrt{p(1-p)/n}$ (the column ±). To say
# whether one variant beats another we do better than set two such scores side by side:
# both labelled the *same* test images, so we count the images where they disagree. Images
# both get right, or both get wrong, say nothing about which is better; what matters is how
# many only A gets right against how many only B does. If A and B were equally good, each of
# those images would be a coin toss between them, and the **exact McNemar test** gives the
# chance $p$ of a split at least as uneven as the one measured. Below $p = 0.05$ we call it a
# win; otherwise a **tie**, however the two accuracies differ. The last column compares each
# variant with the plain network that way. (A paired test says whether *these* two runs
# differ on *these* images; other seeds would move both, so it is the least a difference
# must pass, not proof that the technique always helps.)

# %%
plain = results["no regularisation"]
versus_plain = {name: metrics.paired_comparison(r["correct"], plain["correct"])
                for name, r in results.items() if name != "no regularisation"}
for name, versus in versus_plain.items():
    print(f"{name:>16}: right where plain is wrong {versus.only_a:5,}, wrong where plain is "
          f"right {versus.only_b:5,}, p = {versus.p_value:.2g}")

# %% tags=["hide-input"]
n_test = len(x_test)
se = {name: metrics.standard_error(r["test"], n_test) for name, r in results.items()}
seconds_per_epoch = {name: len(x_fit) / r["images_per_second"] for name, r in results.items()}


def verdict(name):
    if name not in versus_plain:
        return ""
    winner = versus_plain[name].winner
    return {"a": "better", "b": "worse", None: "tie"}[winner]


report.markdown(report.markdown_table(
    ["variant", "test", "±", "train", "val.", "gap", "epochs", "s/epoch", "vs plain"],
    [[name, f"**{r['test']:.1%}**", f"{se[name]:.1%}", f"{r['train']:.1%}",
      f"{r['validation']:.1%}", f"{100 * r['gap']:+.1f}", r["epochs"],
      f"{seconds_per_epoch[name]:.1f}", verdict(name)] for name, r in results.items()],
))
names = list(results)
viz.regularisation_bars(names, [results[n]["test"] for n in names],
                        [results[n]["gap"] for n in names], baseline=plain["test"])
plt.show()

# %% tags=["hide-input"]
keys = {"no regularisation": "baseline", "dropout": "dropout", "L2 penalty": "l2",
        "AdamW": "adamw", "batch norm": "batchnorm", "augmentation": "augmentation",
        "early stopping": "early_stopping", "schedule only": "schedule_only",
        "combined": "combined"}
for name, key in keys.items():
    report.record(f"{key}_test_accuracy", results[name]["test"])
    report.record(f"{key}_gap", results[name]["gap"])
    report.record(f"{key}_epochs", results[name]["epochs"])
    report.record(f"{key}_parameters", results[name]["parameters"])
    report.record(f"{key}_seconds_per_epoch", seconds_per_epoch[name])
    report.record(f"{key}_images_per_second", results[name]["images_per_second"],
                  quantity="number", better="higher")
report.record("combined_unflipped_test_accuracy", results["combined"]["test_plain"])
report.record("test_standard_error", se["no regularisation"])
report.record("combined_margin", results["combined"]["test"] - plain["test"]
              - metrics.noise_margin(results["combined"]["test"], plain["test"], n_test))
# which test images the plain and the combined model label correctly (the combined one with
# flip averaging, as its score): the next lesson compares its networks with them image by image
report.record_correct("plain", plain["correct"])
report.record_correct("combined", results["combined"]["correct"])

# %% tags=["hide-input"]
gap = {name: 100 * r["gap"] for name, r in results.items()}
test = {name: r["test"] for name, r in results.items()}
rate = {name: r["images_per_second"] for name, r in results.items()}
stopped = results["early stopping"]["epochs"]
best_epoch = int(np.argmin(results["early stopping"]["history"]["val_loss"])) + 1


def paired_verdict(versus, a, b):
    """What the paired test found, in words for the text: which of a and b labels more of the
    test images correctly, or that the images cannot tell them apart."""
    if versus.tie:
        return f"the paired test cannot tell {a} from {b}"
    better, worse = (a, b) if versus.winner == "a" else (b, a)
    return f"{better} labels more of them correctly than {worse}"


helpers = ["dropout", "batch norm", "augmentation"]
l2_evidence = versus_plain["L2 penalty"].evidence("L2 penalty", "plain")
stopping_evidence = versus_plain["early stopping"].evidence("early stopping", "plain")
claim("three_beat_plain", "dropout, batch normalisation and augmentation each label more "
      "test images correctly than the plain network",
      holds=all(versus_plain[n].winner == "a" for n in helpers),
      evidence="; ".join(versus_plain[n].evidence(n, "plain") for n in helpers))
claim("l2_narrows_gap", "the L2 penalty narrows the gap between training and validation "
      "accuracy by more than 5 points",
      holds=gap["L2 penalty"] < gap["no regularisation"] - 5,
      evidence=f"gap {gap['L2 penalty']:.1f} points against the plain network's "
               f"{gap['no regularisation']:.1f}; {l2_evidence}")
adamw_versus_l2 = metrics.paired_comparison(results["AdamW"]["correct"],
                                            results["L2 penalty"]["correct"])
claim("adamw_fits_closer", "decoupled weight decay (AdamW) fits the training images more "
      "closely than the L2 penalty and leaves a wider gap",
      holds=gap["AdamW"] > gap["L2 penalty"]
      and results["AdamW"]["train"] > results["L2 penalty"]["train"],
      evidence=f"{adamw_versus_l2.evidence('AdamW', 'L2 penalty')}; training accuracy "
               f"{results['AdamW']['train']:.1%} and {results['L2 penalty']['train']:.1%}, "
               f"gaps {gap['AdamW']:.1f} and {gap['L2 penalty']:.1f} points")
claim("l2_lowers_training", "the L2 penalty lowers the training accuracy",
      holds=results["L2 penalty"]["train"] < plain["train"],
      evidence=f"training accuracy {results['L2 penalty']['train']:.1%} against "
               f"{plain['train']:.1%}; validation {results['L2 penalty']['validation']:.1%} "
               f"against {plain['validation']:.1%}; {l2_evidence}")
claim("stopping_stops_early", "early stopping stopped before the last epoch and went back to "
      "the weights of an earlier one",
      holds=best_epoch < stopped < epochs,
      evidence=f"stopped after epoch {stopped} of {epochs}, kept epoch {best_epoch}; "
               f"{stopping_evidence}")
claim("schedule_fits_harder", "the schedule alone makes the plain network fit its training "
      "images more closely, and its gap grows",
      holds=results["schedule only"]["train"] > plain["train"]
      and gap["schedule only"] > gap["no regularisation"],
      evidence=f"training accuracy {results['schedule only']['train']:.1%} against "
               f"{plain['train']:.1%}, gap {gap['schedule only']:.1f} points against "
               f"{gap['no regularisation']:.1f}")
regularisers_versus_schedule = metrics.paired_comparison(
    results["combined"]["correct_plain"], results["schedule only"]["correct"])
claim("regularisers_add", "with the same schedule and without flip averaging, the combined "
      "model labels more test images correctly than the plain network with the schedule alone",
      holds=regularisers_versus_schedule.winner == "a",
      evidence=regularisers_versus_schedule.evidence("combined (no flips)", "schedule only"))
claim("batchnorm_costs_time", "batch normalisation slows training per image more than "
      "augmentation does, on this page's machine",
      holds=rate["batch norm"] < rate["augmentation"],
      evidence=f"{rate['batch norm']:,.0f} training images per second with batch "
               f"normalisation, {rate['augmentation']:,.0f} with augmentation, "
               f"{rate['no regularisation']:,.0f} with neither")

# %% [markdown]
# ## Why each one moves the gap
#
# Trained without regularisation, the network scores {{ plain["train"]:.1% }} on its own
# training images and {{ plain["validation"]:.1% }} on the validation images: a gap of
# {{ gap["no regularisation"]:.1f }} points, and {{ plain["test"]:.1% }} on the test set.
#
# **Dropout, batch normalisation and augmentation** each label more test images correctly
# than the plain network {{ claim three_beat_plain }}, and each by a different route.
#
# * **Dropout** (gap {{ gap["dropout"]:.1f }} points, test {{ test["dropout"]:.1% }}). With
#   a random part of its inputs missing at every step, no unit of the dense head can rely on
#   one particular combination of features, and that is how a network memorises single
#   images. The head holds most of the parameters, so that is where it matters.
# * **Batch normalisation** (gap {{ gap["batch norm"]:.1f }} points, test
#   {{ test["batch norm"]:.1% }}). It was proposed as a help to optimisation: with every
#   layer's input kept on one scale, a network trains with less care over its learning rate
#   and its initial weights. This run does not test that: every single row uses the same
#   rate, and one run of each cannot tell a small difference in how closely they fit
#   (training accuracy {{ results["batch norm"]["train"]:.1% }} with batch normalisation,
#   {{ plain["train"]:.1% }} without). What this run does show is better test accuracy,
#   usually put down to a side effect:
#   each image is normalised with the statistics of a random batch, which adds a little
#   noise at every step, much as dropout does.
# * **Data augmentation** (gap {{ gap["augmentation"]:.1f }} points, test
#   {{ test["augmentation"]:.1% }}). A flipped or shifted photograph of a ship is still a
#   ship: each epoch shows the network new versions of its images, so there is less to
#   memorise and more to generalise from. It attacks the cause, too few training images; the
#   price is that the ever-changing training set takes more epochs to fit (training accuracy
#   {{ results["augmentation"]["train"]:.1% }}).
#
# **The L2 penalty** (gap {{ gap["L2 penalty"]:.1f }} points, test
# {{ test["L2 penalty"]:.1% }}) narrows the gap {{ claim l2_narrows_gap }}, and mostly from
# the training side: it lowers the training accuracy
# ({{ results["L2 penalty"]["train"]:.1% }} against {{ plain["train"]:.1% }})
# {{ claim l2_lowers_training }}, while the validation accuracy goes from
# {{ plain["validation"]:.1% }} to {{ results["L2 penalty"]["validation"]:.1% }}. On the
# test images, at this strength,
# {{ paired_verdict(versus_plain["L2 penalty"], "the penalised network", "the plain one") }}.
# Memorising an image takes large, finely tuned weights; the penalty makes every weight pay
# for its size, so the network keeps only the weights that help on many images (under Adam,
# unevenly, as said above). **AdamW**, the decoupled decay, scores {{ test["AdamW"]:.1% }}
# with a gap of {{ gap["AdamW"]:.1f }} points. At these settings it holds the training
# accuracy back less than the penalty does ({{ results["AdamW"]["train"]:.1% }}) and leaves
# a wider gap {{ claim adamw_fits_closer }}; on the same test images
# {{ paired_verdict(adamw_versus_l2, "AdamW", "the penalty") }}. The gap says how much a
# network memorised; only the test images rank two networks. The two strengths, 0.0005 for
# the penalty and 0.1 for the decay, are not the
# same dose in any exact sense; exercise 5 asks you to try another.
#
# **Early stopping** changes nothing in the network; it only stops training when the
# validation loss stops improving. Here it stopped after epoch {{ stopped }}, two epochs after
# the lowest validation loss, and went back to the weights of epoch {{ best_epoch }}
# {{ claim stopping_stops_early }}. On the test images,
# {{ paired_verdict(versus_plain["early stopping"], "the early-stopped network", "the plain one") }}
# trained for all {{ epochs }} epochs. Early stopping saves time and picks the epoch with the
# lowest validation loss; it does not raise the ceiling.
#
# The schedule on its own is no regulariser: it makes the plain network fit its training
# images more closely ({{ results["schedule only"]["train"]:.1% }}), and the gap grows to
# {{ gap["schedule only"]:.1f }} points {{ claim schedule_fits_harder }}. Its test accuracy is
# {{ test["schedule only"]:.1% }}. With the regularisers on top of the same schedule, the
# combined model reaches {{ results["combined"]["test_plain"]:.1% }} before flip averaging,
# more than the schedule alone {{ claim regularisers_add }}; averaging over mirrored images
# then gives **{{ test["combined"]:.1% }}**, with a gap of {{ gap["combined"]:.1f }} points.
#
# What the timings show: the plain network trains {{ rate["no regularisation"]:,.0f }} images
# a second, with augmentation {{ rate["augmentation"]:,.0f }}, with batch normalisation
# {{ rate["batch norm"]:,.0f }}, and the combined model, which has both,
# {{ rate["combined"]:,.0f }}. So the cost is batch normalisation's, not augmentation's
# {{ claim batchnorm_costs_time }}: its six layers each make one more pass over every
# activation, forwards and backwards, and on a processor those passes are limited by
# memory, not arithmetic, while shifting and flipping a 32 × 32 image is cheap next to the
# convolutions that follow. (Each variant is timed once, on a machine other programs may
# share, so small differences between two rows are noise.)
#
# The training curves of the plain network and of the combined one:

# %% tags=["hide-input"]
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

# %% tags=["hide-input"]
curves_apart = {name: 100 * (r["history"]["accuracy"][-1] - r["history"]["val_accuracy"][-1])
                for name, r in results.items()}
claim("curves_part", "the plain network's training and validation curves end further apart "
      "than the combined model's",
      holds=curves_apart["no regularisation"] > curves_apart["combined"] + 5,
      evidence=f"last epoch: training {curves_apart['no regularisation']:+.1f} points above "
               f"validation for the plain network, {curves_apart['combined']:+.1f} for the "
               "combined model")

# %% tags=["hide-input"]
stored = "benchmarks/results/tutorial_cnn_80_epochs.json"
reference_run = benchmark_result(stored)      # None where the file is absent
same_data = (reference_run is not None
             and reference_run["data_fingerprint"] == cifar.provenance.fingerprint
             and train_size is None and test_size is None)
long_run = reference_run["test_accuracy"] if reference_run else float("nan")
long_run_images = reference_run["train_images"] if reference_run else 0
long_run_hardware = reference_run["hardware"] if reference_run else "a machine not named here"

# %% [markdown]
# The plain network's two curves part as it memorises its training images: at the last epoch
# its training curve lies {{ curves_apart["no regularisation"]:.1f }} points above its
# validation curve, the combined model's {{ curves_apart["combined"]:.1f }}
# {{ claim curves_part }}. The combined model's training curve is measured as it trains,
# with dropout and augmentation on, which is why it can lie *below* validation; the table's
# training column is measured with them off.
#
# ## Against the tutorial's long run
#
# The tutorial trains its network for {{ tutorial("cifar10_cnn.epochs"):.0f }} epochs. We ran
# that once, on {{ long_run_hardware }}, with the tutorial's recipe,
# on the same copy of CIFAR-10 (`benchmarks/tutorial_cnn_80_epochs.py`; the result is stored
# in `benchmarks/results/tutorial_cnn_80_epochs.json`, with the command, the hardware and a
# fingerprint of the data). That run did not keep which test images it got right, so here
# the comparison is the rule of thumb of the Fashion-MNIST lesson: a difference counts when it
# exceeds twice the standard error of a difference.

# %% tags=["hide-input"]
if same_data:
    report.record("tutorial_80_epochs_accuracy", long_run)
    report.markdown(report.markdown_table(
        ["", "epochs", "test accuracy"],
        [["tutorial CNN and recipe (stored run)", reference_run["epochs"], f"{long_run:.1%}"],
         ["plain CNN, Adam with the schedule (this run)", results["schedule only"]["epochs"],
          f"{test['schedule only']:.1%}"],
         ["combined model (this run)", results["combined"]["epochs"],
          f"{test['combined']:.1%}"]]))
else:
    print(f"No comparable stored run: {stored} is absent (a notebook opened outside the "
          "course's repository), or it was made on other images than this run's.")
margin = {name: metrics.noise_margin(test[name], long_run, n_test) if same_data else 0.0
          for name in ("schedule only", "combined")}
schedule_versus_long_run = (
    "cannot be set beside" if not same_data
    else "is not distinguishable from"
    if abs(test["schedule only"] - long_run) <= margin["schedule only"]
    else "is above" if test["schedule only"] > long_run else "is below")
schedule_versus_plain = metrics.paired_comparison(results["schedule only"]["correct"],
                                                  plain["correct"])
claim("schedule_beats_plain", "with the warm-up and cosine schedule, the plain network labels "
      "more test images correctly than with Adam's constant learning rate",
      holds=schedule_versus_plain.winner == "a",
      evidence=schedule_versus_plain.evidence("schedule", "constant rate"))
claim("combined_beats_long_run", "the combined model beats the tutorial recipe's long run",
      holds=same_data and test["combined"] - long_run > margin["combined"],
      evidence=(f"{test['combined']:.1%} against {long_run:.1%}; a difference must exceed "
                f"{100 * margin['combined']:.1f} points to count" if same_data
                else "no comparable stored run"))

# %% [markdown]
# On the {{ long_run_images:, }} training images of this page's full run, the tutorial's
# network and recipe reached {{ long_run:.1% }} after
# {{ tutorial("cifar10_cnn.epochs"):.0f }} epochs. Two things separate the combined model
# from that run, and they do different jobs. The first is the optimiser: with the warm-up
# and cosine schedule, the *plain* network labels more test images correctly than with
# Adam's constant rate {{ claim schedule_beats_plain }}, and after {{ epochs }} epochs
# instead of {{ tutorial("cifar10_cnn.epochs"):.0f }} its test accuracy,
# {{ test["schedule only"]:.1% }}, {{ schedule_versus_long_run }} the long run's (the long
# run's SGD at learning rate 0.001 and momentum 0.5 is slow). The second is regularisation:
# it carries the combined model to {{ test["combined"]:.1% }}
# {{ claim combined_beats_long_run }}.
#
# The tutorial itself reports {{ tutorial("cifar10_cnn.test_accuracy"):.1% }} after
# {{ tutorial("cifar10_cnn.epochs"):.0f }} epochs, trained on CIFAR-10's full training set of
# 50,000 images less the share it holds out for validation. This page's run trained on
# {{ len(x_fit):, }} of the {{ len(cifar.x_train):, }} training images it found. With fewer
# examples of each class a network reaches less, so the tutorial's figure can be set beside
# a run only when the two trained on as many images.
#
# ## What we have
#
# * Overfitting shows as a gap between training and validation accuracy: here
#   {{ gap["no regularisation"]:.1f }} points for the plain network after {{ epochs }}
#   epochs. Each technique works against it in its own way: noise in the network (dropout,
#   and batch normalisation's batch statistics), a price on large weights (the L2 penalty;
#   under Adam not the same as decoupled weight decay, `AdamW`), new versions of the data
#   (augmentation), or stopping in time.
# * A narrower gap is not by itself a better network: the L2 penalty narrowed it here mostly
#   by lowering the training accuracy. Whether a network is better is a question for the
#   test images, and for a paired test.
# * Compare two networks on the same test images, image by image: only the images on which
#   they disagree tell them apart, and the exact McNemar test says whether the split is more
#   uneven than chance.
# * An optimiser and a schedule are not regularisers: the schedule alone made the plain
#   network fit harder, and brought it to a test accuracy that
#   {{ schedule_versus_long_run }} the tutorial's long run's; regularisation on top of it is
#   what raised the test accuracy further.
# * On a processor, batch normalisation costs more time per epoch than augmentation, which
#   costs little time but needs more epochs to fit.
#
# ## Exercises
#
# Do these in the downloaded notebook; each check cell says whether your answer is right, and
# on the page each answer is folded under its exercise.
#
# 1. **Parameters of batch normalisation.** Each `BatchNormalization` layer keeps four
#    numbers per channel (scale, shift, and the two running averages), and
#    `cnn(batchnorm=True)` drops the convolutions' biases. Predict
#    `cnn(batchnorm=True).count_params()` from the plain network's summary above, before
#    running it, and set `my_parameters` below.
# 2. **The noise of a test score.** A network has test accuracy 0.6 on 500 test images. What
#    is the binomial standard error of that score, as a fraction? Set `my_standard_error`.
# 3. **The length of the warm-up.** How many training steps does the warm-up last in the full
#    run? Work it out from the number of training images printed under "The data" and the
#    batch size. Set `my_warmup_steps`.
# 4. **Heavier regularisers combined** (a training run). Predict first: will
#    `cnn(dropout=0.4, l2=0.0005, batchnorm=True, augment=True)` with the combined model's
#    schedule do better or worse than the combined row? Then change the combined model's
#    cell, run the page again, and compare the two on the same test images with
#    `metrics.paired_comparison` (keep the old row's `results["combined"]["correct"]` before
#    you re-run). No check cell: the answer is the run.
# 5. **Another dose of weight decay** (a training run). Predict first: with
#    `weight_decay=0.5`, will AdamW's gap be wider or narrower than with 0.1, and its
#    training accuracy higher or lower? Change the AdamW line and run the page again.

# %%
my_parameters = None        # exercise 1: your prediction, e.g. 600_000
my_standard_error = None    # exercise 2: your answer as a fraction, e.g. 0.05
my_warmup_steps = None      # exercise 3: your answer, e.g. 100

# %% tags=["hide-input"]
bn_layers = [layer for layer in cnn(batchnorm=True).layers
             if isinstance(layer, keras.layers.BatchNormalization)]
check("exercise 1", my_parameters, cnn(batchnorm=True).count_params(),
      explain=f"The plain network has {plain['parameters']:,} parameters. Its six "
              "convolutions have 64 + 64 + 32 + 32 + 16 + 16 = 224 channels: they lose 224 "
              "biases and gain 4 × 224 = 896 numbers in batch normalisation. `count_params` "
              "counts the running averages too, though they are not trained: "
              f"{plain['parameters']:,} − 224 + 896.")
check("exercise 2", my_standard_error, metrics.standard_error(0.6, 500), atol=0.001,
      explain="√(0.6 × 0.4 / 500) ≈ 0.0219: about 2.2 points either way, for one run's "
              "score on 500 images.")
check("exercise 3", my_warmup_steps, int(np.ceil(int(0.85 * len(cifar.x_train)) / 32)),
      explain=f"The full run trains on 85% of {len(cifar.x_train):,} images, "
              f"{int(0.85 * len(cifar.x_train)):,}, in batches of 32, the last one partial: "
              "the warm-up is one epoch of that many steps, rounded up.")

# %% [markdown]
# Next, [reference architectures](../reference_architectures/): networks built from
# repeated blocks, trained with a recipe like the combined model's.
#
# ## What this page checks

# %%
report.record("parameters", plain["parameters"])
report.record("variants", len(results))
expect("parameters").equals(tutorial("cifar10_cnn.parameters"))   # its network, unchanged
expect("variants").equals(9)
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
