"""An evaluator outside the project, to check that our quality measures rank samples the same way.

    python3 scripts/independent_quality.py SAMPLES.idx [MORE.idx ...] [--mnist FOLDER]

Trains a classifier of its own in Keras (a different network from ours: two 5x5 convolutions with
batch normalisation, global average pooling, a 256-unit feature layer; 3 epochs, seed 7) on the
MNIST training split, then for each IDX file (28x28 ubyte, as `exportSamples` and MNIST write
them) prints FID on its 256 features against the test split (scipy.linalg.sqrtm, as the FID
paper's code does), the Inception-style score over 10 splits, and the classes covered (>= 2 %).
The first line is the real training images, the floor. Needs PyPI's tensorflow-cpu and scipy;
CI never runs it.
"""
import gzip
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np
import scipy.linalg
import tensorflow as tf
from tensorflow import keras


def read_idx(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, np.uint8, offset=4 + 4 * dims).reshape(shape)


def fid(a, b):
    mu1, mu2 = a.mean(0), b.mean(0)
    s1, s2 = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    root, _ = scipy.linalg.sqrtm(s1.dot(s2), disp=False)
    return float(((mu1 - mu2) ** 2).sum() + np.trace(s1 + s2 - 2 * np.real(root)))


def inception_score(p, splits=10):
    scores = []
    for part in np.array_split(p, splits):
        marginal = part.mean(0, keepdims=True)
        kl = (part * (np.log(part + 1e-12) - np.log(marginal + 1e-12))).sum(1)
        scores.append(np.exp(kl.mean()))
    return float(np.mean(scores))


def main():
    args = sys.argv[1:]
    folder = os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../shared/data/mnist")
    if "--mnist" in args:
        i = args.index("--mnist")
        folder = args[i + 1]
        del args[i:i + 2]
    tf.config.threading.set_intra_op_parallelism_threads(2)
    keras.utils.set_random_seed(7)
    x = read_idx(os.path.join(folder, "train-images-idx3-ubyte.gz"))[..., None] / 255.0
    y = read_idx(os.path.join(folder, "train-labels-idx1-ubyte.gz"))
    tx = read_idx(os.path.join(folder, "t10k-images-idx3-ubyte.gz"))[..., None] / 255.0
    ty = read_idx(os.path.join(folder, "t10k-labels-idx1-ubyte.gz"))
    k = keras.layers
    inputs = keras.Input((28, 28, 1))
    h = k.Conv2D(32, 5, padding="same", use_bias=False)(inputs)
    h = k.ReLU()(k.BatchNormalization()(h))
    h = k.MaxPooling2D()(h)
    h = k.Conv2D(64, 5, padding="same", use_bias=False)(h)
    h = k.ReLU()(k.BatchNormalization()(h))
    h = k.GlobalAveragePooling2D()(h)
    features = k.Dense(256, activation="relu")(h)
    probabilities = k.Dense(10, activation="softmax")(k.Dropout(0.3)(features))
    model = keras.Model(inputs, probabilities)
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x, y, batch_size=128, epochs=3, verbose=0)
    accuracy = model.evaluate(tx, ty, verbose=0)[1]
    both = keras.Model(inputs, [features, probabilities])
    reference, _ = both.predict(tx, batch_size=500, verbose=0)
    print(f"independent evaluator: test accuracy {accuracy * 100:.2f} %")
    for name, images in [("real training images (10,000)", x[:10000])] + [(p, read_idx(p)[..., None] / 255.0) for p in args]:
        f, p = both.predict(images, batch_size=500, verbose=0)
        counts = np.bincount(p.argmax(1), minlength=10) / len(p)
        print(f"{name}: FID {fid(f, reference):.2f}, IS {inception_score(p):.2f}, "
              f"classes {(counts >= 0.02).sum()}/10, largest {counts.max() * 100:.1f} %")


if __name__ == "__main__":
    main()
