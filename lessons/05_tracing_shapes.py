# %% [markdown]
# # Tracing shapes through a network
#
# Before building a convolutional network it pays to know, layer by layer, what shape of
# array comes out and how many weights each layer holds. The shapes follow from the formula
# for an output's side from [the previous lesson](../padding_stride_pooling/); the weights
# from one new rule, introduced here, for what a filter holds. We trace both by hand through
# a small CIFAR-10 network, count the multiplications each layer does on the way, then ask
# Keras (`model.summary()` and a diagram) and check that it agrees. Two more things follow
# from the same layer settings: how much of the image one unit of each layer sees (its
# *receptive field*), and how much memory a layer's output takes while the network trains.

# %%

import keras
import matplotlib.pyplot as plt
import numpy as np

from convlab import convolution, data, report, style, viz
from convlab.claims import claim
from convlab.flops import layer_costs
from convlab.receptive_field import field_by_gradient, receptive_fields
from convlab.exercises import check
from convlab.expectations import expect

keras.utils.set_random_seed(1234)   # the same (untrained) weights every time

# %% [markdown]
# ## The network
#
# A CIFAR-10 image is 32 × 32 pixels with 3 colour channels. The network:
#
# 1. a convolution with 16 filters of 5 × 5, valid padding;
# 2. 2 × 2 max pooling;
# 3. a convolution with 8 filters of 3 × 3, same padding;
# 4. 2 × 2 max pooling;
# 5. a convolution with 4 filters of 3 × 3, valid padding;
# 6. flatten;
# 7. a dense layer of 50 units;
# 8. a dense layer of 10 units with softmax, one probability per class.
#
# ## By formula
#
# Three rules give every row of the table:
#
# * **Convolution**, $F$ filters of $N \times N$ on a $D \times D \times C$ input, padding $P$,
#   stride $S$: each side becomes $\lfloor (D + 2P - N) / S \rfloor + 1$ (the previous
#   lesson's formula) and the depth becomes $F$, one map per filter. New here: each filter
#   has $N \cdot N \cdot C$ weights, because it spans all input channels (a 5 × 5 filter on
#   an RGB image is a 5 × 5 × 3 block), and one bias: $(N^2 C + 1)\,F$ parameters. Every
#   output value costs one filter's $N^2 C$ multiplications.
# * **Pooling** $M \times M$ (stride $M$): each side $\lfloor (D - M) / M \rfloor + 1$, the
#   depth unchanged, no parameters.
# * **Flatten**: height × width × depth values in a row; **dense** with $m$ units after
#   $n$ values: $(n + 1)\,m$ parameters (a weight from every input to every unit, and a bias
#   per unit), and $n\,m$ multiplications.
#
# We count multiplications only: each comes with about one addition, and pooling and the
# activations compare or clip values without multiplying.

# %%
plan = [  # (layer, kind, settings)
    ("Conv2D 5x5, 16 filters, valid", "conv", {"filters": 16, "n": 5, "padding": 0}),
    ("MaxPooling2D 2x2", "pool", {"m": 2}),
    ("Conv2D 3x3, 8 filters, same", "conv", {"filters": 8, "n": 3, "padding": 1}),
    ("MaxPooling2D 2x2", "pool", {"m": 2}),
    ("Conv2D 3x3, 4 filters, valid", "conv", {"filters": 4, "n": 3, "padding": 0}),
    ("Flatten", "flatten", {}),
    ("Dense 50", "dense", {"units": 50}),
    ("Dense 10, softmax", "dense", {"units": 10}),
]
shape = (32, 32, 3)
by_formula = []      # (layer, output shape, parameters)
multiplications = []  # multiply-adds for one image
for layer, kind, s in plan:
    if kind == "conv":
        height, width, channels = shape
        side = [convolution.output_size(d, s["n"], padding=s["padding"]) for d in (height, width)]
        parameters = (s["n"] * s["n"] * channels + 1) * s["filters"]
        shape = (*side, s["filters"])
        products = int(np.prod(shape)) * s["n"] * s["n"] * channels   # N²C per output value
    elif kind == "pool":
        height, width, channels = shape
        side = [convolution.output_size(d, s["m"], stride=s["m"]) for d in (height, width)]
        parameters, products = 0, 0
        shape = (*side, channels)
    elif kind == "flatten":
        parameters, products = 0, 0
        shape = (int(np.prod(shape)),)
    else:  # dense
        parameters = (shape[0] + 1) * s["units"]
        products = shape[0] * s["units"]
        shape = (s["units"],)
    by_formula.append((layer, shape, parameters))
    multiplications.append(products)
