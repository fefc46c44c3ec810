# %% [markdown]
# # How much faster is a GPU?
#
# Every network in this course trained on whatever machine made its page's run. Here we
# measure what the hardware does with the same training steps: the CIFAR-10 CNN of the
# earlier lesson, timed at several batch sizes on the CPU and, where the machine has one, on a
# GPU; then mixed precision, XLA compilation and the CPU's thread count. Every figure was
# measured when this page's run was made, on the machine the box at the top names. A machine
# without a GPU gives no GPU rows, and none is estimated: run the downloaded lesson on a
# machine or notebook service with a GPU (Colab, for one) to get them.

# %% [markdown]
# Previous: [reference architectures](../reference_architectures/). This is the last lesson;
# the CNN timed here is [the CIFAR-10 CNN](../cifar10_cnn/)'s. The other lessons' timings,
# those of [the CNN lesson](../cifar10_cnn/) and [the regularisation lesson](../regularisation/)
# among them, were made on the hardware that the box at the top of each page names, which
# need not be this page's.
#
# How big a run this page makes: images per timed call and timed calls per measurement, and a
# short training run that checks what reduced precision does to accuracy. A quick build of
# the site uses smaller values; the box at the top of the page says which ran.

# %% tags=["parameters"]
timed_images = 2048   # images per timed call (one epoch of model.fit over random images)
repeats = 5           # timed calls per measurement; the median is reported
train_size = 10000    # CIFAR-10 training images for the precision check (None: all of them)
epochs = 3            # epochs of the precision check
test_size = None      # CIFAR-10 test images the precision check scores (None: all of them)

# %%
import logging
import statistics
import time

import keras
import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf

from convlab import data, machine, metrics, report, throughput, viz
from convlab.claims import claim
from convlab.exercises import check
from convlab.expectations import expect
from convlab.flops import training_flops
from convlab.references import tutorial

# %% tags=["hide-input"]
# Every model timed below traces its training step into a graph anew. When a short run times
# several in a row, TensorFlow warns that it traces often; here that is expected.
logging.getLogger("tensorflow").setLevel(logging.ERROR)

# %%
keras.utils.set_random_seed(1234)
gpu_names = [gpu.name for gpu in machine.gpus()]
print("GPUs TensorFlow sees:", ", ".join(gpu_names) or "none")

# %% [markdown]
# GPUs TensorFlow found when this page's run was made: **{{ ", ".join(gpu_names) or "none" }}**.
# Where that reads *none*, every table and figure below has CPU rows only: nothing on this
# page is a GPU figure, measured or estimated. To get the GPU rows, run the lesson yourself on
# a machine or a notebook service with a GPU: download it with the links at the top of the
# page, or open it in Colab and choose a GPU under *Runtime → Change runtime type* before
# running all its cells. Its last cell, "compare your run", then sets your results beside
# this page's.
#
# ## What is timed
#
# The network is the tutorial's CIFAR-10 CNN ({{ tutorial("cifar10_cnn.parameters"):, }}
# parameters), written as in the CNN lesson; only its softmax is a separate layer, so that it
# can stay in float32 when the rest runs in reduced precision. It is compiled with the Adam
# optimiser and sparse categorical cross-entropy, and one *timed call* is `model.fit` for one
# epoch over {{ timed_images:, }} random 32 × 32 colour images (rounded
# up to whole batches): random pixels cost exactly as much arithmetic as photographs, and
# need no download. Before timing, one untimed call absorbs the one-off costs (tracing the
# training step into a graph, compiling it where XLA is on, and on a GPU choosing its
# convolution algorithms); then the calls are timed, {{ repeats }} of them, and the median is
# reported. The median of three calls or more is not moved by one call that another program on the
# machine happened to slow down; with fewer, as in a quick build, the figures are rough.

