"""Reference numbers for two whole training steps of the chapter's DCGAN in Keras.

Run once (needs PyPI's tensorflow-cpu; CI never runs it):
    python3 scripts/keras_dcgan_step.py > Tests/Golden/keras-dcgan-step.json
    python3 scripts/keras_dcgan_step.py --float32-deviation > Tests/Golden/keras-dcgan-float32-deviation.json
    python3 scripts/keras_dcgan_step.py --layers > Tests/Golden/keras-dcgan-layers.json

The second measures Keras's own float32 steps against its float64 ones with the test's yardstick:
how far plain float32 arithmetic lands from the reference on these steps. The third holds every
layer's output and gradients at the step-1 start (float64), each with Keras float32's deviation
from it: rounding measured layer by layer, where a whole step's amplification does not blur it.

Both sides build the chapter's DCGAN (Dropout rate 0, so that no random mask differs) and start from
the same weights, noise and real batch, made by a formula both can compute exactly: the integer hash
u(i, k) = ((i + 1) * 2654435761 + k * 40503) mod 2^32 / 2^32. Weight tensor number k (in
`model.weights` order) takes (2u - 1) * sqrt(3 / fan_in) for kernels and 0.05 * (2u - 1) for biases;
BatchNormalization keeps Keras's initial gamma 1, beta 0, moving mean 0, moving variance 1.
Step s (1, 2) uses noise (2u - 1) * 1.7 with k = 1000 + s and real images 2u - 1 with k = 2000 + s.

One step is the chapter's train_step: G(noise, training) -> D(real), D(fake) in training mode;
D loss = BCE(1, D(real)) + BCE(0, D(fake)); G loss = BCE(1, D(fake)); both gradients from that one
forward pass; Adam(2e-4, beta_1 0.5) for each model.

The steps are ill-conditioned in float32 (a pre-activation within rounding of LeakyReLU's kink takes
the other slope; BatchNormalization's backward pass over a batch of 16 subtracts nearly equal
numbers; Adam's first updates turn a tiny gradient's sign into a full step), so Keras's own float32
result is not the truth to match: the script runs Keras in float64 from the float32 start values.
For every weight after each step the file holds its sum, sum of absolute values and evenly spaced
samples (every `stride`-th element, at most 512), and for trainable weights the same of the step's
gradient; and both losses of each step.
"""
import json
import math
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np
import tensorflow as tf
from tensorflow import keras

BATCH, LATENT, SAMPLES = 16, 100, 512


def hashed_uniform(count, k):
    i = np.arange(count, dtype=np.uint64)
    return (((i + 1) * np.uint64(2654435761) + np.uint64(k * 40503)) % np.uint64(2**32)).astype(np.float64) / 2**32


def generator():
    k = keras.layers
    return keras.Sequential([
        k.Input((LATENT,)),
        k.Dense(7 * 7 * 256, use_bias=False), k.BatchNormalization(), k.LeakyReLU(0.2),
        k.Reshape((7, 7, 256)),
        k.Conv2DTranspose(128, 5, strides=1, padding="same", use_bias=False), k.BatchNormalization(), k.LeakyReLU(0.2),
        k.Conv2DTranspose(64, 5, strides=2, padding="same", use_bias=False), k.BatchNormalization(), k.LeakyReLU(0.2),
        k.Conv2DTranspose(1, 5, strides=2, padding="same", activation="tanh"),
    ])


def discriminator():
    k = keras.layers
    return keras.Sequential([
        k.Input((28, 28, 1)),
        k.Conv2D(64, 5, strides=2, padding="same"), k.LeakyReLU(0.2), k.Dropout(0.0),
        k.Conv2D(128, 5, strides=2, padding="same"), k.LeakyReLU(0.2), k.Dropout(0.0),
        k.Flatten(), k.Dense(1, activation="sigmoid"),
    ])


def fan_in(variable):
    shape = variable.shape
    if len(shape) == 2:
        return shape[0]
    if "transpose" in variable.path:  # [kh, kw, out, in]
        return shape[0] * shape[1] * shape[3]
    return shape[0] * shape[1] * shape[2]


