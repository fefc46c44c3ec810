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

from convlab import data, report, training, viz
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
# $p_k = e^{z_k} / \sum_j e^{z_j}$ that sum to 1.

# %%
model = keras.Sequential([
    keras.Input(shape=(32, 32, 3)),
    keras.layers.Flatten(),                      # 32 * 32 * 3 = 3072 numbers
    keras.layers.Dense(1024, activation="tanh"),
    keras.layers.Dense(512, activation="tanh"),
    keras.layers.Dense(256, activation="tanh"),
    keras.layers.Dense(128, activation="tanh"),
    keras.layers.Dense(64, activation="tanh"),
    keras.layers.Dense(10, activation="softmax"),
])
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

# %%
model.compile(
    optimizer=keras.optimizers.SGD(learning_rate=0.01, momentum=0.9),
    loss="categorical_crossentropy",
    metrics=["accuracy"],
)
log = training.EpochLog()   # one line per epoch instead of a progress bar per batch
history = model.fit(x_train, y_train, epochs=epochs, batch_size=64, validation_split=0.15,
                    verbose=0, callbacks=[log])
n_fit = int(np.floor(len(x_train) * (1 - 0.15)))   # where Keras cuts: the rest validates
validation_counts = np.bincount(cifar.y_train[:train_size][n_fit:, 0], minlength=10)

# %% [markdown]
# Here that block is the images at indices {{ n_fit:, }} to {{ len(x_train) - 1:, }} of
# the {{ len(x_train):, }}, the same {{ len(x_train) - n_fit:, }} in every epoch; the network
# trained on the first {{ n_fit:, }}. Because the block is the end of the arrays as they were
# given, data stored in some order (all cats last, say) would need shuffling first. In
# CIFAR-10 the classes are mixed: in this block each class has between
# {{ validation_counts.min():, }} and {{ validation_counts.max():, }} images.

# %%
viz.plot_history(history)
plt.show()

# %% [markdown]
# ## How good is it?
#
# The test images played no part in training or in our choices, so the test accuracy is an
# honest estimate of how the network does on photographs it has never seen.

# %%
_, train_accuracy = model.evaluate(x_train[:n_fit], y_train[:n_fit], verbose=0)  # trained on
_, test_accuracy = model.evaluate(x_test, y_test, verbose=0)
report.compare({"train_accuracy": train_accuracy, "test_accuracy": test_accuracy},
               reference="dense_baseline")

# %% [markdown]
# After {{ epochs }} epochs on {{ len(x_train):, }} images, the network labels
# **{{ test_accuracy:.1% }}** of the {{ len(x_test):, }} test images correctly,
# {{ test_accuracy / 0.10:.1f }} times the 10% of random guessing. On its own training images
# it scores {{ train_accuracy:.1% }}: the gap of {{ 100 * (train_accuracy - test_accuracy):.1f }}
# points is what it memorised rather than learned. The tutorial's figures come from all 50,000
# training images and an unstated number of epochs; the box at the top says how much data and
# which profile built this page.
#
# Which classes does it get right? Accuracy per class, on the test set:

# %%
predicted = model.predict(x_test, verbose=0).argmax(axis=1)
truth = cifar.y_test[:, 0]
per_class = np.array([(predicted[truth == k] == k).mean() for k in range(10)])
fig, ax = plt.subplots(figsize=(9, 3))
ax.bar(cifar.class_names, per_class, color="tab:blue")
ax.axhline(0.1, color="grey", ls="--", label="guessing")
ax.set_ylabel("test accuracy")
ax.set_title("test accuracy per class")
ax.tick_params(axis="x", rotation=30)
ax.legend()
fig.tight_layout()
plt.show()
best, worst = per_class.argmax(), per_class.argmin()
first_layer_share = (3072 + 1) * 1024 / by_formula

# %% [markdown]
# The easiest class is **{{ cifar.class_names[best] }}** ({{ per_class[best]:.0% }} right),
# the hardest **{{ cifar.class_names[worst] }}** ({{ per_class[worst]:.0% }}).
#
# ## Why a dense network struggles
#
# The first layer gives every pixel position its own weights. A cat in the top-left corner
# and the same cat in the bottom-right light up entirely different weights, so the network
# must learn each pattern again at every position, from only about {{ n_fit // 10:, }}
# training images of each class. Nor does it know which pixels are neighbours: shuffle the
# 3,072 inputs the same way for every image, and it would learn exactly as well.
#
# Convolutional layers fix both problems by sliding one small set of weights across the
# image. That is where the course goes next: [convolution, one window at a
# time](../convolution/).
#
# ## Summary
#
# * The dense network has {{ by_formula:, }} parameters, counted by $(n + 1)\,m$ layer by
#   layer and by Keras alike; {{ first_layer_share:.0% }} of them are in the first layer.
# * Trained for {{ epochs }} epochs on {{ n_fit:, }} images (the other
#   {{ len(x_train) - n_fit:, }}, the end of the arrays, held out for validation), it labels
#   {{ test_accuracy:.1% }} of the test images correctly and {{ train_accuracy:.1% }} of its
#   training images.
# * Its easiest class is {{ cifar.class_names[best] }} ({{ per_class[best]:.0% }}), its
#   hardest {{ cifar.class_names[worst] }} ({{ per_class[worst]:.0% }}).
# * It has no notion of position or neighbourhood, which is what convolution adds.
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
# **3. Try it.** Change the learning rate to 0.1 or 0.001 in the training cell, run the
# network cell again (so that training starts from fresh weights) and then the training
# cell: the check cell prints the test accuracy of whatever model you trained last, beside
# this page's.

# %%
answer_parameters = None          # exercise 1
answer_validation_images = None   # exercise 2

# %% tags=["hide-input"]
narrower = keras.Sequential([keras.Input(shape=(32, 32, 3)), keras.layers.Flatten()]
                            + [keras.layers.Dense(m, activation="tanh")
                               for m in (512, 512, 256, 128, 64)]
                            + [keras.layers.Dense(10, activation="softmax")])
check("exercise 1", answer_parameters, narrower.count_params())
check("exercise 2", answer_validation_images, len(x_train) - int(np.floor(len(x_train) * 0.8)))
print(f"exercise 3: the model trained last scores "
      f"{model.evaluate(x_test, y_test, verbose=0)[1]:.1%} on the test images; "
      f"this page's scored {test_accuracy:.1%}")

# %% [markdown]
# ## What this page checks

# %%
report.record("parameters_by_formula", by_formula)
report.record("parameters_in_keras", model.count_params())
expect("parameters_by_formula").equals("parameters_in_keras")
expect("test_accuracy").at_least(0.20, profile=("quick", "full"))  # twice guessing
expect("test_accuracy").between(0.28, 0.50, profile="quick")
expect("test_accuracy").between(0.38, 0.60, profile="full")
