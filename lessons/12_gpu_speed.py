# %% [markdown]
# # How much faster is a GPU?
#
# Every network in this course trained on whatever machine built the page. Here we measure
# what the hardware does with the same training steps: the CIFAR-10 CNN of the earlier lesson,
# timed at several batch sizes on the CPU and, when the machine has one, on a GPU; then mixed
# precision, XLA compilation and the CPU's thread count. Every figure on this page was
# measured when the page was built, on the hardware it names.

# %% [markdown]
# Previous: [reference architectures](../reference_architectures/). This is the last lesson;
# the CNN timed here is [the CIFAR-10 CNN](../cifar10_cnn/)'s. The other lessons' timings,
# those of [the CNN lesson](../cifar10_cnn/) and [the regularisation lesson](../regularisation/)
# among them, were made on the hardware that the box at the top of each page names, which
# need not be this page's.

# %% [markdown]
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

from convlab import data, machine, report, speed, throughput, training, viz
from convlab.exercises import check
from convlab.expectations import expect
from convlab.flops import training_flops
from convlab.references import tutorial

keras.utils.set_random_seed(1234)
# Every model timed below traces its training step into a graph anew. When a short run times
# several in a row, TensorFlow warns that it traces often; here that is expected.
logging.getLogger("tensorflow").setLevel(logging.ERROR)
print("GPUs TensorFlow sees:", tf.config.list_physical_devices("GPU") or "none")


def timing_sentence():
    """How each figure below is made from its timed calls."""
    if repeats >= 3:
        return (f"then {repeats} calls are timed and the median is reported, since the median "
                "is not moved by one call that another program on the machine happened to "
                "slow down.")
    timed = "one call is timed and its time" if repeats == 1 else "2 calls are timed and their mean"
    return (f"then {timed} is reported. That makes the figures rough: it takes the median of "
            "three calls or more to ignore one that another program on the machine happened "
            "to slow down.")

# %% [markdown]
# ## What is timed
#
# The network is the tutorial's CIFAR-10 CNN ({{ tutorial("cifar10_cnn.parameters"):, }}
# parameters), written as in the CNN lesson; only its softmax is a separate layer, so that it
# can stay in float32 when the rest runs in reduced precision. One *timed call* is
# `model.fit` for one epoch over {{ timed_images:, }} random 32 × 32 colour images (rounded
# up to whole batches): random pixels cost exactly as much arithmetic as photographs, and
# need no download. Before timing, one untimed call absorbs the one-off costs (tracing the
# training step into a graph, compiling it where XLA is on, and on a GPU choosing its
# convolution algorithms);
# {{ timing_sentence() }}

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
# We use it first on the operation most of a CNN's arithmetic comes down to: a product of two
# large square matrices, $2n^3$ floating-point operations for $n \times n$ matrices. Its rate is
# about the most this device does in float32 in practice; the network's rate, in images per
# second times operations per image, can be compared against it. (On NVIDIA GPUs since
# Ampere, TensorFlow by default computes float32 matrix products and convolutions on the
# tensor cores in *TensorFloat-32*, which keeps float32's range but rounds the inputs to
# about float16's precision; it does so in float32 training too.)

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


n = 2048
matmul_rate = {}
for device in machine.devices():
    with tf.device(f"/{device}:0"):
        step = matmul_step(n)        # the matrices are made on the device too
    seconds = median_seconds(step, device)
    matmul_rate[device] = 2 * n**3 / seconds
    print(f"{device}: one {n} x {n} matmul in {1000 * seconds:.1f} ms, "
          f"{matmul_rate[device] / 1e9:,.1f} GFLOP/s")
report.record("matmul_flops_per_second", matmul_rate["CPU"])
peak = speed.peak_matmul_rate()      # convlab's cached measurement, TensorFlow's default device

# %% [markdown]
# ## CPU and GPU, batch by batch
#
# The same steps on every device this machine has, at three batch sizes. A larger batch
# hands the hardware more independent work per step and fewer steps per epoch, so less
# overhead per image: a GPU, with thousands of arithmetic units, needs large batches to be
# kept busy; a CPU with a few cores usually gains too, less.

# %%
batch_sizes = (32, 128, 512)
rows = throughput.training_speed(make_cnn, batch_sizes=batch_sizes, images=timed_images,
                                 repeats=repeats)