def exact(values):
    """The formula's values rounded to float32 (what both sides start from), in Keras's float type."""
    return values.astype(np.float32).astype(keras.backend.floatx())


def initialise(model, first_k):
    k = first_k
    for variable in model.weights:
        name = variable.path.split("/")[-1]
        count = int(np.prod(variable.shape))
        u = hashed_uniform(count, k)
        if name == "kernel":
            variable.assign(exact((2 * u - 1) * math.sqrt(3 / fan_in(variable))).reshape(variable.shape))
        elif name == "bias":
            variable.assign(exact(0.05 * (2 * u - 1)).reshape(variable.shape))
        k += 1
    return k


def summary(array):
    flat = np.asarray(array, dtype=np.float64).reshape(-1)
    stride = max(1, math.ceil(flat.size / SAMPLES))
    return {"count": int(flat.size), "stride": stride, "sum": float(flat.sum()), "abs_sum": float(np.abs(flat).sum()),
            "samples": [float(f"{v:.12g}") for v in flat[::stride]]}


def run(float_type):
    keras.backend.set_floatx(float_type)
    keras.config.set_dtype_policy(float_type)  # layers follow the policy, which keeps its first value otherwise
    G, D = generator(), discriminator()
    next_k = initialise(G, 0)
    initialise(D, next_k)
    bce = keras.losses.BinaryCrossentropy()
    g_opt, d_opt = keras.optimizers.Adam(2e-4, beta_1=0.5), keras.optimizers.Adam(2e-4, beta_1=0.5)
    steps = []
    for s in (1, 2):
        noise = exact((2 * hashed_uniform(BATCH * LATENT, 1000 + s) - 1) * 1.7).reshape(BATCH, LATENT)
        real = exact(2 * hashed_uniform(BATCH * 784, 2000 + s) - 1).reshape(BATCH, 28, 28, 1)
        with tf.GradientTape() as g_tape, tf.GradientTape() as d_tape:
            fake = G(noise, training=True)
            real_out, fake_out = D(real, training=True), D(fake, training=True)
            g_loss = bce(tf.ones_like(fake_out), fake_out)
            d_loss = bce(tf.ones_like(real_out), real_out) + bce(tf.zeros_like(fake_out), fake_out)
        d_grads = d_tape.gradient(d_loss, D.trainable_variables)
        g_grads = g_tape.gradient(g_loss, G.trainable_variables)
        d_opt.apply_gradients(zip(d_grads, D.trainable_variables))
        g_opt.apply_gradients(zip(g_grads, G.trainable_variables))
        record = {"generator_loss": float(g_loss), "discriminator_loss": float(d_loss), "weights": []}
        for model, grads in ((G, g_grads), (D, d_grads)):
            by_path = {v.path: g for v, g in zip(model.trainable_variables, grads)}
            for variable in model.weights:
                entry = {"model": model is G and "generator" or "discriminator", "path": variable.path,
                         "shape": list(variable.shape), "value": summary(variable.numpy())}
                if variable.path in by_path:
                    entry["gradient"] = summary(by_path[variable.path].numpy())
                record["weights"].append(entry)
        steps.append(record)
    return steps


