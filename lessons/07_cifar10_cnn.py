# %% [markdown]
# # A CNN on CIFAR-10
#
# The dense baseline flattened every photograph into a list of numbers. Here we train the
# tutorial's convolutional network on the same CIFAR-10 images: six 3 × 3 convolution layers
# in three pairs, two pooling layers and a small dense head. We measure how it compares with
# the dense network, and its training curves show the next problem: *overfitting*, the
# network memorising its training images while it stops improving on new ones.
#
# It builds on four lessons: [the dense baseline](../dense_baseline/) (lesson 02, the figure
# to beat), [convolution](../convolution/) (lesson 03), [padding, stride and
# pooling](../padding_stride_pooling/) (lesson 04) and [tracing
# shapes](../tracing_shapes/) (lesson 05, the shapes and parameter counts used below).

# %% [markdown]
# How big a run this page makes. These are the values of the full run, the tutorial's 80
# epochs on every training image; a quick build of the site uses fewer images and epochs, and
# the box at the top of the page says which ran.

# %% tags=["parameters"]
train_size = None   # training images to use (None: all of them)
epochs = 80

# %%
import keras
import matplotlib.pyplot as plt
import numpy as np

from convlab import data, report, training, viz
from convlab.exercises import check
from convlab.expectations import expect
from convlab.references import tutorial
from convlab.runs import benchmark_result

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
# ## The network
#
# Three blocks of two convolutions each, with 64, 32 and 16 filters of 3 × 3 pixels,
# `padding="same"` so that a convolution keeps the image's size, and the ReLU activation
# $\max(0, z)$. Max pooling halves the size after the first two blocks:
# 32 × 32 → 16 × 16 → 8 × 8. The last block leaves 8 × 8 × 16 = 1,024 numbers, which a
# dense head of 512 and 64 units turns into ten class probabilities.
#
# A convolution with a $k \times k$ kernel, $c_\text{in}$ input channels and $c_\text{out}$
# filters has $(k^2 c_\text{in} + 1)\, c_\text{out}$ parameters, however large the image.