total_by_formula = sum(p for _, _, p in by_formula)
total_multiplications = sum(multiplications)

# %% tags=["hide-input"]
report.markdown(report.markdown_table(
    ["layer", "output shape", "parameters", "multiplications"],
    [["input", "(32, 32, 3)", "", ""]]
    + [[layer, shape, f"{p:,}", f"{m:,}"]
       for (layer, shape, p), m in zip(by_formula, multiplications)]
    + [["**total**", "", f"**{total_by_formula:,}**", f"**{total_multiplications:,}**"]]))

# %%
dense1_parameters = by_formula[6][2]
conv1_parameters, conv1_multiplications = by_formula[0][2], multiplications[0]
claim("dense_holds_most_weights",
      "the first dense layer holds more than half of the network's parameters",
      holds=dense1_parameters > total_by_formula / 2,
      evidence=f"{dense1_parameters:,} of {total_by_formula:,} parameters "
               f"({dense1_parameters / total_by_formula:.0%})")
claim("conv1_does_most_work",
      "the first convolution does more than half of the network's multiplications, with "
      "fewer parameters than the first dense layer",
      holds=conv1_multiplications > total_multiplications / 2
      and conv1_parameters < dense1_parameters,
      evidence=f"conv1: {conv1_multiplications:,} of {total_multiplications:,} "
               f"multiplications ({conv1_multiplications / total_multiplications:.0%}) with "
               f"{conv1_parameters:,} parameters; dense 50: {multiplications[6]:,} "
               f"multiplications with {dense1_parameters:,} parameters")

# %% [markdown]
# The 5 × 5 valid convolution takes 32 to {{ by_formula[0][1][0] }}; pooling halves it to
# {{ by_formula[1][1][0] }}; same padding keeps {{ by_formula[2][1][0] }}; pooling gives
# {{ by_formula[3][1][0] }}. Pooling divides evenly only because {{ by_formula[2][1][0] }} is
# even: the 2 × 2 windows tile it with nothing left over. {{ by_formula[3][1][0] }} is odd, so
# a third 2 × 2 pooling here would give
# {{ convolution.output_size(by_formula[3][1][0], 2, stride=2) }} (half of it, rounded down)
# and drop the last row and column of every map; this network applies a convolution instead.
# The last valid 3 × 3 convolution leaves
# {{ by_formula[4][1][0] }} × {{ by_formula[4][1][1] }} × {{ by_formula[4][1][2] }},
# which flattens to {{ by_formula[5][1][0] }} values. In all,
# **{{ total_by_formula:, }} parameters**, and the first dense layer alone holds
# {{ dense1_parameters:, }} of them, {{ dense1_parameters / total_by_formula:.0% }}
# {{ claim dense_holds_most_weights }}: it connects each of the {{ by_formula[5][1][0] }}
# flattened values to each of its 50 units.
#
# Parameters are not work. A filter's weights are used again at every position of its map,
# so the first convolution, with only {{ conv1_parameters:, }} parameters, does
# {{ conv1_multiplications:, }} of the {{ total_multiplications:, }} multiplications an image
# costs, {{ conv1_multiplications / total_multiplications:.0% }}
# {{ claim conv1_does_most_work }}: its 16 filters are each applied at
# {{ by_formula[0][1][0] }} × {{ by_formula[0][1][1] }} positions. The dense layer uses each
# of its weights once per image. Which layers are costly to *store* and which are costly to
# *run* are different questions.
#
# ## What Keras says
#
# The same network in Keras. The activations do not change any shape; we use ReLU.

