"""Golden numbers for the 004 notebook's pieces that the course's shared golden file lacks:
the 4×4 stride-2 'same' Conv2D without bias, the last 4×4 'valid' Conv2D to 1×1 with a sigmoid,
and tf.image.resize's bilinear filter (what image_dataset_from_directory(interpolation="bilinear")
does), downwards and upwards, gray and colour.

Run once with PyPI's tensorflow-cpu (TF 2.21 / Keras 3); writes Tests/Golden/keras-brick-layers.json.
Tensors are {"shape": [...], "data": [...]} row-major, NHWC; Conv2D kernels [kh, kw, in, out].
"""
import json, os
import numpy as np, tensorflow as tf
from tensorflow import keras

rng = np.random.default_rng(404)


def T(a):
    a = np.asarray(a, dtype=np.float32)
    return {"shape": list(a.shape), "data": [round(float(v), 8) for v in a.ravel()]}


def r(*s, lo=-1, hi=1):
    return rng.uniform(lo, hi, size=s).astype(np.float32)


cases = {}


def layer_case(name, layer, x):
    x = tf.constant(x)
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = layer(x, training=True)
        up = tf.constant(r(*y.shape))
        s = tf.reduce_sum(y * up)
    grads = {"input": T(tape.gradient(s, x))}
    for w in layer.trainable_weights:
        grads[w.name] = T(tape.gradient(s, w))
    config = {k: v for k, v in layer.get_config().items()
              if isinstance(v, (int, float, str, bool, list, tuple)) and k not in ("name", "dtype", "trainable")}
    cases[name] = {"layer": layer.__class__.__name__, "config": config, "training": True, "input": T(x),
                   "weights": {w.name: T(w.numpy()) for w in layer.weights}, "output": T(y),
                   "upstream_gradient": T(up), "gradients": grads}


conv = keras.layers.Conv2D(3, 4, strides=2, padding="same", use_bias=False)
conv.build((None, 8, 8, 2))
conv.set_weights([r(4, 4, 2, 3)])
layer_case("conv2d_k4_s2_same_8x8x2_to_3_nobias", conv, r(2, 8, 8, 2))

conv = keras.layers.Conv2D(3, 4, strides=2, padding="same", use_bias=False)
conv.build((None, 7, 7, 2))
conv.set_weights([r(4, 4, 2, 3)])
layer_case("conv2d_k4_s2_same_7x7x2_to_3_nobias", conv, r(2, 7, 7, 2))

last = keras.layers.Conv2D(1, 4, strides=1, padding="valid", use_bias=False, activation="sigmoid")
last.build((None, 4, 4, 3))
last.set_weights([r(4, 4, 3, 1, lo=-0.5, hi=0.5)])
layer_case("conv2d_k4_s1_valid_4x4x3_to_1_sigmoid_nobias", last, r(3, 4, 4, 3))

resizes = {}
for name, (h, w, c, th, tw) in {
    "down_9x7x1_to_4x3": (9, 7, 1, 4, 3),
    "up_3x5x1_to_7x8": (3, 5, 1, 7, 8),
    "down_40x48x3_to_32x32": (40, 48, 3, 32, 32),
    "same_5x5x1": (5, 5, 1, 5, 5),
}.items():
    image = rng.integers(0, 256, size=(h, w, c)).astype(np.float32)
    resized = tf.image.resize(image, (th, tw), method="bilinear", antialias=False).numpy()
    resizes[name] = {"input": T(image), "output": T(resized)}
cases["bilinear_resize"] = resizes

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "Golden", "keras-brick-layers.json")
json.dump({"source": f"Keras {keras.__version__} / TensorFlow {tf.__version__}, CPU, float32", "cases": cases},
          open(out, "w"), indent=1)
print("wrote", out)
