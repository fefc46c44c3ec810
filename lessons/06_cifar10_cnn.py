# %% [markdown]
# # A CNN on CIFAR-10
#
# The dense baseline flattened every photograph into a list of numbers. Here we train the
# tutorial's convolutional network on the same CIFAR-10 images: six 3 × 3 convolution layers
# in three pairs, two pooling layers and a small dense head. It learns far more than the dense
# network, and its training curves show the next problem in plain sight: *overfitting*, the
# network memorising its training images while it stops improving on new ones.

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
from convlab.expectations import expect
from convlab.references import tutorial

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

# %% [markdown]
# {{ model.count_params():, }} parameters, about a sixth of the dense baseline's, and most of them
# ({{ model.layers[-3].count_params():, }}) in the first dense layer. The six convolutions
# together hold only {{ sum(layer.count_params() for layer in model.layers[:8]):, }}: the same
# few 3 × 3 kernels slide over every position of the image.
#
# ## Training
#
# The tutorial's recipe: stochastic gradient descent with learning rate 0.001 and momentum
# 0.5, categorical cross-entropy, batches of 32 (Keras's default), and the last 15 in every
# 100 training images held out for validation.

# %%
model.compile(
    optimizer=keras.optimizers.SGD(learning_rate=0.001, momentum=0.5),
    loss="categorical_crossentropy",
    metrics=["accuracy"],
)
log = training.EpochLog(lines=10)   # about ten lines, however many epochs
history = model.fit(x_train, y_train, epochs=epochs, batch_size=32, validation_split=0.15,
                    verbose=0, callbacks=[log])

# %% [markdown]
# The run: {{ log.summary() }}, on {{ log.samples[0]:, }} training images per epoch. The
# last figure says how well the training loop uses the machine: the network's multiply-adds
# per second, as a share of what this machine reaches multiplying two large matrices.
#
# This page trains in float32 with a plain `model.fit` on NumPy arrays, as the tutorial does.
# convlab's benchmark,
# [`benchmarks/train_speed.py`](https://github.com/convlab/convlab/tree/main/benchmarks),
# times that loop against the alternatives on this model, on the machine it runs on. In the
# measurements made for this course on a 2-core CPU, a `tf.data` pipeline trained no faster
# at batch 32 and XLA compilation (`jit_compile=True`) trained slower. Mixed bfloat16 was
# faster on a CPU with bfloat16 units, but it changes the arithmetic, so it stays off until
# the benchmark's accuracy check passes; a larger batch was faster too, but the batch size is
# part of the recipe. Run the benchmark to see which choice wins on your machine.

# %%
viz.plot_history(history, references={"accuracy": tutorial("cifar10_cnn.test_accuracy")})
plt.show()

# %%
train_curve = np.array(history.history["accuracy"])
val_curve = np.array(history.history["val_accuracy"])
best_epoch = int(val_curve.argmax()) + 1
gap = train_curve - val_curve
parted = next((epoch + 1 for epoch, g in enumerate(gap) if g > 0.05), None)


def where_they_part():
    """A sentence on the curves, written from the run."""
    if parted is None:
        return (f"In this run's {len(gap)} epochs the two accuracy curves have not parted yet: "
                "training accuracy never runs more than 5 points ahead of validation. "
                "The full run's 80 epochs show what follows.")
    return (f"The curves part at epoch {parted}, the first where training accuracy runs more "
            f"than 5 points ahead of validation; by the last epoch the gap is "
            f"{100 * gap[-1]:.0f} points.")


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
# photographs, their backgrounds and noise included. In a long run the validation loss,
# which should fall with the training loss, levels out and then climbs: the network grows
# more confident on the images it gets wrong. The tutorial reports training accuracy of
# about {{ tutorial("cifar10_cnn.train_accuracy"):.0% }} after 80 epochs, with validation far
# behind. Stopping at the epoch where validation peaked would have given the same test
# accuracy in a fraction of the time; the MNIST lesson names the other remedies.
#
# ## How good is it?

# %%
test_loss, test_accuracy = model.evaluate(x_test, y_test, verbose=0)
report.compare({"test_accuracy": test_accuracy, "test_loss": test_loss,
                "train_accuracy": train_curve[-1], "parameters": model.count_params()},
               reference="cifar10_cnn")

# %% [markdown]
# After {{ epochs }} epochs on {{ log.samples[0]:, }} training images, the network labels
# **{{ test_accuracy:.1% }}** of the {{ len(x_test):, }} test images correctly; the tutorial
# reports {{ tutorial("cifar10_cnn.test_accuracy"):.2% }} after 80 epochs on all 50,000
# training images. The box at the top says how many images and which profile built this page:
# fewer images and epochs mean a lower figure.
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

# %% [markdown]
# The pair confused most is **{{ cifar.class_names[top_a] }} / {{ cifar.class_names[top_b] }}**:
# {{ top_count:, }} test images of one labelled as the other. Most of the pairs in the table
# are two animals or two vehicles, classes that share shapes, colours and backgrounds at
# 32 × 32 pixels. Per class, the network does best on **{{ cifar.class_names[best] }}**
# ({{ per_class[best]:.0% }}) and worst on **{{ cifar.class_names[worst] }}**
# ({{ per_class[worst]:.0% }}):

# %%
viz.per_class_accuracy(truth, predicted, cifar.class_names, chance=0.1)
plt.show()

# %% [markdown]
# ## What we have
#
# * Convolutions share a few small kernels across the image: fewer parameters than the dense
#   baseline, and a much higher test accuracy.
# * Trained long enough, the network fits its training images far better than new ones. The
#   curves show it: training accuracy keeps climbing while validation flattens.
# * The mistakes cluster in look-alike classes.
#
# ## What this page checks

# %%
report.record("best_validation_epoch", best_epoch)
expect("parameters").equals(631_658)                         # the tutorial's model.summary()
# A quick run takes a few hundred small steps of SGD, so it barely leaves guessing; the full
# run on all 50,000 images should come near the tutorial (on a 10,000-image copy, lower).
expect("test_accuracy").between(0.08, 0.40, profile="quick")
expect("test_accuracy").at_least(0.50, profile="full")