# %%
model = keras.Sequential([
    keras.Input(shape=(32, 32, 3)),
    keras.layers.Conv2D(16, (5, 5), padding="valid", activation="relu"),
    keras.layers.MaxPooling2D((2, 2)),
    keras.layers.Conv2D(8, (3, 3), padding="same", activation="relu"),
    keras.layers.MaxPooling2D((2, 2)),
    keras.layers.Conv2D(4, (3, 3), padding="valid", activation="relu"),
    keras.layers.Flatten(),
    keras.layers.Dense(50, activation="relu"),
    keras.layers.Dense(10, activation="softmax"),
])
model.summary()

# %% [markdown]
# The same network as a diagram. `keras.utils.plot_model(model, show_shapes=True)` draws
# it to a picture file (it needs Graphviz installed); `keras.utils.model_to_dot` returns the
# graph it draws, shown here in the page's colours. `None` in a shape is the batch size,
# which can be anything:

# %%
diagram = keras.utils.model_to_dot(model, show_shapes=True)   # what plot_model draws

# %% tags=["hide-input"]
viz.show_svg(diagram.create_svg(), "the network as a diagram, each layer with its shapes")

# %% [markdown]
# ## Formula and Keras, side by side

# %%
rows, shape_mismatches, count_mismatches = [], 0, 0
for (layer, shape, parameters), keras_layer in zip(by_formula, model.layers):
    keras_shape = tuple(keras_layer.output.shape[1:])      # without the batch axis
    keras_parameters = keras_layer.count_params()
    agree = keras_shape == shape and keras_parameters == parameters
    shape_mismatches += keras_shape != shape
    count_mismatches += keras_parameters != parameters
    rows.append([layer, shape, keras_shape, f"{parameters:,}", f"{keras_parameters:,}",
                 "yes" if agree else "**no**"])
claim("formulas_match_keras",
      "the formulas give the output shape and the parameter count Keras reports for every "
      "layer",
      holds=shape_mismatches == 0 and count_mismatches == 0,
      evidence=f"{len(rows)} layers: {shape_mismatches} shapes and {count_mismatches} "
               f"parameter counts differ; {total_by_formula:,} parameters by formula, "
               f"{model.count_params():,} in Keras")

# %% tags=["hide-input"]
report.markdown(report.markdown_table(
    ["layer", "shape by formula", "shape in Keras", "parameters by formula",
     "parameters in Keras", "agree"], rows))

# %% [markdown]
# Keras counts {{ model.count_params():, }} parameters in all, the formulas
# {{ total_by_formula:, }}, and they agree on every layer's shape and count
# {{ claim formulas_match_keras }}.
#
# ## Seeing the shapes
#
# What those shapes look like: one CIFAR-10 test image through the untrained network, the
# first feature map of each layer up to the last convolution. The weights are still random,
# so the maps mean nothing yet, but their sizes are the ones in the table.

# %%
cifar = data.load("cifar10")
image = cifar.x_test[:1] / 255 - 0.5                      # (1, 32, 32, 3)
maps, tensor = [], image
for layer in model.layers[:5]:                            # layer by layer, up to conv3
    tensor = layer(tensor)
    maps.append(keras.ops.convert_to_numpy(tensor)[0])

# %% tags=["hide-input"]
fig, axes = plt.subplots(1, 6, figsize=(7.4, 2.6), width_ratios=[32, 28, 14, 14, 7, 5],
                         layout="constrained")