def deviation(ours, reference):
    """How far a summary is from the reference's, as `expectMatchesGolden` measures it (in units of
    the reference's mean magnitude): the median and largest sampled difference, and Σ|x| (relative)."""
    scale = max(reference["abs_sum"] / reference["count"], 1e-12)
    differences = sorted(abs(a - b) / scale for a, b in zip(ours["samples"], reference["samples"]))
    return {"median": differences[len(differences) // 2], "worst": differences[-1],
            "abs_sum": abs(ours["abs_sum"] - reference["abs_sum"]) / max(reference["abs_sum"], 1e-30)}


def float32_deviation():
    """Keras's own float32 steps measured against its float64 ones, tensor by tensor: how close
    plain float32 arithmetic gets to the reference on these ill-conditioned steps."""
    reference, single = run("float64"), run("float32")
    steps = []
    for r, f in zip(reference, single):
        record = {"generator_loss": abs(f["generator_loss"] - r["generator_loss"]) / r["generator_loss"],
                  "discriminator_loss": abs(f["discriminator_loss"] - r["discriminator_loss"]) / r["discriminator_loss"],
                  "weights": []}
        for a, b in zip(f["weights"], r["weights"]):
            entry = {"path": b["path"], "value": deviation(a["value"], b["value"])}
            if "gradient" in b:
                entry["gradient"] = deviation(a["gradient"], b["gradient"])
            record["weights"].append(entry)
        steps.append(record)
    return steps


def layer_values(float_type):
    """Every layer's output and input gradient of the chapter's DCGAN at the step-1 start, and the
    convolutions' weight gradients, in order: G forward on the step-1 noise; G backward from the
    loss mean(G(noise) * w) with w = 2u - 1 (k = 3001); D forward on the step-1 real batch; D backward
    of BCE(1, D(real)) (Keras takes BCE's gradient through the sigmoid's logits)."""
    keras.backend.set_floatx(float_type)
    keras.config.set_dtype_policy(float_type)
    G, D = generator(), discriminator()
    initialise(D, initialise(G, 0))
    noise = tf.constant(exact((2 * hashed_uniform(BATCH * LATENT, 1001) - 1) * 1.7).reshape(BATCH, LATENT))
    real = tf.constant(exact(2 * hashed_uniform(BATCH * 784, 2001) - 1).reshape(BATCH, 28, 28, 1))
    weights = tf.constant(exact(2 * hashed_uniform(BATCH * 784, 3001) - 1).reshape(BATCH, 28, 28, 1))
    entries = []

    def record(label, model, x, loss_of):
        """The model's layer outputs, input gradients (last layer first) and weight gradients."""
        with tf.GradientTape(persistent=True) as tape:
            tape.watch(x)
            outputs = [x]
            for layer in model.layers:
                outputs.append(layer(outputs[-1], training=True))
            loss = loss_of(outputs[-1])
        for layer, y in zip(model.layers, outputs[1:]):
            entries.append((label + " forward " + layer.name, y))
        for layer, g in reversed(list(zip(model.layers, tape.gradient(loss, outputs[:-1])))):
            entries.append((label + " input gradient " + layer.name, g))
        for v, g in zip(model.trainable_variables, tape.gradient(loss, model.trainable_variables)):
            entries.append((label + " weight gradient " + v.path.split("/", 1)[1], g))

    record("G", G, noise, lambda y: tf.reduce_sum(y * weights) / BATCH)
    bce = keras.losses.BinaryCrossentropy()
    record("D", D, real, lambda y: bce(tf.ones_like(y), y))
    return [(name, np.asarray(value, dtype=np.float64)) for name, value in entries]


def layers():
    """Float64 summaries of `layer_values`, each with Keras float32's own deviation from it."""
    reference, single = layer_values("float64"), layer_values("float32")
    result = []
    for (name, r), (_, f) in zip(reference, single):
        entry = {"name": name, "shape": list(r.shape), "value": summary(r)}
        entry["float32_deviation"] = deviation(summary(f), entry["value"])
        result.append(entry)
    return result


def main():
    if sys.argv[1:] == ["--layers"]:
        json.dump({"keras": keras.__version__, "tensorflow": tf.__version__, "batch": BATCH, "entries": layers()}, sys.stdout)
        sys.stdout.write("\n")
        return
    if sys.argv[1:] == ["--float32-deviation"]:
        json.dump({"keras": keras.__version__, "tensorflow": tf.__version__, "batch": BATCH, "steps": float32_deviation()},
                  sys.stdout, indent=1)
        sys.stdout.write("\n")
        return
    reference = run("float64")
    json.dump({"keras": keras.__version__, "tensorflow": tf.__version__, "batch": BATCH, "steps": reference}, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
