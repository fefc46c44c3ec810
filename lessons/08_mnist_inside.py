# %% [markdown]
# # MNIST: looking inside a trained CNN
#
# A trained network is not a black box: its weights and its intermediate results are arrays
# we can print and draw. We train a very small CNN, one convolution layer and one dense layer,
# on handwritten digits, then look at what it outputs for a digit, at the digits it gets wrong
# and how sure it was of them, at the 32 filters it learned and at what those filters see in
# one digit.

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

from convlab import data, report, training, viz
from convlab.expectations import expect
from convlab.references import tutorial  # noqa: F401 (the prose's placeholders use it)

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
# {{ model.count_params():, }} parameters: $(3 \cdot 3 + 1) \cdot 32 = 320$ in the filters and
# $(5408 + 1) \cdot 10 = 54{,}090$ in the dense layer.
#
# ## Training
#
# The tutorial does not show its compile line; the Keras example it follows uses the
# Adadelta optimiser with categorical cross-entropy. Adadelta's learning rate was 1.0 in
# Keras 2 and is 0.001 in Keras 3, where the same code barely trains: in 6 epochs this network
# then labels only about one test digit in five correctly. So we set the rate to 1.0
# explicitly. Batches of 128; the test set serves as validation data, as in the example.

# %%
model.compile(optimizer=keras.optimizers.Adadelta(learning_rate=1.0),
              loss="categorical_crossentropy", metrics=["accuracy"])
log = training.EpochLog()
history = model.fit(x_train, y_train, epochs=epochs, batch_size=128,
                    validation_data=(x_test, y_test), verbose=0, callbacks=[log])

# %% [markdown]
# The run: {{ log.summary() }}. A network this small does little arithmetic per image, so the
# time goes largely to the parts that are not multiply-adds (pooling, dropout, the optimiser
# step), and the share of the matrix-multiply rate is low.

# %%
test_loss, test_accuracy = model.evaluate(x_test, y_test, verbose=0)
report.compare({"test_accuracy": test_accuracy, "test_loss": test_loss,
                "parameters": model.count_params()}, reference="mnist_inside")

# %% [markdown]
# After {{ epochs }} epochs on {{ len(x_train):, }} digits the network labels
# **{{ test_accuracy:.2% }}** of the {{ len(x_test):, }} test digits correctly; the tutorial
# reports {{ tutorial("mnist_inside.test_accuracy"):.2% }} after 6 epochs.
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
# Many are digits a person would hesitate over too: a 4 closed at the top like a 9, a 7 with
# a bar, a 5 written quickly. Is the network less sure when it is wrong? Its *confidence* is
# the probability of its answer, the tallest bar:

# %%
wrong = predicted != truth
viz.confidence_histogram(top, top[wrong])
plt.show()

# %% [markdown]
# Over all test digits the mean confidence is {{ top.mean():.1% }}; over the wrong ones it is
# {{ top[wrong].mean() if wrong.any() else float("nan"):.1% }}. Right answers come mostly with
# probabilities near 1, wrong ones spread out. A low top probability is a useful warning,
# though not a reliable one: some mistakes are made with high confidence.
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
# ## What this page checks

# %%
report.record("mean_confidence_all", top.mean())
report.record("mean_confidence_wrong", top[wrong].mean() if wrong.any() else top.mean())
expect("parameters").equals(54_410)                                # the tutorial's summary()
expect("mean_confidence_wrong").at_most("mean_confidence_all", profile=("quick", "full"))
expect("test_accuracy").at_least(0.90, profile="quick")
expect("test_accuracy").at_least(0.955, profile="full")            # the tutorial: 96.85%