ratios = throughput.speedups(rows)
report.markdown(report.markdown_table(
    ["device", "batch", "images/s", "ms/step", "vs CPU"],
    [[r.device, r.batch_size, f"{r.images_per_second:,.0f}",
      f"{1000 * r.batch_size / r.images_per_second:.1f}",
      f"×{ratios[(r.device, r.batch_size, r.variant)]:.1f}"] for r in rows],
))
has_gpu = any(r.device == "GPU" for r in rows)
cpu_rates = {r.batch_size: r.images_per_second for r in rows if r.device == "CPU"}
for r in rows:
    report.record(f"{r.device.lower()}_images_per_second_batch_{r.batch_size}",
                  r.images_per_second)

# %% [markdown]
# {{ throughput.device_statement(rows) }}

# %%
viz.speed_bars(rows)
plt.show()


# %%
def speed_sentence():
    """What the table says, written from the measurements."""
    best_cpu = max(cpu_rates, key=cpu_rates.get)
    text = (f"On the CPU the network trains at {cpu_rates[batch_sizes[0]]:,.0f} images/s with "
            f"batches of {batch_sizes[0]} and at most {cpu_rates[best_cpu]:,.0f} images/s "
            f"(batch {best_cpu}), ×{cpu_rates[best_cpu] / cpu_rates[batch_sizes[0]]:.1f} the "
            f"batch-{batch_sizes[0]} rate.")
    if has_gpu:
        gpu_rates = {r.batch_size: r.images_per_second for r in rows if r.device == "GPU"}
        best = max(gpu_rates, key=gpu_rates.get)
        at_best = gpu_rates[best] / cpu_rates[best]
        at_small = gpu_rates[batch_sizes[0]] / cpu_rates[batch_sizes[0]]
        text += (f" The GPU reaches {gpu_rates[best]:,.0f} images/s at batch {best}: "
                 f"×{at_best:.0f} the CPU at the same batch size, and ×{at_small:.0f} at batch "
                 f"{batch_sizes[0]}")
        text += (", where each step gives it too little work to fill it." if at_small < at_best
                 else ".")
    return text


def utilisation_sentence():
    """How much of the matmul rate the network's training uses."""
    best_cpu = max(cpu_rates.values())
    share = best_cpu * flops / matmul_rate["CPU"]
    text = (f"At {best_cpu:,.0f} images/s and {flops / 1e6:,.0f} million operations per "
            f"image, the CPU does {best_cpu * flops / 1e9:,.1f} GFLOP/s of training arithmetic: "
            f"{share:.0%} of the {matmul_rate['CPU'] / 1e9:,.1f} GFLOP/s it multiplies large "
            "matrices at above. ")
    if share <= 1:
        text += ("The rest goes to small layers that cannot fill the hardware, to memory "
                 "traffic and to Python's overhead per step. ")
    else:
        text += ("More than all of it: one of the two measurements was slowed by other "
                 "programs on the machine, so in this run the share means nothing. ")
    return text + (
        "convlab keeps its own measurement of the matmul rate, `speed.peak_matmul_rate()`, "
        "made once per machine and then read from a cache, the same way but with matrices "
        "grown until one product takes 50 ms: here "
        f"{peak / 1e9:,.1f} GFLOP/s on TensorFlow's default device. It is the rate that "
        "`training.EpochLog`, the log line under every training run in this course, measures "
        "a run against (the share of the \"float32 matmul rate\" at the end of the line).")


# The tutorial's own run: its epochs over what validation_split=0.15 leaves of 50,000 images.
tutorial_epochs = tutorial("cifar10_cnn.epochs")
tutorial_images = 0.85 * 50_000
tutorial_hours = tutorial_epochs * tutorial_images / cpu_rates[32] / 3600
policy_text = " and ".join(
    f"{machine.mixed_policy(d) or 'none'} for the {d}" for d in machine.devices())


# %% [markdown]
# {{ speed_sentence() }} {{ utilisation_sentence() }}
#
# The tutorial's run, {{ tutorial_epochs:.0f }} epochs over the {{ tutorial_images:,.0f }}
# images it trains on (CIFAR-10's 50,000 less its validation share), would take
# {{ tutorial_hours:.1f }} hours here at the CPU's batch-32 rate (not counting the scoring
# of its validation images).
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
#   one program, fusing small operations so that their results stay in fast memory. Its
#   compilation happens in the untimed warm-up.
#
# Both are timed at batch 128 on every device, beside float32.