# %%
def make_cnn():
    return keras.Sequential([
        keras.Input(shape=(32, 32, 3)),
        keras.layers.Conv2D(64, (3, 3), padding="same", activation="relu"),
        keras.layers.Conv2D(64, (3, 3), padding="same", activation="relu"),
        keras.layers.MaxPooling2D((2, 2)),
        keras.layers.Conv2D(32, (3, 3), padding="same", activation="relu"),
        keras.layers.Conv2D(32, (3, 3), padding="same", activation="relu"),
        keras.layers.MaxPooling2D((2, 2)),
        keras.layers.Conv2D(16, (3, 3), padding="same", activation="relu"),
        keras.layers.Conv2D(16, (3, 3), padding="same", activation="relu"),
        keras.layers.Flatten(),
        keras.layers.Dense(512, activation="relu"),
        keras.layers.Dense(64, activation="relu"),
        keras.layers.Dense(10),
        keras.layers.Activation("softmax", dtype="float32"),   # float32 even in mixed precision
    ])


flops = training_flops(make_cnn())
print(f"{flops / 1e6:,.0f} million floating-point operations to train on one image")

# %% [markdown]
# Training on one image costs about {{ flops / 1e6:,.0f }} million floating-point operations:
# the forward pass through the six convolutions and three dense layers, and the backward pass,
# which computes two gradients per layer (for its input and for its weights) and so costs
# about twice the forward pass.
#
# ## How to time a step
#
# Three things make a timing honest, and the function below does all three:
#
# * **Warm-up excluded.** The first call of a `tf.function` or of `model.fit` traces the
#   Python code into a graph, compiles it with XLA where that is on, and on a GPU picks an
#   algorithm for each convolution and allocates memory: one-off costs that have nothing to do
#   with how fast the step runs. One call is made and thrown away.
# * **Median of repeats.** The median of several timed calls is not moved by one call that
#   another program on the machine slowed down; a mean is.
# * **`tf.device`.** Inside `with tf.device("/GPU:0")` TensorFlow places the operations on
#   that device. A GPU works asynchronously, so the timed function must fetch its result
#   (`.numpy()`), or the clock stops before the GPU has finished.
#
# We use it first on the operation most of a CNN's arithmetic comes down to: a product of two large
# square matrices, $2n^3$ floating-point operations for $n \times n$ matrices ($n^2$ entries, each a
# sum of $n$ products). The matrices must be large enough that one product takes a while: a product
# that takes microseconds, as a modest one does on a GPU, times mostly the cost of launching it, and
# a short one is easily slowed by whatever else the machine is doing. So we double $n$, from 1024,
# until one product takes a quarter of a second, and keep the fastest size's rate. That rate is
# about the most this device does in float32 in practice; the network's rate, in images per
# second times operations per image, can be compared against it. (On NVIDIA GPUs since Ampere,
# TensorFlow by default computes float32 matrix products and convolutions on the tensor cores in
# *TensorFloat-32*, which keeps float32's range but rounds the inputs to about float16's
# precision; it does so in float32 training too.)

# %%
def median_seconds(step, device="CPU", repeats=repeats):
    """Seconds that one call of ``step()`` takes on ``device``: one untimed warm-up call,
    then the median of ``repeats`` timed calls. ``step`` must return a value fetched to
    Python (``.numpy()``), so that the device has finished when the clock stops."""
    with tf.device(f"/{device}:0"):
        step()                                   # warm-up: tracing and compiling, not timed
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            step()
            times.append(time.perf_counter() - start)
    return statistics.median(times)


def matmul_step(n):
    """One n x n float32 matrix product as a traced function, its sum fetched to Python."""
    a, b = tf.random.uniform((n, n)), tf.random.uniform((n, n))
    product = tf.function(lambda: tf.reduce_sum(tf.linalg.matmul(a, b)))
    return lambda: product().numpy()


matmul_rate, matmul_n = {}, {}
for device in machine.devices():
    n, rates = 1024, {}
    while True:
        with tf.device(f"/{device}:0"):
            step = matmul_step(n)    # the matrices are made on the device too
        seconds = median_seconds(step, device)
        rates[n] = 2 * n**3 / seconds
        print(f"{device}: one {n} x {n} matmul in {seconds * 1000:,.1f} ms, "
              f"{rates[n] / 1e9:,.1f} GFLOP/s")
        if seconds >= 0.25 or n >= 16384:   # long enough that launching it is a small part
            break
        n *= 2
    matmul_n[device] = max(rates, key=rates.get)   # the fastest size
    matmul_rate[device] = rates[matmul_n[device]]
report.record("matmul_flops_per_second", matmul_rate["CPU"])