axes[0].imshow(cifar.x_test[0])
axes[0].set_title("input 32x32x3", fontsize=8)
for ax, m in zip(axes[1:], maps):
    ax.imshow(m[:, :, 0], cmap="viridis", interpolation="nearest")
    ax.set_title("x".join(map(str, m.shape)), fontsize=8)
for ax in axes:
    ax.axis("off")
fig.suptitle("one image through the untrained network: the first map of each layer")
plt.show()

# %% [markdown]
# ## What one unit sees: the receptive field
#
# A unit of the first convolution reads a 5 × 5 patch of the image. A unit of the second
# reads a 3 × 3 patch of the pooled maps, and each of those cells stands for a patch of the
# image: the deeper the layer, the larger the part of the image that can change one of its
# numbers. That part is the unit's *receptive field*. Along one side it follows from two
# numbers per layer, the window $k$ (kernel or pooling size) and the stride $s$. Call
# $j_l$ the *jump* of layer $l$, how many input pixels lie between two neighbouring units of
# its maps, and $r_l$ the side of the field; for the image itself $j_0 = r_0 = 1$, and
#
# $$j_l = j_{l-1}\, s_l, \qquad r_l = r_{l-1} + (k_l - 1)\, j_{l-1}.$$
#
# A window of $k$ units adds $k - 1$ neighbours, each $j_{l-1}$ pixels further on. Padding
# changes neither: it adds zeros at the border, not reach.
# `convlab.receptive_field.receptive_fields(model)` applies the recurrence to the Keras model.
#
# A formula deserves a measurement. `field_by_gradient(model, layer)` asks which input pixels
# can change the unit in the middle of that layer's map. One image's gradient would not say:
# ReLU passes it only where a unit was active and max pooling only to the winner of each
# window, so it reaches only part of the field. The function therefore builds a *linear copy*
# of the network up to that layer, with the same windows and strides but no activations,
# average instead of max pooling and random weights. For a linear function the change made by
# raising one pixel by 1 *is* its gradient, exactly, so it raises each of the 32 × 32 pixels in
# turn (one batch of 1,025 images: one per pixel, and a blank one) and marks the pixels that
# move the unit. The extent of the marked pixels is the measured field.

# %%
fields = receptive_fields(model)                  # by the recurrence, up to Flatten
field_rows, field_mismatches, masks, measured_fields = [], 0, [], []
for (layer, _, _), field in zip(by_formula, fields):
    extent, mask = field_by_gradient(model, field.layer)   # measured on a linear copy
    masks.append(mask)
    measured_fields.append(extent[0])
    field_mismatches += extent != field.size
    field_rows.append([layer, f"{field.jump[0]}", f"{field.size[0]} × {field.size[1]}",
                       f"{extent[0]} × {extent[1]}", "yes" if extent == field.size else "**no**"])
claim("fields_match_gradient",
      "for every convolution and pooling layer, the pixels that can change the middle unit "
      "span exactly the field the recurrence gives",
      holds=field_mismatches == 0,
      evidence="; ".join(f"{row[0]}: formula {row[2]}, measured {row[3]}" for row in field_rows))
conv3_field = fields[4].size[0]

# %% tags=["hide-input"]
report.markdown(report.markdown_table(
    ["layer", "jump $j$ (pixels)", "field by formula", "field measured", "agree"], field_rows))

# %% [markdown]
# The measured fields equal the formula's on all {{ len(field_rows) }} layers
# {{ claim fields_match_gradient }}. A unit of the first convolution sees
# {{ fields[0].size[0] }} × {{ fields[0].size[1] }} pixels; each pooling doubles the jump,
# so the 3 × 3 kernel after the first pooling adds 2 × 2 = 4 pixels to the side, and the one
# after the second adds 2 × 4 = 8. A unit of the third convolution sees
# **{{ conv3_field }} × {{ conv3_field }}** pixels, {{ conv3_field ** 2 / (32 * 32):.0%}} of
# the 32 × 32 image, though each of its kernels is only 3 × 3. The dense layers after Flatten
# read every unit of the last maps, so they see the whole image. Here are the fields of the
# middle units, layer by layer, on a test image:

# %% tags=["hide-input"]
fig, (ax, ax_key) = plt.subplots(1, 2, figsize=(4.1, 2.7), width_ratios=[3, 2],
                                 layout="constrained")
ax.imshow(cifar.x_test[0], interpolation="nearest")
colours = ["tab:pink", "tab:orange", "yellow", "tab:cyan", "tab:red"]
for mask, short, colour in zip(masks, ["conv1", "pool1", "conv2", "pool2", "conv3"], colours):
    rows_, cols_ = np.nonzero(mask)
    ax.add_patch(plt.Rectangle((cols_.min() - 0.5, rows_.min() - 0.5),
                               cols_.max() - cols_.min() + 1, rows_.max() - rows_.min() + 1,
                               fill=False, edgecolor=colour, lw=2))
    ax_key.plot([], [], color=colour, lw=3, label=f"{short}: "
                f"{rows_.max() - rows_.min() + 1}×{cols_.max() - cols_.min() + 1}")
ax.axis("off")
ax_key.axis("off")
ax_key.legend(loc="center left", frameon=False, fontsize=10, handlelength=1.2)
ax.set_title("32×32 test image", fontsize=10)
style.describe(fig, "a CIFAR-10 test image with the receptive fields of the middle unit of "
                    "each layer outlined: "
                    + ", ".join(f"{m}x{m}" for m in measured_fields[:-1])
                    + f" and {measured_fields[-1]}x{measured_fields[-1]} pixels")
plt.show()

# %% [markdown]
# ## What each layer costs: work and memory
#
# Two more columns for the table. `convlab.flops.layer_costs(model)` counts, per layer and for
# one image, the multiply-adds of its convolution or dense arithmetic (our multiplications
# above, counted again from the Keras layers) and its *activations*, the numbers in its
# output. In 32-bit floats each takes 4 bytes.
#
# Activations matter in training more than in prediction. To predict, a layer's output can be
# dropped as soon as the next layer has read it. To train, the backward pass needs them: the
# kernel's gradient is the layer's *input* correlated with the gradient from above (so the
# first convolution needs the image itself), ReLU's gradient needs to know where a unit was
# active, and max pooling which position won. So `model.fit` keeps the input and the layers'
# outputs until the backward pass has used them, for **every image of the batch**: the memory
# grows with the batch size, while the weights are stored once. Flatten is the exception: it
# only reads the same numbers in another order (a reshape), so it keeps no copy. The count
# below is the input plus every other layer's output, about what training keeps; a framework
# may keep a little more or less (Keras fuses the ReLU into the convolution, for instance).

# %%
costs = layer_costs(model)
batch_size = 64
cost_rows, cost_mismatches = [], 0
input_values = int(np.prod(model.layers[0].input.shape[1:]))           # 32 x 32 x 3, kept for conv1
activations = [cost["activations"] for cost in costs]
kept = [0 if isinstance(keras_layer, keras.layers.Flatten) else values   # a reshape: no copy
        for keras_layer, values in zip(model.layers, activations)]
for (layer, _, _), products, cost, values in zip(by_formula, multiplications, costs, kept):
    cost_mismatches += cost["mult_adds"] != products
    cost_rows.append([layer, cost["output"], f"{cost['mult_adds']:,}",
                      f"{values:,}" if values else "0 (a reshape, no copy)",
                      f"{values * 4:,} bytes", f"{values * 4 * batch_size / 1e6:.3g} MB"])
total_activations = input_values + sum(kept)
claim("conv1_holds_most_activations",
      "the first convolution's output is more than half of the numbers training keeps for an "
      "image (the input and the layers' outputs)",
      holds=activations[0] > total_activations / 2,
      evidence=f"conv1 {activations[0]:,} of {total_activations:,} values "
               f"({activations[0] / total_activations:.0%}), the input {input_values:,}; the "
               f"multiply-adds of layer_costs differ from the hand count on {cost_mismatches} "
               "layers")

