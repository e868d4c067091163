"""Trains the chapter's DCGAN in Keras as the chapter does, and writes generated samples as IDX.

    python3 scripts/keras_dcgan_train.py SEED EPOCHS OUT.idx [MNIST_FOLDER]

For the DCGAN seed study (see the README's quality section): the same models and settings as the
chapter (Adam 2e-4, beta_1 0.5, batch 256, shuffled, last partial batch dropped, BCE on
probabilities, one joint train_step), two threads. Afterwards 10,000 samples from standard normal
noise, generated with training=False, are written as an IDX ubyte file (28x28, 0..255), which
`lab evaluate OUT.idx` measures with our evaluator. Needs PyPI's tensorflow-cpu; CI never runs it.
"""
import gzip
import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np
import tensorflow as tf
from tensorflow import keras

seed, epochs, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
folder = sys.argv[4] if len(sys.argv) > 4 else os.path.join(os.path.dirname(__file__), "../../shared/data/mnist")
tf.config.threading.set_intra_op_parallelism_threads(2)
tf.config.threading.set_inter_op_parallelism_threads(1)
keras.utils.set_random_seed(seed)

with gzip.open(os.path.join(folder, "train-images-idx3-ubyte.gz")) as f:
    images = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 28, 28, 1)
x = (images.astype("float32") - 127.5) / 127.5
data = tf.data.Dataset.from_tensor_slices(x).shuffle(60000).batch(256, drop_remainder=True).prefetch(tf.data.AUTOTUNE)

k = keras.layers
G = keras.Sequential([
    k.Input((100,)), k.Dense(7 * 7 * 256, use_bias=False), k.BatchNormalization(), k.LeakyReLU(0.2), k.Reshape((7, 7, 256)),
    k.Conv2DTranspose(128, 5, strides=1, padding="same", use_bias=False), k.BatchNormalization(), k.LeakyReLU(0.2),
    k.Conv2DTranspose(64, 5, strides=2, padding="same", use_bias=False), k.BatchNormalization(), k.LeakyReLU(0.2),
    k.Conv2DTranspose(1, 5, strides=2, padding="same", activation="tanh")])
D = keras.Sequential([
    k.Input((28, 28, 1)), k.Conv2D(64, 5, strides=2, padding="same"), k.LeakyReLU(0.2), k.Dropout(0.3),
    k.Conv2D(128, 5, strides=2, padding="same"), k.LeakyReLU(0.2), k.Dropout(0.3), k.Flatten(), k.Dense(1, activation="sigmoid")])
bce = keras.losses.BinaryCrossentropy()
g_opt, d_opt = keras.optimizers.Adam(2e-4, beta_1=0.5), keras.optimizers.Adam(2e-4, beta_1=0.5)


@tf.function
def train_step(real):
    noise = tf.random.normal([tf.shape(real)[0], 100])
    with tf.GradientTape() as g_tape, tf.GradientTape() as d_tape:
        fake = G(noise, training=True)
        real_out, fake_out = D(real, training=True), D(fake, training=True)
        g_loss = bce(tf.ones_like(fake_out), fake_out)
        d_loss = bce(tf.ones_like(real_out), real_out) + bce(tf.zeros_like(fake_out), fake_out)
    g_opt.apply_gradients(zip(g_tape.gradient(g_loss, G.trainable_variables), G.trainable_variables))
    d_opt.apply_gradients(zip(d_tape.gradient(d_loss, D.trainable_variables), D.trainable_variables))
    return g_loss, d_loss


for epoch in range(1, epochs + 1):
    start, g_sum, d_sum, n = time.perf_counter(), 0.0, 0.0, 0
    for batch in data:
        g, d = train_step(batch)
        g_sum, d_sum, n = g_sum + float(g), d_sum + float(d), n + 1
    print(f"epoch {epoch}/{epochs} G {g_sum / n:.4f} D {d_sum / n:.4f} {time.perf_counter() - start:.1f} s", flush=True)

samples = np.concatenate([G(tf.random.normal([500, 100]), training=False).numpy() for _ in range(20)])
pixels = np.clip(np.round((samples.reshape(-1, 28, 28) + 1) / 2 * 255), 0, 255).astype(np.uint8)
with open(out, "wb") as f:
    f.write(bytes([0, 0, 8, 3]) + np.array([len(pixels), 28, 28], ">u4").tobytes() + pixels.tobytes())
print(f"{len(pixels)} samples -> {out}")