# %%
variant_rows = []
for device in machine.devices():
    mixed = machine.mixed_policy(device)   # None where the hardware has no 16-bit units
    todo = [(None, False)] + ([(mixed, False)] if mixed else []) + [(None, True)]
    for policy, jit in todo:
        try:
            variant_rows.append(throughput.time_training(
                make_cnn, device=device, batch_size=128, images=timed_images,
                policy=policy, jit_compile=jit, repeats=repeats))
        except Exception as exc:   # a variant this machine cannot run is reported, not fatal
            print(f"{device} {policy or 'float32'}{' + XLA' if jit else ''}: "
                  f"{type(exc).__name__}: {str(exc).splitlines()[0][:100]}")
base = {r.device: r.images_per_second for r in variant_rows if r.variant == "float32"}
report.markdown(report.markdown_table(
    ["device", "variant", "images/s", "vs float32"],
    [[r.device, r.variant, f"{r.images_per_second:,.0f}",
      f"×{r.images_per_second / base[r.device]:.2f}"] for r in variant_rows],
))
cpu_mixed = machine.mixed_policy("CPU")
cpu_mixed_text = (f"available as {cpu_mixed}" if cpu_mixed
                  else "not available (it has no bfloat16 units), so it was not timed")
calls = "a single timed call" if repeats == 1 else f"only {repeats} timed calls"
noise_note = "" if repeats >= 3 else f", and larger ones too when each figure is {calls}, as here"

# %% [markdown]
# On this CPU mixed precision is {{ cpu_mixed_text }}. Ratios within about ±10% of 1 can be
# noise on a machine that other programs share{{ noise_note }}.
#
# ## Does reduced precision cost accuracy?
#
# Speed is worth nothing if the network learns less. We train the same network twice on the
# same CIFAR-10 images with the same seed, once in float32
# and once in the mixed policy of the device that trains, and compare test accuracy.