# %% tags=["hide-input"]
report.markdown(report.markdown_table(
    ["layer", "output", "multiply-adds", "layer outputs (about what training keeps)",
     "float32, 1 image", f"batch of {batch_size}"],
    [["input", model.layers[0].input.shape[1:], "", f"{input_values:,}",
      f"{input_values * 4:,} bytes", f"{input_values * 4 * batch_size / 1e6:.3g} MB"]]
    + cost_rows + [["**total**", "", f"**{sum(c['mult_adds'] for c in costs):,}**",
                  f"**{total_activations:,}**", f"**{total_activations * 4:,} bytes**",
                  f"**{total_activations * 4 * batch_size / 1e6:.3g} MB**"]]))

# %% [markdown]
# The multiply-adds agree with our hand count on every layer ({{ cost_mismatches }}
# differences). The memory falls with depth as fast as the maps shrink: the first
# convolution's {{ " × ".join(map(str, costs[0]["output"])) }} output is
# {{ activations[0]:, }} of the {{ total_activations:, }} numbers an image leaves behind (the
# {{ input_values:, }} of the image included),
# {{ activations[0] / total_activations:.0% }} {{ claim conv1_holds_most_activations }}, and
# the first dense layer, which holds most of the weights, keeps only
# {{ activations[6] }} numbers. For a batch of {{ batch_size }} images the activations take
# {{ total_activations * 4 * batch_size / 1e6:.1f}} MB, against
# {{ model.count_params() * 4 / 1000:.0f}} kB for all the weights. In networks made for large
# photographs (224 × 224 pixels, with 64 filters in the first layers), the early layers'
# activations are what decides the largest batch a GPU can train.

# %% [markdown]
# ## What we have
#
# * One formula gives every side, $\lfloor (D + 2P - N) / S \rfloor + 1$ for a convolution
#   or a pooling; two give the parameters, $(N^2 C + 1)\,F$ for a convolution and
#   $(n + 1)\,m$ for a dense layer.
# * Traced through this network, 32 × 32 × 3 becomes
#   {{ " × ".join(map(str, by_formula[4][1])) }}, {{ by_formula[5][1][0] }} values when
#   flattened, and {{ total_by_formula:, }} parameters,
#   {{ dense1_parameters / total_by_formula:.0% }} of them in the first dense layer
#   {{ claim dense_holds_most_weights }}; but the first convolution does
#   {{ conv1_multiplications / total_multiplications:.0% }} of the multiplications
#   {{ claim conv1_does_most_work }}.
# * Keras (`model.summary()`, the diagram) agrees with the formulas on every layer
#   {{ claim formulas_match_keras }}.
# * A unit's receptive field grows by $(k - 1)\,j$ pixels a layer, where the jump $j$ is the
#   product of the strides below: here from {{ fields[0].size[0] }} × {{ fields[0].size[0] }}
#   to {{ conv3_field }} × {{ conv3_field }} by the third convolution, as measured by
#   nudging each pixel of the image {{ claim fields_match_gradient }}.
# * Training keeps every layer's output for the backward pass, for every image of a batch:
#   {{ total_activations * 4 / 1000:.1f}} kB an image here, most of it the first convolution's
#   {{ claim conv1_holds_most_activations }}.
#
# ## Exercises
#
# Predict first, then check: the check cell builds the changed network in Keras and says
# whether each answer is right; under each, the answer and why, folded.
#
# 1. Make the last convolution `padding="same"` instead of valid. How many values does
#    Flatten give? Set `answer_1`.
# 2. With that change, how many parameters does the first dense layer (50 units) hold? Set
#    `answer_2`.
# 3. Give the first convolution `strides=2` (valid, 5 × 5, on 32 × 32). What side does its
#    output have? Set `answer_3`.
# 4. With that stride, how many multiplications does the first convolution do for one
#    image? And how many parameters has it now? Set `answer_4` to the multiplications.
# 5. Give the second convolution `strides=2` (3 × 3, same), everything else as above. How
#    many pixels wide is the receptive field of a unit of the third convolution now? Set
#    `answer_5`; the check cell builds the network and measures it.
# 6. A network for 224 × 224 RGB photographs starts with a convolution of 64 filters, 3 × 3,
#    same padding. Trained with batches of 64 images, how many megabytes (10⁶ bytes) of
#    float32 does that first layer's output alone keep for the backward pass? Set `answer_6`
#    (within 1 MB).

