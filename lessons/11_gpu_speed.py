# %% [markdown]
# # How much faster is a GPU?
#
# Every network in this course trained on whatever machine built the page. Here we measure
# what the hardware does with the same training steps: the CIFAR-10 CNN of the earlier lesson,
# timed at several batch sizes on the CPU and, when the machine has one, on a GPU; then mixed
# precision, XLA compilation and the CPU's thread count. Every figure on this page was
# measured when the page was built, on the hardware it names.

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

import keras
import matplotlib.pyplot as plt
import tensorflow as tf

from convlab import data, machine, report, speed, throughput, training, viz
from convlab.expectations import expect

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
# The network is the tutorial's CIFAR-10 CNN (631,658 parameters), written as in the CNN
# lesson; only its softmax is a separate layer, so that it can stay in float32 when the rest
# runs in reduced precision. One *timed call* is `model.fit` for one epoch over
# {{ timed_images:, }} random 32 × 32 colour images: random pixels cost exactly as much
# arithmetic as photographs, and need no download. Before timing, one untimed call absorbs
# the one-off costs (tracing the training step into a graph, compiling it);
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


flops = speed.training_flops(make_cnn())
print(f"{flops / 1e6:,.0f} million floating-point operations to train on one image")

# %% [markdown]
# ## CPU and GPU, batch by batch
#
# The same steps on every device this machine has, at three batch sizes. A larger batch
# hands the hardware more independent work per step and fewer steps per epoch, so less
# overhead per image: a GPU, with thousands of arithmetic units, needs large batches to be
# kept busy at all; a CPU with a few cores gains too, less.

# %%
batch_sizes = (32, 128, 512)
rows = throughput.training_speed(make_cnn, batch_sizes=batch_sizes, images=timed_images,
                                 repeats=repeats)
ratios = throughput.speedups(rows)
report.markdown(report.markdown_table(
    ["device", "hardware", "batch", "images/s", "ms per step", "vs CPU"],
    [[r.device, r.hardware, r.batch_size, f"{r.images_per_second:,.0f}",
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
        text += (f" The GPU reaches {gpu_rates[best]:,.0f} images/s at batch {best}: "
                 f"×{gpu_rates[best] / cpu_rates[best]:.0f} the CPU at the same batch size, "
                 f"and ×{gpu_rates[batch_sizes[0]] / cpu_rates[batch_sizes[0]]:.0f} at batch "
                 f"{batch_sizes[0]}, where each step gives it too little work to fill it.")
    return text


# %% [markdown]
# {{ speed_sentence() }} An 80-epoch run of the tutorial on all 50,000 images at the CPU's
# batch-32 rate would take {{ 80 * 50_000 / cpu_rates[32] / 3600:.1f }} hours here.
#
# ## Mixed precision and XLA
#
# Two switches change *how* the same step is computed:
#
# * **Mixed precision** computes in 16-bit floating point and keeps the weights in 32-bit
#   float32. GPUs since NVIDIA's Volta have tensor cores that multiply float16 matrices many
#   times faster than float32 (`mixed_float16`; Keras scales the loss so that small gradients
#   do not vanish in float16). Recent CPUs multiply bfloat16, which has float32's range and
#   fewer digits (`mixed_bfloat16`). Where the hardware has neither, there is nothing to gain
#   and the variant is skipped.
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
    ["device", "variant", "images/s", "vs float32 on the same device"],
    [[r.device, r.variant, f"{r.images_per_second:,.0f}",
      f"×{r.images_per_second / base[r.device]:.2f}"] for r in variant_rows],
))
cpu_mixed = machine.mixed_policy("CPU")
cpu_mixed_text = (f"available as {cpu_mixed}" if cpu_mixed
                  else "not available (it has no bfloat16 units), so it was not timed")
calls = "a single timed call" if repeats == 1 else f"only {repeats} timed calls"
noise_note = "" if repeats >= 3 else f", and larger ones too when each figure is {calls}, as here"

# %% [markdown]
# On this CPU mixed precision is {{ cpu_mixed_text }}. Ratios within about ±10% are
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
if check_policy:
    report.record("mixed_precision_test_accuracy", accuracy[check_policy])


def precision_sentence():
    if not check_policy:
        return (f"The {check_device} here has no reduced-precision units, so only float32 was "
                "trained.")
    drop = accuracy["float32"] - accuracy[check_policy]
    return (f"After {epochs} epoch{'s' if epochs != 1 else ''} on {len(x_train):,} images, "
            f"float32 reaches "
            f"{accuracy['float32']:.1%} and {check_policy} {accuracy[check_policy]:.1%} on the "
            f"{len(x_test):,} test images, a difference of {100 * abs(drop):.1f} points "
            f"({'lower' if drop > 0 else 'higher'} in reduced precision).")


# %% [markdown]
# {{ precision_sentence() }} Runs this short differ by a point or more from seed to seed
# anyway; what matters is that reduced precision does not break training. It does not,
# because the weights and their updates stay in float32: only the products inside each layer
# lose digits, and a network's noisy gradient steps do not need them.
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
# * The speed of training depends on the hardware, the batch size and the arithmetic format:
#   measure it on the machine you have, as this page does when it is built.
# * Larger batches train more images per second, on a GPU far more than on a CPU; but the
#   batch size is part of the recipe, and changing it changes how the network learns.
# * Reduced precision is the cheapest speed-up where the hardware supports it; check on a
#   short run, as above, that it leaves the accuracy where it was.
#
# ## What this page checks

# %%
report.record("parameters", make_cnn().count_params())
report.record("gpu_rows", sum(r.device == "GPU" for r in rows))
report.record("gpus_seen", len(machine.gpus()))
expect("parameters").equals(631_658)               # the tutorial's CNN
expect("gpu_rows").equals(3 * len(machine.gpus()[:1]))   # GPU figures only from a GPU
expect("cpu_images_per_second_batch_32").at_least(1)
expect("float32_test_accuracy").at_least(0.20, profile=("quick", "full"))
if check_policy:
    expect("mixed_precision_test_accuracy").at_least("float32_test_accuracy", plus=-0.05,
                                                     profile=("quick", "full"))