# %%
cifar = data.load("cifar10")
x_train = cifar.x_train[:train_size] / 255 - 0.5
y_train = cifar.y_train[:train_size]
x_test = cifar.x_test[:test_size] / 255 - 0.5
y_test = cifar.y_test[:test_size]
check_device = "GPU" if has_gpu else "CPU"
check_policy = machine.mixed_policy(check_device)
accuracy = {}
for policy in ["float32"] + ([check_policy] if check_policy else []):
    keras.config.set_dtype_policy(policy)
    keras.utils.set_random_seed(1234)
    with tf.device(f"/{check_device}:0"):
        model = make_cnn()
        model.compile(optimizer=keras.optimizers.Adam(1e-3),
                      loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        log = training.EpochLog(lines=0)
        model.fit(x_train, y_train, epochs=epochs, batch_size=128, verbose=0, callbacks=[log])
        accuracy[policy] = model.evaluate(x_test, y_test, batch_size=512, verbose=0)[1]
    keras.config.set_dtype_policy("float32")
    print(f"{policy}: test accuracy {accuracy[policy]:.1%}, {log.summary()}")
report.record("float32_test_accuracy", accuracy["float32"])
precision_noise = 2 * float(np.sqrt(2 * accuracy["float32"] * (1 - accuracy["float32"])
                                    / len(x_test)))
if check_policy:
    report.record("mixed_precision_test_accuracy", accuracy[check_policy])


def precision_sentence():
    if not check_policy:
        return (f"The {check_device} here has no reduced-precision units, so only float32 was "
                "trained.")
    drop = accuracy["float32"] - accuracy[check_policy]
    text = (f"After {epochs} epoch{'s' if epochs != 1 else ''} on {len(x_train):,} images, "
            f"float32 reaches "
            f"{accuracy['float32']:.1%} and {check_policy} {accuracy[check_policy]:.1%} on the "
            f"{len(x_test):,} test images, a difference of {100 * abs(drop):.1f} points "
            f"({'lower' if drop > 0 else 'higher'} in reduced precision). Two accuracies on "
            f"{len(x_test):,} images must differ by more than about "
            f"{100 * precision_noise:.1f} points (twice the binomial standard error of a "
            "difference) to tell apart. ")
    chance = 0.1 + 3 * np.sqrt(0.09 / len(x_test))
    if accuracy["float32"] <= chance:
        return text + ("But float32 itself scored no better than guessing in so short a run, "
                       "so this run cannot show whether reduced precision harms training.")
    if drop <= precision_noise:
        return text + ("So in this run reduced precision did not measurably harm training: as "
                       "expected, since the weights and their updates stay in float32 and only "
                       "the layers' arithmetic (their outputs and gradients) runs with fewer "
                       "digits, which a network's noisy gradient steps do not need.")
    return text + ("So in this run reduced precision scored measurably lower: check the loss "
                   "scaling and that the softmax stays in float32 before trusting it.")


# %% [markdown]
# {{ precision_sentence() }}
#
# ## Threads on the CPU
#
# TensorFlow splits each operation across a pool of threads, by default one per core. The
# pool is sized once, when TensorFlow starts, so each smaller thread count is timed in a fresh
# Python process that sets it first thing (`tf.config.threading`); the figure for every core
# is the float32 batch-128 measurement above, made with TensorFlow's default pool. Same
# network, batch size and number of images throughout.

# %%
cores = machine.describe().cores
fewer = throughput.thread_scaling("tutorial_cnn_float32_softmax",   # make_cnn, by name
                                  threads=throughput.fewer_threads(), batch_size=128,
                                  images=timed_images, repeats=repeats)
default = next(r for r in variant_rows if r.device == "CPU" and r.variant == "float32")
threads = [*fewer, {"threads": cores, "images_per_second": default.images_per_second}]
one = threads[0]["images_per_second"]
report.markdown(report.markdown_table(
    ["threads", "images/s", "vs one thread"],
    [[t["threads"], f"{t['images_per_second']:,.0f}", f"×{t['images_per_second'] / one:.2f}"]
     for t in threads],
))
most = threads[-1]

# %% [markdown]
# With {{ most["threads"] }} threads the CPU trains ×{{ most["images_per_second"] / one:.1f }}
# as fast as with one. Cores are not the whole story: a convolution also waits for memory,
# and on a shared machine other programs take their share of the cores.
#
# ## What we have
#
# * Time a step honestly: a warm-up call excluded, the median of repeated calls, the device
#   chosen with `tf.device` and the result fetched. Measured so, this machine's CPU multiplies
#   {{ n }} × {{ n }} matrices at {{ matmul_rate["CPU"] / 1e9:,.1f }} GFLOP/s, and trains the
#   tutorial's CNN at {{ max(cpu_rates.values()):,.0f }} images/s at best.
# * The speed of training depends on the hardware, the batch size and the arithmetic format:
#   measure it on the machine you have, as this page does when it is built. Here batches of
#   {{ batch_sizes[-1] }} trained ×{{ cpu_rates[batch_sizes[-1]] / cpu_rates[batch_sizes[0]]:.1f }}
#   as many images per second on the CPU as batches of {{ batch_sizes[0] }}; but the batch
#   size is part of the recipe, and changing it changes how the network learns.
# * Reduced precision can be a cheap speed-up where the hardware supports it
#   (`machine.mixed_policy` says which: here {{ policy_text }}); time it, and check on a
#   short run, as above, that it leaves the accuracy where it was.
#
# ## Exercises
#
# Do these in the downloaded notebook; each check cell says whether your answer is right.
#
# 1. **Counting operations.** How many floating-point operations does one product of two
#    2048 × 2048 matrices take? Set `my_flops`. Then time a larger product,
#    `median_seconds(matmul_step(4096))`, and compare its rate with the {{ n }} × {{ n }} one
#    above.
# 2. **An epoch at this rate.** At the CPU's batch-128 rate measured above, how many seconds
#    would one epoch over all 50,000 CIFAR-10 training images take? Set `my_epoch_seconds`
#    (within a tenth counts as right).
# 3. **Which policy?** What does `machine.mixed_policy` pick for a GPU of compute capability
#    6.1 (a Pascal card, without tensor cores)? Set `my_policy` to a policy name, or to
#    `"none"`.

# %%
my_flops = None            # exercise 1, e.g. 1e9
my_epoch_seconds = None    # exercise 2, e.g. 100
my_policy = None           # exercise 3, e.g. "mixed_bfloat16"

# %% tags=["hide-input"]
check("exercise 1", my_flops, 2 * 2048**3, rtol=0.01)
check("exercise 2", my_epoch_seconds, 50_000 / cpu_rates[128], rtol=0.1)
check("exercise 3", my_policy, "none",   # no tensor cores: mixed precision would only be slower
      hint="read machine.mixed_policy's rule: which GPUs get mixed_float16?")

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
expect("float32_test_accuracy").at_least(0.20, profile=("quick", "full"))
if check_policy:
    expect("mixed_precision_test_accuracy").at_least("float32_test_accuracy", plus=-0.05,
                                                     profile=("quick", "full"))