# %% [markdown]
# The CPU multiplied {{ matmul_n["CPU"] }} × {{ matmul_n["CPU"] }} matrices fastest here, at
# {{ matmul_rate["CPU"] / 1e9:,.1f }} GFLOP/s: that is the rate this page compares training
# against. The log line under every training run in this course ends with the share of "this
# machine's float32 matmul rate" the run used. That rate comes from
# `convlab.speed.peak_matmul_rate()`, measured once per machine with a shorter search (it stops
# at the first size that takes 50 ms) and then read from a cache, so it can differ from the
# figure here; this page uses its own measurement above.
#
# ## CPU and GPU, batch by batch
#
# The same steps on every device this machine has, at three batch sizes, all in float32.

# %%
batch_sizes = (32, 128, 512)
rows = throughput.training_speed(make_cnn, batch_sizes=batch_sizes, images=timed_images,
                                 repeats=repeats)

# %% tags=["hide-input"]
has_gpu = any(r.device == "GPU" for r in rows)
ratios = throughput.speedups(rows)
header = ["device", "batch", "images/s", "ms/step"] + (["vs CPU"] if has_gpu else [])
report.markdown(report.markdown_table(header, [
    [r.device, r.batch_size, f"{r.images_per_second:,.0f}",
     f"{1000 * r.batch_size / r.images_per_second:.1f}"]
    + ([f"×{ratios[(r.device, r.batch_size, r.variant)]:.1f}"] if has_gpu else [])
    for r in rows]))
for r in rows:
    report.record(f"{r.device.lower()}_images_per_second_batch_{r.batch_size}",
                  r.images_per_second)
cpu_rates = {r.batch_size: r.images_per_second for r in rows if r.device == "CPU"}
best_cpu_batch = max(cpu_rates, key=cpu_rates.get)
fastest = max(rows, key=lambda r: r.images_per_second)
fastest_vs_cpu = fastest.images_per_second / cpu_rates[fastest.batch_size]
report.record("fastest_device_vs_cpu", fastest_vs_cpu, quantity="number", fmt="×{:.1f}")
tutorial_images = 0.85 * 50_000   # validation_split=0.15 of the tutorial's 50,000 images
tutorial_hours = tutorial("cifar10_cnn.epochs") * tutorial_images / cpu_rates[32] / 3600
cifar_train_images = len(data.load("cifar10").x_train)
policy_text = " and ".join(
    f"{machine.mixed_policy(d) or 'none'} for the {d}" for d in machine.devices())
viz.speed_bars(rows)
plt.show()

# %% [markdown]
# How much a larger batch helps depends on how much of the hardware one step leaves idle. A
# larger batch hands the device more independent work per step and fewer steps per epoch, so
# the fixed cost of a step (Python and Keras deciding what to run, launching each of the
# network's operations) is shared by more images. A GPU, with thousands of arithmetic units,
# is mostly idle on a batch of 32 images of 32 × 32 pixels: there it needs large batches. A
# CPU with a few cores is already kept busy by 32 images, each convolution a large job for it.

# %%
cpu_batch_gain = cpu_rates[best_cpu_batch] / cpu_rates[32]
claim("cpu_batch_gains_little",
      "on the CPU, no batch size trains even ×2 as many images per second as batches of 32",
      holds=cpu_batch_gain < 2,
      evidence=f"batch 32: {cpu_rates[32]:,.0f} images/s; best, batch {best_cpu_batch}: "
               f"{cpu_rates[best_cpu_batch]:,.0f} images/s (×{cpu_batch_gain:.2f})")
share = cpu_rates[128] * flops / matmul_rate["CPU"]   # one fixed batch size: 128
claim("training_below_matmul",
      "training the CNN on the CPU at batch 128 uses less arithmetic per second than one "
      "large matrix product reaches",
      holds=share < 1,
      evidence=f"{cpu_rates[128]:,.0f} images/s × {flops / 1e6:,.0f} million "
               f"operations = {cpu_rates[128] * flops / 1e9:,.1f} GFLOP/s, "
               f"{share:.0%} of the {matmul_rate['CPU'] / 1e9:,.1f} GFLOP/s of a "
               f"{matmul_n['CPU']} × {matmul_n['CPU']} product")

