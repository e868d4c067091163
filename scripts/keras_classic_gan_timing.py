"""Keras's time for one iteration of the `002_…` notebook's loop on this CPU, to compare with
`lab bench classic-iteration` (run them in alternating rounds on the same machine).

Usage: python3 scripts/keras_classic_gan_timing.py ITERATIONS [per-image|batched] [THREADS]
  per-image: as the notebook writes it, one model_gen.predict call per generated image;
  batched:   one predict call for the 64 vectors, as the lab does.
Needs PyPI's tensorflow-cpu; CI never runs it. Prints milliseconds per iteration (median after two
warm-up iterations) and iterations per second.
"""
import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
iterations = int(sys.argv[1]) if len(sys.argv) > 1 else 20
mode = sys.argv[2] if len(sys.argv) > 2 else "batched"
threads = int(sys.argv[3]) if len(sys.argv) > 3 else 2
import numpy as np
import tensorflow as tf

tf.config.threading.set_intra_op_parallelism_threads(threads)
tf.config.threading.set_inter_op_parallelism_threads(1)
import keras
from keras import layers, optimizers, Sequential

sys.path.insert(0, os.path.dirname(__file__))
from keras_classic_gan_step import discriminator, generator  # noqa: E402

model_gen, model_disc = generator(), discriminator()
model_gen.compile(loss="binary_crossentropy", optimizer=optimizers.RMSprop(learning_rate=0.002))
model_disc.compile(loss="binary_crossentropy", optimizer=optimizers.RMSprop(learning_rate=0.001))
model_comb = Sequential([model_gen, model_disc])
model_comb.compile(loss="binary_crossentropy", optimizer=optimizers.RMSprop(learning_rate=0.001))
# (D stays trainable here: under Keras 3 freezing it before its first train_on_batch would leave it
# untrained; the time of the combined step hardly depends on it.)
y_train = np.random.rand(10000, 28, 28)
nOrig = nGen = 64
vector_size = 10
times = []
for i in range(iterations + 2):
    start = time.perf_counter()
    test_input = np.random.rand(nGen, vector_size)
    if mode == "per-image":
        y_gen = np.zeros((nGen, 28, 28))
        for j in range(nGen):
            y_gen[j, :] = model_gen.predict(test_input[j, :].reshape(1, 10), verbose=0).reshape((28, 28))
        y_gen = np.expand_dims(y_gen, -1)
    else:
        y_gen = model_gen.predict(test_input, verbose=0)
    idx = np.array(range(y_train.shape[0]))
    np.random.shuffle(idx)
    y_orig = np.expand_dims(y_train[idx[:nOrig], :, :], -1)
    test_img = np.concatenate((y_gen, y_orig), 0)
    test_target = np.concatenate((np.zeros(nGen), np.ones(nOrig)), 0)
    model_disc.train_on_batch(test_img, test_target)
    model_comb.train_on_batch(test_input, np.ones(nGen))
    if i >= 2:
        times.append(time.perf_counter() - start)
median = sorted(times)[len(times) // 2]
print(f"keras classic-iteration ({mode}, {threads} threads, Keras {keras.__version__}): "
      f"{median * 1000:.1f} ms/iteration, {1 / median:.2f} iterations/s")
