"""Reference numbers for two iterations of the course's classic Keras GAN (the `002_…` notebook).

Run once (needs PyPI's tensorflow-cpu; CI never runs it):
    python3 scripts/keras_classic_gan_step.py > Tests/Golden/keras-classic-gan-step.json

The notebook's models: G = Dense(3136, relu) → BN → Reshape(7, 7, 64) → UpSampling2D(2) →
Conv2D(32, 3, same, relu) → BN → UpSampling2D(2) → Conv2D(16, 3, same, relu) → BN →
Conv2D(1, 3, same, sigmoid); D = Conv2D(16, 3, same, relu) ×2 → MaxPooling2D(3, 2) →
Conv2D(16, 3, same, relu) ×2 → MaxPooling2D(3, 2) → Flatten → Dense(1, sigmoid).
Start weights as in `keras_dcgan_step.py`: the integer hash u(i, k) = ((i + 1) * 2654435761 +
k * 40503) mod 2^32 / 2^32; weight tensor k (in `model.weights` order, G first) takes
(2u - 1) * sqrt(3 / fan_in) for kernels and 0.05 * (2u - 1) for biases; BN starts as Keras does.

One iteration, as the notebook's loop: input z = u (k = 1001), shape [8, 10] (the notebook's
np.random.rand); generated = G(z) in inference mode (the notebook's predict); real images u
(k = 2001), shape [8, 28, 28, 1]; D.train_on_batch(concat(generated, real), concat(0s, 1s)) with
D's RMSprop(0.001); then the combined model's train_on_batch(z, 1s): G in training mode into D,
only G's weights updated, by the combined model's own RMSprop(0.001). The file also holds, in
full, the gradient of the G loss at G's output (the images going into D), so that a test can check
D's input gradient and, separately, G's backward pass from the same starting gradient.

Why one iteration: RMSprop's first update moves every weight by about lr / sqrt(1 - rho), whatever
the gradient's size, so a gradient element near zero whose sign float32 rounding flips (a ReLU unit
or a max-pool window at a near-tie in D) moves its weight a whole step the other way, and a second
iteration compares those. Keras's own float32 run agrees with this float64 one to about 1e-6.

The trainable flags are not used for this: under Keras 3 the notebook's `model_disc.trainable =
False` set before D's first train_on_batch leaves D untrained ("The model does not have any
trainable weights"), unlike the tf.keras 2 the notebook was written for, where compile fixed
which weights each model updates. The script states that intended behaviour with gradient tapes
(per model, exactly the variables each compiled model updated under tf.keras 2), in float64 from
the float32 start values. For every weight after the iteration the file holds a summary (sum,
sum of absolute values, evenly spaced samples), with the D gradients of the D step and the G
gradients of the G step, and both losses.
"""
import json
import math
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np
import tensorflow as tf
from tensorflow import keras

sys.path.insert(0, os.path.dirname(__file__))
from keras_dcgan_step import exact, hashed_uniform, initialise, summary  # noqa: E402

HALF, VECTOR = 8, 10


def generator():
    k = keras.layers
    return keras.Sequential([
        k.Input((VECTOR,)),
        k.Dense(3136, activation="relu"), k.BatchNormalization(), k.Reshape((7, 7, 64)),
        k.UpSampling2D((2, 2)), k.Conv2D(32, 3, padding="same", activation="relu"), k.BatchNormalization(),
        k.UpSampling2D((2, 2)), k.Conv2D(16, 3, padding="same", activation="relu"), k.BatchNormalization(),
        k.Conv2D(1, 3, padding="same", activation="sigmoid"),
    ])


def discriminator():
    k = keras.layers
    return keras.Sequential([
        k.Input((28, 28, 1)),
        k.Conv2D(16, 3, padding="same", activation="relu"), k.Conv2D(16, 3, padding="same", activation="relu"),
        k.MaxPooling2D((3, 3), strides=2),
        k.Conv2D(16, 3, padding="same", activation="relu"), k.Conv2D(16, 3, padding="same", activation="relu"),
        k.MaxPooling2D((3, 3), strides=2),
        k.Flatten(), k.Dense(1, activation="sigmoid"),
    ])


def weights(model, name, gradients):
    by_path = {v.path: g for v, g in zip(model.trainable_variables, gradients)} if gradients else {}
    entries = []
    for variable in model.weights:
        entry = {"model": name, "path": variable.path, "shape": list(variable.shape), "value": summary(variable.numpy())}
        if variable.path in by_path:
            entry["gradient"] = summary(by_path[variable.path].numpy())
        entries.append(entry)
    return entries


def main():
    keras.backend.set_floatx(os.environ.get("KERAS_FLOATX", "float64"))  # float32 only to compare Keras with itself
    G, D = generator(), discriminator()
    initialise(D, initialise(G, 0))
    bce = keras.losses.BinaryCrossentropy()
    d_opt, combined_opt = keras.optimizers.RMSprop(0.001), keras.optimizers.RMSprop(0.001)
    z = exact(hashed_uniform(HALF * VECTOR, 1001)).reshape(HALF, VECTOR)
    real = exact(hashed_uniform(HALF * 784, 2001)).reshape(HALF, 28, 28, 1)
    generated = G(z, training=False)
    images = tf.concat([generated, real], 0)
    targets = tf.concat([tf.zeros((HALF, 1), tf.float64), tf.ones((HALF, 1), tf.float64)], 0)
    with tf.GradientTape() as tape:
        d_loss = bce(targets, D(images, training=True))
    d_grads = tape.gradient(d_loss, D.trainable_variables)
    d_opt.apply_gradients(zip(d_grads, D.trainable_variables))
    with tf.GradientTape(persistent=True) as tape:
        fake = G(z, training=True)
        tape.watch(fake)
        g_loss = bce(tf.ones((HALF, 1), tf.float64), D(fake, training=True))
    g_grads = tape.gradient(g_loss, G.trainable_variables)
    output_gradient = tape.gradient(g_loss, fake)
    combined_opt.apply_gradients(zip(g_grads, G.trainable_variables))
    json.dump({"keras": keras.__version__, "tensorflow": tf.__version__, "half_batch": HALF,
               "discriminator_loss": float(d_loss), "generator_loss": float(g_loss),
               "output_gradient": [float(f"{v:.12g}") for v in output_gradient.numpy().reshape(-1)],
               "weights": weights(G, "generator", g_grads) + weights(D, "discriminator", d_grads)}, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