# %% [markdown]
# The fastest row is the {{ fastest.device }}'s at batch {{ fastest.batch_size }}:
# {{ fastest.images_per_second:,.0f }} images/s on the {{ fastest.hardware }}. On the CPU the
# batch size matters little {{ claim cpu_batch_gains_little }}: batches of 32 train
# {{ cpu_rates[32]:,.0f }} images/s, the best batch size ({{ best_cpu_batch }})
# {{ cpu_rates[best_cpu_batch]:,.0f }}, ×{{ cpu_batch_gain:.2f }}. A step of 32 images already
# takes {{ 1000 * 32 / cpu_rates[32]:.0f }} ms there; the fixed cost of a step (which this page
# does not measure) is likely a few milliseconds, small beside that, so there is little for a
# larger batch to share out. A larger batch can even be slower per image, when the
# activations of a whole batch no longer fit the CPU's caches and each layer waits for main
# memory. Where the table has GPU rows, compare their "vs CPU" column at batch 32 and at
# batch 512 to see how the GPU's lead depends on the batch.
#
# At batch 128 the CPU does {{ cpu_rates[128] * flops / 1e9:,.1f }} GFLOP/s of
# training arithmetic ({{ cpu_rates[128]:,.0f }} images/s × {{ flops / 1e6:,.0f }}
# million operations), {{ share:.0% }} of the {{ matmul_rate["CPU"] / 1e9:,.1f }} GFLOP/s it
# multiplies large matrices at {{ claim training_below_matmul }}. The rest goes to what is not
# a large product: small layers that cannot fill the hardware, pooling and activations that
# only move memory, the optimiser's update of every weight, and the fixed cost of each step.
#
# The tutorial trained for {{ tutorial("cifar10_cnn.epochs"):.0f }} epochs on what its
# validation split leaves of CIFAR-10's 50,000 training images,
# {{ tutorial_images:,.0f }} images (the copy of CIFAR-10 this run found has
# {{ cifar_train_images:, }} training images). At the CPU's batch-32 rate here (32 was the
# tutorial's batch size) that run would take {{ tutorial_hours:.1f }} hours, not counting
# the scoring of its validation images.
#
# ## Mixed precision and XLA
#
# Two switches change *how* the same step is computed:
#
# * **Mixed precision** computes in 16-bit floating point and keeps the weights in 32-bit
#   float32. GPUs since NVIDIA's Volta have tensor cores that multiply float16 matrices many
#   times faster than plain float32 (`mixed_float16`; Keras scales the loss so that small
#   gradients do not vanish in float16). Since Ampere, float32 itself already uses the tensor
#   cores through TensorFloat-32 (above), so the gain from float16 is smaller there. Some
#   recent CPUs multiply bfloat16, which has float32's range and fewer digits
#   (`mixed_bfloat16`). Where the hardware has neither, there is little or nothing to gain
#   and the variant is skipped. `convlab.machine.mixed_policy(device)` makes that choice:
#   `"mixed_float16"` on a GPU whose compute capability is 7.0 or more (Volta and later, the
#   ones with tensor cores), `"mixed_bfloat16"` on a CPU whose instruction set has bfloat16
#   units, and None otherwise. Here it picks {{ policy_text }}.
# * **XLA** (`model.compile(..., jit_compile=True)`) compiles the whole training step into
#   one program, fusing small operations so that their results stay in fast memory instead of
#   going out to main memory and back between operations. It compiles one program for each
#   shape of input it meets; the first call, timed on its own below, pays for the one shape
#   timed here.
#
# Both are timed at batch 128 on every device, each beside a float32 model timed in the same
# loop. Timings on one machine wander from minute to minute (the float32 batch-128 rate of the
# table above may differ from the one below by a tenth or more), so a variant is compared
# only with float32 calls made at the same time: each round times one call of every variant
# in turn, the ratio to float32 is taken within the round, and the median over the rounds is
# reported. A fresh model's first call is timed separately: it is where the step is traced,
# and with XLA compiled, which the images/s leave out.

# %%
def compiled_model(policy=None, jit_compile=False):
    """A new CNN computing in ``policy`` (None: float32), compiled for training, with XLA
    where ``jit_compile``."""
    keras.config.set_dtype_policy(policy or "float32")   # the dtype the layers compute in
    keras.utils.set_random_seed(1234)
    model = make_cnn()
    keras.config.set_dtype_policy("float32")
    model.compile(optimizer=keras.optimizers.Adam(1e-3),
                  loss="sparse_categorical_crossentropy", jit_compile=jit_compile)
    return model