# %%
model = keras.Sequential([
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


def run_line():
    """How long the run took, and how many images a second it trained on."""
    text = f"{len(log.epoch_seconds)} epochs in {log.seconds:,.0f} s"
    if log.images_per_second is not None:
        text += f" ({log.images_per_second:,.0f} images/s)"
    return text

# %% [markdown]
# The run: {{ run_line() }}, on {{ log.samples[0]:, }} training images per epoch, and
# {{ len(x_train) - log.samples[0]:, }} held out for validation. How fast this loop could go
# (`tf.data`, XLA, bfloat16, larger batches, the machine's matmul rate) is measured in
# [lesson 11](../gpu_speed/).

# %%
viz.plot_history(history, references={"accuracy": tutorial("cifar10_cnn.test_accuracy")})
plt.show()

# %%
train_curve = np.array(history.history["accuracy"])
val_curve = np.array(history.history["val_accuracy"])
best_epoch = int(val_curve.argmax()) + 1
gap = train_curve - val_curve
parted = next((epoch + 1 for epoch, g in enumerate(gap) if g > 0.05), None)


tutorial_parted = tutorial("cifar10_cnn.curves_part_epoch")


val_loss_curve = np.array(history.history["val_loss"])
lowest_loss_epoch = int(val_loss_curve.argmin()) + 1


def loss_sentence():
    """Whether this run's validation loss turned up."""
    rise = val_loss_curve[-1] - val_loss_curve.min()
    if lowest_loss_epoch == len(val_loss_curve):
        return (f"In this run it was still falling at the last epoch ({val_loss_curve[-1]:.3f}), "
                "so the run is too short to show it.")
    return (f"In this run it was lowest after epoch {lowest_loss_epoch} "
            f"({val_loss_curve.min():.3f}) and ended {rise:.3f} higher, at "
            f"{val_loss_curve[-1]:.3f}.")


def where_they_part():
    """A sentence on the curves, written from the run."""
    rule = ("We say the curves part at the first epoch where training accuracy runs more than "
            "5 points ahead of validation accuracy: from there on, validation no longer "
            "follows training.")
    if parted is None:
        return (f"{rule} In this run's {len(gap)} epochs they have not parted yet (the largest "
                f"gap is {100 * gap.max():.1f} points); the tutorial's curves part around epoch "
                f"{tutorial_parted:.0f}, and the full run's 80 epochs show what follows.")
    return (f"{rule} Here they part at epoch {parted} (the tutorial's part around epoch "
            f"{tutorial_parted:.0f}); by the last epoch the gap is {100 * gap[-1]:.0f} points.")


stored = "benchmarks/results/tutorial_cnn_80_epochs.json"
long_run = benchmark_result(stored)      # None where the file is absent
long_run_comparable = (long_run is not None
                       and long_run["data_fingerprint"] == cifar.provenance.fingerprint)


def early_stopping_sentence():
    """What stopping at the validation peak would have saved, in this run and the stored one."""
    here = (f"In this run validation peaked after epoch {best_epoch} of {len(val_curve)}: "
            f"stopping there would have taken {best_epoch / len(val_curve):.0%} of the epochs, "
            f"at a validation accuracy of {val_curve.max():.1%} against the "
            f"{val_curve[-1]:.1%} the last epoch ended at.")
    if not long_run_comparable:
        return here + (" The course's stored 80-epoch run is not shown: it is absent, or was "
                       "made on another copy of CIFAR-10 than this page's.")
    peak, total = long_run["best_validation_epoch"], long_run["epochs"]
    return here + (
        f" In the course's stored {total}-epoch run of this network and recipe "
        f"(`{stored}`, {long_run['date']}, on {long_run['train_images']:,} training images), "
        f"validation peaked at epoch {peak} of {total}, at "
        f"{long_run['best_validation_accuracy']:.1%} against a final "
        f"{long_run['final_validation_accuracy']:.1%}: stopping at the peak would have saved "
        f"{total - peak} epoch{'s' if total - peak != 1 else ''} "
        f"({(total - peak) / total:.0%} of the time), so on this data early stopping "
        + ("saves little time." if (total - peak) / total < 0.25
           else "saves a large part of the run."))


# %% [markdown]
# ## Where training and validation part
#
# Both curves come from the same network at the same moment; the training curve is measured
# on images the network is fitting, the validation curve on images it never trains on.
# {{ where_they_part() }} Validation accuracy was highest after epoch **{{ best_epoch }}**
# ({{ val_curve.max():.1% }}) and ended at {{ val_curve[-1]:.1% }}, while training accuracy
# ended at {{ train_curve[-1]:.1% }}.
#
# Curves that part are the sign of overfitting. Once the network has learned what
# generalises, further epochs lower the training loss mostly by memorising the training
# photographs, their backgrounds and noise included. The validation loss, which should fall
# with the training loss, then levels out and climbs: the network grows more confident on the
# images it gets wrong. {{ loss_sentence() }} The tutorial reports training accuracy of
# about {{ tutorial("cifar10_cnn.train_accuracy"):.0% }} after 80 epochs, with validation far
# behind.
#
# One remedy is to stop early. {{ early_stopping_sentence() }} The
# [MNIST lesson](../mnist_inside/) and [lesson 09](../regularisation/) name the other remedies.
#
# ## How good is it?

# %%
test_loss, test_accuracy = model.evaluate(x_test, y_test, verbose=0)
report.compare({"test_accuracy": test_accuracy, "test_loss": test_loss,
                "train_accuracy": train_curve[-1], "parameters": model.count_params()},
               reference="cifar10_cnn")
dense_reference = tutorial("dense_baseline.test_accuracy")


def against_dense():
    """This run's test accuracy beside the dense baseline's tutorial figure."""
    if test_accuracy > dense_reference:
        return (f"That is {100 * (test_accuracy - dense_reference):.1f} points above the "
                f"{dense_reference:.0%} the tutorial reports for the dense baseline of "
                "[lesson 02](../dense_baseline/), with "
                f"{model.count_params() / dense_parameters:.0%} of its parameters.")
    return (f"That is below the {dense_reference:.0%} the tutorial reports for the dense "
            "baseline of [lesson 02](../dense_baseline/): this run is too short for SGD at "
            "learning rate 0.001 to get far, so it cannot show the CNN's advantage; the full "
            "run is expected to beat that figure (the checks at the end say which ran).")

# %% [markdown]
# After {{ epochs }} epochs on {{ log.samples[0]:, }} training images, the network labels
# **{{ test_accuracy:.1% }}** of the {{ len(x_test):, }} test images correctly; the tutorial
# reports {{ tutorial("cifar10_cnn.test_accuracy"):.2% }} after 80 epochs on CIFAR-10's full
# training set, with the same `validation_split=0.15`. The box at the top says how many
# images and which profile built this page: fewer images and epochs mean a lower figure.
# {{ against_dense() }}
#
# ## What it confuses
#
# The confusion matrix counts, for every true class (a row), how the network labelled its
# test images (the columns). The diagonal holds the correct answers.

# %%
probabilities = model.predict(x_test, verbose=0)
predicted = probabilities.argmax(axis=1)
truth = cifar.y_test[:, 0]
viz.confusion_matrix(truth, predicted, cifar.class_names)
plt.show()

# %%
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


def alike_sentence():
    """How many of the most confused pairs are two animals or two vehicles, from this run."""
    text = (f"{alike} of the {len(pairs)} pairs in the table "
            f"{'is' if alike == 1 else 'are'} two animals or two vehicles")
    if alike > len(pairs) / 2:
        return text + ", classes that share shapes, colours and backgrounds at 32 × 32 pixels."
    given = np.bincount(predicted, minlength=10) / len(predicted)
    return text + (f"; this run gives {given.max():.0%} of all test images the label "
                   f"{cifar.class_names[given.argmax()]} (a balanced labelling gives each 10%).")

# %% [markdown]
# The pair confused most is **{{ cifar.class_names[top_a] }} / {{ cifar.class_names[top_b] }}**:
# {{ top_count:, }} test images of one labelled as the other. {{ alike_sentence() }} Per
# class, the network does best on **{{ cifar.class_names[best] }}**
# ({{ per_class[best]:.0% }}) and worst on **{{ cifar.class_names[worst] }}**
# ({{ per_class[worst]:.0% }}):

# %%
viz.per_class_accuracy(truth, predicted, cifar.class_names, chance=0.1)
plt.show()

# %% [markdown]
# ## What we have
#
# * Convolutions share a few small kernels across the image: {{ model.count_params():, }}
#   parameters, {{ model.count_params() / dense_parameters:.0%}} of the dense baseline's, and
#   a test accuracy of {{ test_accuracy:.1% }} after {{ epochs }} epochs (the tutorial
#   reports {{ dense_reference:.0% }} for its dense baseline and
#   {{ tutorial("cifar10_cnn.test_accuracy"):.1% }} for this CNN).
# * Trained long enough, the network fits its training images better than new ones: here
#   training accuracy ended at {{ train_curve[-1]:.1% }} and validation at
#   {{ val_curve[-1]:.1% }}, a gap of {{ 100 * gap[-1]:.1f }} points.
# * Validation peaked after epoch {{ best_epoch }} of {{ epochs }}; stopping there is the
#   simplest remedy, and the next lessons try others.
# * The pair confused most is {{ cifar.class_names[top_a] }} / {{ cifar.class_names[top_b] }};
#   pairs of two animals or two vehicles make up {{ alike }} of the {{ len(pairs) }} most
#   confused.
#
# Next: [Fashion-MNIST, dense against CNN](../fashion_mnist/) (lesson 07).
#
# ## Exercises
#
# Do these in the downloaded notebook; each check cell says whether your answer is right.
#
# 1. **Parameters of a convolution.** Before looking at the summary, how many parameters
#    does the first `Conv2D(64, (3, 3))` hold, on the 3 colour channels? Set `answer_1`.
# 2. **What `validation_split` holds out.** With `validation_split=0.15`, which index of
#    `x_train` is the first validation image (Keras takes the last 0.15 of the arrays as one
#    block)? Set `answer_2`.
# 3. **Stop early.** Set `epochs` in the parameters cell to the epoch where validation
#    peaked ({{ best_epoch }} in this run) and run the notebook again: does the test accuracy
#    change by more than a point? (Compare with {{ test_accuracy:.1% }}.)

# %%
answer_1 = None   # your answer: parameters of the first convolution
answer_2 = None   # your answer: index of the first validation image

# %% tags=["hide-input"]
check("exercise 1", answer_1, model.layers[0].count_params(),
      hint="count (k² c_in + 1) c_out: k² c_in weights and one bias per filter.")
check("exercise 2", answer_2, int(len(x_train) * (1 - 0.15)),
      hint="Keras keeps int(n × (1 - 0.15)) images for training, rounding down.")

# %% [markdown]
# ## What this page checks

# %%
report.record("best_validation_epoch", best_epoch)
expect("parameters").equals(tutorial("cifar10_cnn.parameters"))   # its model.summary()
# A quick run takes a few hundred small steps of SGD, so it barely leaves guessing; the full
# run on all 50,000 images should come near the tutorial (on a 10,000-image copy, lower).
expect("test_accuracy").between(0.08, 0.40, profile="quick")
expect("test_accuracy").at_least(0.50, profile="full")
# The CNN beats the dense baseline's tutorial figure, and the curves part (overfitting).
report.record("final_train_validation_gap", gap[-1], quantity="fraction")
if parted is not None:
    report.record("curves_part_epoch", parted)
expect("test_accuracy").at_least(dense_reference, profile="full")   # the tutorial's dense 47%
expect("final_train_validation_gap").at_least(0.05, profile="full")
