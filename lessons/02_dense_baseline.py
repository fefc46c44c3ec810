# %% [markdown]
# # A dense baseline on CIFAR-10
#
# Before we meet convolution, we ask how far an ordinary network gets. A *dense* (fully
# connected) network ignores that its input is a picture: it flattens the 32 × 32 × 3 pixels
# into one list of 3,072 numbers and connects every number to every unit of the next layer.
# Whatever it scores is the baseline that convolutional networks have to beat.

# %%
# Outside the course repository (Colab, a downloaded file)? Install the course package first.
import importlib.util, subprocess, sys  # noqa: E401
if importlib.util.find_spec("convlab") is None:
    url = "git+https://github.com/convlab/convlab"
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", url], check=True)

# %%
import keras
import matplotlib.pyplot as plt
import numpy as np

import convlab
from convlab import data, report, training, viz

cfg = convlab.lesson("02_dense_baseline")

# %% [markdown]
# ## The data
#
# As in [the previous lesson](../01_cifar10_data/), pixels are scaled to $x/255 - 0.5$.
# Labels become *one-hot* vectors: class 3 (cat) is $(0,0,0,1,0,0,0,0,0,0)$, the target the
# network's ten outputs should match. We hold out 15% of the training images for
# *validation*: they are never trained on, so they show how the network does on new images
# while it trains. The test set is kept for the very end.

# %%
cifar = data.load("cifar10")
print(cifar.provenance.describe())

x, y = data.subset(cifar.x_train, cifar.y_train, cfg.train_size, seed=cfg.seed)
x_train, y_train, x_val, y_val = data.train_val_split(
    data.normalize_centered(x), data.one_hot(y, 10), val_fraction=0.15, seed=cfg.seed
)
x_test, y_test = data.normalize_centered(cifar.x_test), data.one_hot(cifar.y_test, 10)
print(f"training {x_train.shape}, validation {x_val.shape}, test {x_test.shape}")

# %% [markdown]
# ## The network
#
# Five hidden layers, each narrower than the last, with the $\tanh$ activation, and a
# ten-way output. A dense layer with $n$ inputs and $m$ units computes
#
# $$h = \tanh(W x + b), \qquad W \in \mathbb{R}^{m \times n},\ b \in \mathbb{R}^m,$$
#
# so it has $(n + 1)\,m$ parameters. The output layer uses *softmax*, which turns ten scores
# $z_k$ into probabilities $p_k = e^{z_k} / \sum_j e^{z_j}$ that sum to 1.

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
# Almost all of them sit in the first layer: $3073 \times 1024 \approx 3.1$ million weights,
# one for every pair of a pixel value and a first-layer unit.
#
# ## Training
#
# The loss is the *categorical cross-entropy* between the one-hot target $y$ and the
# predicted probabilities $p$, $L = -\sum_k y_k \log p_k$: it is $-\log$ of the probability
# given to the right class, 0 when the network is certain and right.
#
# The original tutorial does not say which optimiser, batch size or number of epochs it used,
# so these are our choices: plain stochastic gradient descent with momentum, a standard
# starting point for this kind of network.

# %% tags=["hide-input"]
report.markdown(report.markdown_table(
    ["setting", "value"],
    [
        ["optimiser", f"SGD, learning rate {cfg.learning_rate}, momentum {cfg.momentum}"],
        ["batch size", cfg.batch_size],
        ["epochs", cfg.epochs],
        ["training images", f"{len(x_train):,}"],
        ["profile", f"{cfg.profile}: {cfg.description}"],
    ],
))

# %%
model.compile(
    optimizer=keras.optimizers.SGD(learning_rate=cfg.learning_rate, momentum=cfg.momentum),
    loss="categorical_crossentropy",
    metrics=["accuracy"],
)
history = training.fit(model, x_train, y_train, epochs=cfg.epochs, batch_size=cfg.batch_size,
                       validation_data=(x_val, y_val))

# %%
viz.plot_history(history)
plt.show()

# %% [markdown]
# ## How good is it?
#
# The test images played no part in training or in our choices, so the test accuracy is an
# honest estimate of how the network does on photographs it has never seen.

# %%
_, train_accuracy = model.evaluate(x_train, y_train, verbose=0)
_, test_accuracy = model.evaluate(x_test, y_test, verbose=0)
report.compare([
    ("training accuracy", train_accuracy, 0.53),
    ("test accuracy", test_accuracy, 0.47),
])

# %% tags=["hide-input"]
report.markdown(
    f"After {cfg.epochs} epochs on {len(x_train):,} images, the network labels "
    f"**{test_accuracy:.1%}** of the {len(x_test):,} test images correctly, "
    f"{test_accuracy / 0.10:.1f} times the 10% of random guessing. On its own training "
    f"images it scores {train_accuracy:.1%}: the gap of "
    f"{100 * (train_accuracy - test_accuracy):.1f} points is what it memorised rather than "
    "learned. The tutorial reported about 53% on training and 47% on test images, trained on "
    "all 50,000 training images; the box at the top says how much data and which profile "
    "built this page."
)

# %% [markdown]
# Which classes does it get right? Accuracy per class, on the test set:

# %%
predicted = model.predict(x_test, verbose=0).argmax(axis=1)
truth = cifar.y_test[:, 0]
per_class = np.array([(predicted[truth == k] == k).mean() for k in range(10)])
fig, ax = plt.subplots(figsize=(9, 3))
ax.bar(cifar.class_names, per_class, color="tab:blue")
ax.axhline(0.1, color="grey", ls="--", label="guessing")
ax.set_ylabel("test accuracy")
ax.tick_params(axis="x", rotation=30)
ax.legend()
fig.tight_layout()
plt.show()

# %% tags=["hide-input"]
best, worst = per_class.argmax(), per_class.argmin()
report.markdown(
    f"The easiest class is **{cifar.class_names[best]}** ({per_class[best]:.0%} right), the "
    f"hardest **{cifar.class_names[worst]}** ({per_class[worst]:.0%})."
)

# %% [markdown]
# ## Why a dense network struggles
#
# The first layer gives every pixel position its own weights. A cat in the top-left corner
# and the same cat in the bottom-right light up entirely different weights, so the network
# must learn each pattern again at every position, from only a few thousand examples of
# each class. Nor does it know which pixels are neighbours: shuffle the 3,072 inputs the same
# way for every image, and it would learn exactly as well.
#
# Convolutional layers fix both problems by sliding one small set of weights across the
# image. That is where the course goes next.