batch_size = 128
images = -(-timed_images // batch_size) * batch_size   # whole batches
x = np.random.uniform(-0.5, 0.5, (images, 32, 32, 3)).astype("float32")
y = np.random.randint(0, 10, images)


def one_call(model):
    """Seconds of one epoch of model.fit over the random images."""
    start = time.perf_counter()
    model.fit(x, y, batch_size=batch_size, epochs=1, verbose=0, shuffle=False)
    return time.perf_counter() - start


first, seconds = {}, {}   # by (device, variant): the first call, and the timed calls
for device in machine.devices():
    mixed = machine.mixed_policy(device)   # None where the hardware has no 16-bit units
    todo = [("float32", None, False)] + ([(mixed, mixed, False)] if mixed else [])
    todo += [("float32 + XLA", None, True)]
    with tf.device(f"/{device}:0"):
        timed_models = {}
        for variant, policy, jit in todo:
            try:
                timed_models[variant] = compiled_model(policy, jit)
                first[device, variant] = one_call(timed_models[variant])   # traced (and compiled)
            except Exception as exc:   # a variant this machine cannot run is reported
                timed_models.pop(variant, None)
                print(f"{device} {variant}: {type(exc).__name__}: "
                      f"{str(exc).splitlines()[0][:100]}")
        for _ in range(max(repeats, 3)):   # rounds: one call of every variant in turn
            for variant, model in timed_models.items():
                seconds.setdefault((device, variant), []).append(one_call(model))

# %% tags=["hide-input"]
later = {key: statistics.median(times) for key, times in seconds.items()}
rate = {key: images / value for key, value in later.items()}
paired = {(device, variant): statistics.median(
              f / v for f, v in zip(seconds[device, "float32"], times))   # within each round
          for (device, variant), times in seconds.items()}
report.markdown(report.markdown_table(
    ["device", "variant", "images/s", "vs float32 (paired)", "first call", "a later call"],
    [[device, variant, f"{rate[device, variant]:,.0f}", f"×{paired[device, variant]:.2f}",
      f"{first[device, variant]:.1f} s", f"{later[device, variant]:.1f} s"]
     for (device, variant) in seconds],
))
for (device, variant), value in rate.items():
    if variant != "float32":
        name = variant.replace("float32 + XLA", "xla")
        report.record(f"{device.lower()}_{name}_images_per_second_batch_128", value)
        report.record(f"{device.lower()}_{name}_vs_float32_batch_128", paired[device, variant],
                      quantity="number", fmt="×{:.2f}")
xla_ratio = paired.get(("CPU", "float32 + XLA"), float("nan"))
cpu_xla = rate.get(("CPU", "float32 + XLA"), float("nan"))
cpu_float32 = rate["CPU", "float32"]
float32_first, float32_later = first["CPU", "float32"], later["CPU", "float32"]
xla_first = first.get(("CPU", "float32 + XLA"), float("nan"))
xla_later = later.get(("CPU", "float32 + XLA"), float("nan"))
xla_compile_seconds = (xla_first - xla_later) - (float32_first - float32_later)
_ = report.record("xla_compile_seconds", xla_compile_seconds, quantity="seconds")
compile_phrase = (f"so compiling this network's step took about {xla_compile_seconds:.1f} s "
                  "more than tracing it" if xla_compile_seconds > 0.5 else
                  "so compiling this network's step cost little beyond tracing it (less "
                  "than half a second more)")

# %%
claim("xla_not_faster_cpu",
      "on the CPU, compiling the training step with XLA did not make it faster: timed in the "
      "same rounds as float32, its median ratio to float32 is below ×1.1",
      holds=xla_ratio < 1.1,
      evidence=f"batch 128 on the CPU, {len(seconds['CPU', 'float32'])} paired rounds: float32 "
               f"{cpu_float32:,.0f} images/s, float32 + XLA {cpu_xla:,.0f} images/s, median "
               f"ratio within a round ×{xla_ratio:.2f}")


# %% [markdown]
# Where the table has a mixed-precision row, its "vs float32" column is what 16-bit arithmetic
# buys on that device: 16-bit units multiply more numbers per instruction than 32-bit ones,
# and the activations passed from layer to layer take half the memory. Only part of a step is
# such arithmetic and traffic, so the gain is smaller than the units' own.
#
# On the CPU, XLA did not speed training up {{ claim xla_not_faster_cpu }}: at batch 128 it
# trained {{ cpu_xla:,.0f }} images/s against float32's {{ cpu_float32:,.0f }} in the same
# rounds, a median ratio of ×{{ xla_ratio:.2f }} (a ratio within about ±10% of 1 could be
# noise). Before the first step, its first call took {{ xla_first:.1f }} s and a later one
# {{ xla_later:.1f }} s, against {{ float32_first:.1f }} s and {{ float32_later:.1f }} s in
# float32: beyond the step itself, the first call cost {{ xla_first - xla_later:.1f }} s with
# XLA (tracing and compiling) and {{ float32_first - float32_later:.1f }} s in float32
# (tracing alone), {{ compile_phrase }}.
#
# Why so little, or less than nothing, on a CPU:
#
# * **There is little to fuse.** Almost all of this network's arithmetic is in its
#   convolutions and dense layers, which are large operations already; fusing the small ones
#   around them (bias, ReLU) saves memory traffic that is a small share of a CPU's step.
# * **TensorFlow's own CPU kernels are hard to beat.** Without XLA, TensorFlow runs each
#   convolution with a kernel from oneDNN, a library tuned by hand for these processors. With
#   XLA, the step is a program XLA generates for the CPU, and XLA:CPU hands its convolutions
#   to Eigen's generic kernels instead of oneDNN's tuned ones.
# * **Compilation is paid per shape.** A real training run meets more than one shape: a last
#   batch smaller than the others, validation and evaluation batches. Each new shape is
#   compiled anew, at a cost like the one measured above.
#
# XLA's gains come mostly on GPUs, and most with small batches: there every separate operation
# is a kernel the GPU must be told to launch and a trip through its memory, a fixed cost that a
# small batch does little to share out, and fusing operations saves both. Whether it does for
# this network is a question for the GPU rows of your own run.
#
# ## Does reduced precision cost accuracy?
#
# Speed is worth nothing if the network learns less. We train the same network twice on the
# same CIFAR-10 images with the same seed, once in float32 and once in the mixed policy of the
# device that trains, and compare the two on the same test images.

# %%
cifar = data.load("cifar10")
x_train = cifar.x_train[:train_size] / 255 - 0.5
y_train = cifar.y_train[:train_size]
x_test = cifar.x_test[:test_size] / 255 - 0.5
y_test = cifar.y_test[:test_size]
check_device = "GPU" if has_gpu else "CPU"
check_policy = machine.mixed_policy(check_device)
correct = {}
for policy in ["float32"] + ([check_policy] if check_policy else []):
    keras.config.set_dtype_policy(policy)
    keras.utils.set_random_seed(1234)
    with tf.device(f"/{check_device}:0"):
        model = make_cnn()
        model.compile(optimizer=keras.optimizers.Adam(1e-3),
                      loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        model.fit(x_train, y_train, epochs=epochs, batch_size=128, verbose=0)
        predicted = model.predict(x_test, batch_size=512, verbose=0).argmax(axis=1)
    keras.config.set_dtype_policy("float32")
    correct[policy] = predicted == y_test.ravel()   # labels come as a column: (n, 1)
    print(f"{policy}: test accuracy {correct[policy].mean():.1%}")

# %%
accuracy = {policy: float(right.mean()) for policy, right in correct.items()}
report.record("float32_test_accuracy", accuracy["float32"])
mixed_name = check_policy or "reduced precision"
if check_policy:
    report.record("mixed_precision_test_accuracy", accuracy[check_policy])
    versus = metrics.paired_comparison(correct["float32"], correct[check_policy])
    claim("precision_keeps_accuracy",
          "the network trained in reduced precision labels the test images no worse than the "
          "one trained in float32",
          holds=versus.winner != "a", evidence=versus.evidence("float32", check_policy))
    mixed_result = (f"{mixed_name} {accuracy[check_policy]:.1%}: reduced precision cost no "
                    "accuracy that these test images can detect")
else:
    mixed_result = (f"the {check_device} here has no reduced-precision units, so no second "
                    "network was trained: this run cannot say whether reduced precision costs "
                    "accuracy")
    claim("precision_keeps_accuracy",
          "the network trained in reduced precision labels the test images no worse than the "
          "one trained in float32",
          holds=False, evidence=f"the {check_device} here has no reduced-precision units: "
                                "only float32 was trained")

# %% [markdown]
# After {{ epochs }} epochs on {{ len(x_train):, }} images, float32 labels
# {{ accuracy["float32"]:.1% }} of the {{ len(x_test):, }} test images correctly and
# {{ mixed_result }} {{ claim precision_keeps_accuracy }}. The comparison is paired: it
# counts the test images one network gets right and the other wrong, and calls a difference
# real only when those counts are too uneven for chance.
#
# That is what one expects. The weights and their updates stay in float32; only the layers'
# arithmetic (their outputs and gradients) runs with fewer digits. bfloat16 keeps 8
# significant bits and float16 11, so a value is off by at most a few parts in a thousand,
# far below the noise that a mini-batch of 128 images puts into every gradient step.
#
# ## Threads on the CPU
#
# TensorFlow splits each operation across a pool of threads, by default one per core. The
# pool is sized once, when TensorFlow starts, so each thread count, all the cores included, is
# timed in a fresh Python process that sets it first thing (`tf.config.threading`). Same
# network, batch size and number of images throughout.

# %%
cores = machine.describe().cores
threads = throughput.thread_scaling("tutorial_cnn_float32_softmax",   # make_cnn, by name
                                    threads=[*throughput.fewer_threads(), cores],
                                    batch_size=128, images=timed_images, repeats=repeats)

# %% tags=["hide-input"]
one = threads[0]["images_per_second"]
most = threads[-1]
report.markdown(report.markdown_table(
    ["threads", "images/s", "vs one thread"],
    [[t["threads"], f"{t['images_per_second']:,.0f}", f"×{t['images_per_second'] / one:.2f}"]
     for t in threads],
))

# %%
claim("more_threads_faster",
      f"with all its {cores} cores the CPU trains at least ×1.2 as many images per second as "
      "with one thread",
      holds=len(threads) > 1 and most["images_per_second"] > 1.2 * one,
      evidence=f"batch 128: one thread {one:,.0f} images/s, {most['threads']} threads "
               f"{most['images_per_second']:,.0f} images/s "
               f"(×{most['images_per_second'] / one:.2f}, ×{most['threads']} at most)")

# %% [markdown]
# With {{ most["threads"] }} threads the CPU trains ×{{ most["images_per_second"] / one:.2f }}
# as many images per second as with one {{ claim more_threads_faster }} (the two were timed
# a minute apart, so read the ratio to about a tenth), where
# {{ most["threads"] }} threads could at best give ×{{ most["threads"] }}. Cores are not the
# whole story: a convolution also waits for memory, which the cores share, and on a shared
# machine other programs take their share of the cores.
#
# ## What we have
#
# * GPUs in this page's run: **{{ ", ".join(gpu_names) or "none" }}**. Where that reads
#   *none*, this page has CPU figures only and cannot answer its title's question. Run the
#   downloaded lesson on a machine or a notebook service with a GPU (Colab, for one) to get
#   the GPU rows; its last cell, "compare your run", sets your results beside this page's,
#   among them *fastest device vs cpu*: the fastest device's images/s over the CPU's at the
#   same batch size.
# * Time a step honestly: a warm-up call excluded, the median of repeated calls, the device
#   chosen with `tf.device` and the result fetched. Measured so, the CPU of this page's run
#   multiplies {{ matmul_n["CPU"] }} × {{ matmul_n["CPU"] }} matrices at
#   {{ matmul_rate["CPU"] / 1e9:,.1f }} GFLOP/s, and
#   trains the tutorial's CNN in float32 at {{ cpu_rates[best_cpu_batch]:,.0f }} images/s at
#   best (batch {{ best_cpu_batch }}); the second table has what mixed precision and XLA
#   change.
# * The speed of training depends on the hardware, the batch size and the arithmetic format:
#   measure it on the machine you have. On this CPU the batch size changed the rate by
#   ×{{ cpu_batch_gain:.2f }} at most; but the batch size is part of the recipe, and changing
#   it changes how the network learns.
# * Reduced precision can be a cheap speed-up where the hardware supports it
#   (`machine.mixed_policy` says which: here {{ policy_text }}); time it, and check on a
#   short run, as above, that it leaves the accuracy where it was. XLA is worth timing too,
#   with its compilation counted: on this CPU it did not pay {{ claim xla_not_faster_cpu }}.
#
# ## Exercises
#
# Do these in the downloaded notebook; each check cell says whether your answer is right, and
# on the page each answer is folded under its check.
#
# 1. **An epoch at this rate.** At the CPU's float32 batch-128 rate in the first table, how
#    many seconds would one epoch over all 50,000 of CIFAR-10's training images take? Set
#    `my_epoch_seconds` (within a tenth counts as right).
# 2. **Does XLA pay for itself?** On this CPU at batch 128, after how many epochs over 50,000
#    images would the time XLA saves per epoch have repaid its compilation (the seconds
#    measured above)? Take float32's epoch from its rate in the second table and XLA's from
#    the paired ratio (float32's epoch divided by the ratio), and use the rule of the claim
#    above: XLA saves time only when that ratio is above ×1.1; at ×1.1 or below, set
#    `my_payback_epochs` to `"never"`, otherwise to a number.
# 3. **Predict, then run: bfloat16's digits.** bfloat16 keeps 8 significant bits, so between
#    1 and 2 its numbers are spaced $2^{-7}$ apart. Predict the value of
#    `float(tf.cast(1.01, tf.bfloat16))`; set `my_value`, then run the expression to see.

# %%
my_epoch_seconds = None    # exercise 1, e.g. 100
my_payback_epochs = None   # exercise 2, e.g. 3, or "never"
my_value = None            # exercise 3, e.g. 1.0

# %% tags=["hide-input"]
check("exercise 1", my_epoch_seconds, 50_000 / cpu_rates[128], rtol=0.1,
      explain="50,000 images divided by the batch-128 rate in images per second. Times the "
              "tutorial's epochs, it is roughly how long its whole run would take here.")
float32_epoch = 50_000 / cpu_float32
saved_per_epoch = float32_epoch - float32_epoch / xla_ratio
payback = ("never" if not xla_ratio > 1.1
           else max(xla_compile_seconds, 0) / saved_per_epoch)
check("exercise 2", my_payback_epochs, payback, rtol=0.2,
      hint="compare the seconds per epoch of the two variants first",
      explain="float32's epoch is 50,000 divided by its images per second, XLA's that divided "
              "by the paired ratio; the compilation is repaid after (compile seconds) / "
              "(seconds saved per epoch) epochs, and never when the ratio is within the ×1.1 "
              "that timing noise allows, as on a CPU it usually is.")
check("exercise 3", my_value, float(tf.cast(1.01, tf.bfloat16)), rtol=1e-6,
      hint="list the bfloat16 numbers near 1.01: 1, 1 + 1/128, 1 + 2/128, ...",
      explain="1.01 lies between 1 + 1/128 = 1.0078125 and 1 + 2/128 = 1.015625, nearer the "
              "first, so it rounds to 1.0078125: an error of about 0.2%, small beside the "
              "noise of a gradient step, which is why training in bfloat16 still works.")

# %% [markdown]
# ## What this page checks

# %%
report.record("parameters", make_cnn().count_params())
report.record("gpu_rows", sum(r.device == "GPU" for r in rows))
report.record("gpus_seen", len(machine.gpus()))
expect("parameters").equals(631_658)               # the tutorial's CNN
expect("gpu_rows").equals(3 * len(machine.gpus()[:1]))   # GPU figures only from a GPU
expect("cpu_images_per_second_batch_32").at_least(1)
expect("matmul_flops_per_second").at_least(1e6)     # the lesson's own timing function
expect("fastest_device_vs_cpu").at_least(1)         # the CPU's own rows give ×1
expect("float32_test_accuracy").at_least(0.20, profile=("quick", "full"))
if check_policy:
    expect("mixed_precision_test_accuracy").at_least("float32_test_accuracy", plus=-0.05,
                                                     profile=("quick", "full"))