# %%
answer_1 = None   # your answer: values out of Flatten, last convolution "same"
answer_2 = None   # your answer: parameters of Dense 50 with that change
answer_3 = None   # your answer: side of the first convolution's output with strides=2
answer_4 = None   # your answer: multiplications of the first convolution with strides=2
answer_5 = None   # your answer: receptive field side of conv3 when conv2 strides by 2
answer_6 = None   # your answer: MB of the 224 x 224 x 64 layer's output, batch of 64

# %% tags=["hide-input"]
def changed_network(last_padding="valid", first_stride=1):
    """The network above with one setting changed (untrained: only its shapes matter)."""
    return keras.Sequential([
        keras.Input(shape=(32, 32, 3)),
        keras.layers.Conv2D(16, (5, 5), strides=first_stride, padding="valid"),
        keras.layers.MaxPooling2D((2, 2)),
        keras.layers.Conv2D(8, (3, 3), padding="same"),
        keras.layers.MaxPooling2D((2, 2)),
        keras.layers.Conv2D(4, (3, 3), padding=last_padding),
        keras.layers.Flatten(),
        keras.layers.Dense(50),
        keras.layers.Dense(10, activation="softmax"),
    ])


same_last = changed_network(last_padding="same")
hint = "trace the shapes again with the formulas."
flat_same = int(same_last.layers[5].output.shape[1])
side_same = int(same_last.layers[4].output.shape[1])
check("exercise 1", answer_1, flat_same, hint=hint,
      explain=f"Same padding keeps the pooled maps' side, {side_same}, so the last "
              f"convolution gives {side_same} × {side_same} × 4 = {flat_same} values "
              f"instead of 5 × 5 × 4 = 100.")
check("exercise 2", answer_2, same_last.layers[6].count_params(), hint=hint,
      explain=f"(n + 1) m with n = {flat_same} inputs and m = 50 units: "
              f"({flat_same} + 1) × 50. Padding one layer grew the dense layer, which "
              f"already held most of the weights.")
strided_side = int(changed_network(first_stride=2).layers[0].output.shape[1])
check("exercise 3", answer_3, strided_side, hint=hint,
      explain=f"⌊(32 + 0 − 5) / 2⌋ + 1 = {(32 - 5) // 2} + 1 = {strided_side}: the window "
              f"visits every other position, so the side is about halved.")
strided_multiplications = strided_side * strided_side * 16 * 5 * 5 * 3
check("exercise 4", answer_4, strided_multiplications, hint=hint,
      explain=f"{strided_side} × {strided_side} positions × 16 filters × (5 × 5 × 3) "
              f"multiplications each = {strided_multiplications:,}, against "
              f"{conv1_multiplications:,} with stride 1: a quarter as many positions, about a "
              f"quarter of the work, and not one weight fewer.")
strided_conv2 = keras.Sequential([
    keras.Input(shape=(32, 32, 3)),
    keras.layers.Conv2D(16, (5, 5), padding="valid"),
    keras.layers.MaxPooling2D((2, 2)),
    keras.layers.Conv2D(8, (3, 3), strides=2, padding="same"),   # now strides by 2
    keras.layers.MaxPooling2D((2, 2)),
    keras.layers.Conv2D(4, (3, 3), padding="valid"),
])
strided_fields = receptive_fields(strided_conv2)
strided_field = strided_fields[-1].size[0]
strided_measured = field_by_gradient(strided_conv2, strided_conv2.layers[-1].name)[0][0]
check("exercise 5", answer_5, strided_field, hint="redo the recurrence: the jumps change.",
      explain=f"the fields are {', '.join(str(f.size[0]) for f in strided_fields)} and the "
              f"jumps {', '.join(str(f.jump[0]) for f in strided_fields)}: the strided "
              f"convolution doubles the jump to 4 and the pooling after it to 8, so pool2 adds "
              f"1 × 4 pixels and conv3 adds 2 × 8, {strided_field} in all (nudging the pixels "
              f"measures {strided_measured}), against {conv3_field} without the stride.")
photo_layer = keras.layers.Conv2D(64, (3, 3), padding="same")
photo_output = photo_layer(np.zeros((1, 224, 224, 3), dtype="float32")).shape[1:]
photo_mb = int(np.prod(photo_output)) * 4 * 64 / 1e6
check("exercise 6", answer_6, photo_mb, atol=1,
      explain=f"{' × '.join(map(str, photo_output))} = {int(np.prod(photo_output)):,} values "
              f"an image, × 4 bytes × 64 images = {photo_mb:.0f} MB for one layer of "
              f"{photo_layer.count_params():,} weights, against "
              f"{activations[0] * 4 * 64 / 1e6:.1f} MB for this page's first convolution.")

# %% [markdown]
# [The previous lesson](../padding_stride_pooling/) gave the formula for the sides;
# [the next lesson](../filter_learning/) shows how a network's filters learn, and
# [lesson 07](../cifar10_cnn/) trains a network like this one on CIFAR-10.
#
# ## What this page checks
#
# For each layer, the number of values it outputs and its parameters, by formula and in
# Keras; and the whole shapes, compared as tuples.

# %%
names = ["conv1", "pool1", "conv2", "pool2", "conv3", "flatten", "dense1", "dense2"]
for name, (_, shape, parameters), keras_layer in zip(names, by_formula, model.layers):
    report.record(f"{name}_values_by_formula", np.prod(shape))
    report.record(f"{name}_values_in_keras", np.prod(keras_layer.output.shape[1:]))
    report.record(f"{name}_parameters_by_formula", parameters)
    report.record(f"{name}_parameters_in_keras", keras_layer.count_params())
    expect(f"{name}_values_by_formula").equals(f"{name}_values_in_keras")
    expect(f"{name}_parameters_by_formula").equals(f"{name}_parameters_in_keras")
report.record("shape_mismatches", shape_mismatches)
report.record("parameters_by_formula", total_by_formula)
report.record("parameters_in_keras", model.count_params())
expect("shape_mismatches").equals(0)
expect("parameters_by_formula").equals("parameters_in_keras")
expect("flatten_values_by_formula").equals(100)     # 5 x 5 x 4, as the curriculum traces
report.record("conv1_multiplications", conv1_multiplications)
report.record("multiplications", total_multiplications)
expect("conv1_multiplications").equals(28 * 28 * 16 * 5 * 5 * 3)   # positions x filters x N²C
for name, field, measured in zip(names, fields, measured_fields):
    report.record(f"{name}_field", field.size[0])
    report.record(f"{name}_field_measured", measured)
    expect(f"{name}_field").equals(f"{name}_field_measured")
expect("conv3_field").equals(20)                    # 5, 6, 10, 12, 20 pixels
report.record("multiply_add_mismatches", cost_mismatches)
expect("multiply_add_mismatches").equals(0)        # layer_costs against the hand count
report.record("activations_per_image", total_activations)
# The input, then every layer's output but Flatten's (a reshape).
expect("activations_per_image").equals(3072 + 12544 + 3136 + 1568 + 392 + 100 + 50 + 10)
