#!/usr/bin/env python3
"""Writes the small Keras model files the image-encoder import tests read, and what they compute.

No Keras or TensorFlow is needed (none can be installed where these were made): the files are laid
out as Keras 2.2.4 writes a model saved with `model.save(path)` (HDF5: the attributes
`keras_version`, `backend` and `model_config` at the root, the weights under `model_weights/<layer>/
<layer>/kernel:0`), with h5py, and the reference outputs are computed here with numpy, as Keras
computes them (channels last, cross-correlation, `same` padding as TensorFlow pads).

  functional.h5   Model: input 16x16x1 -> conv_a (Conv2D 4, 3x3, same, relu) -> pool_a (MaxPooling2D
                  2x2) -> conv_b (Conv2D 8, 3x3, valid, relu) -> features (GlobalAveragePooling2D)
                  -> logits (Dense 3, softmax)
  sequential.h5   Sequential: conv (Conv2D 3, 3x3, valid, relu, input 16x16x1) -> pool (MaxPooling2D
                  2x2) -> flat (Flatten) -> embedding (Dense 6, tanh) -> out (Dense 2, softmax)
  colour.h5       Model: input 8x8x3 -> pad (ZeroPadding2D 1) -> conv (Conv2D 4, 3x3, valid, relu)
                  -> bn (BatchNormalization) -> features (GlobalAveragePooling2D)
  reference.json  three 16x16 grey images (row by row, values in [0, 1]), three 8x8 colour images
                  (the red, green and blue planes one after the other, each row by row, as prep
                  writes them) and, for each file, the output of its cut layer (functional and
                  colour: features; sequential: embedding) on them

Redo (Debian: apt-get install python3-h5py python3-numpy), from this folder:
  /usr/bin/python3 make_keras_models.py
The weights come from a fixed seed, so the files come out the same each time.
"""
import json

import h5py
import numpy as np

SIDE = 16
rng = np.random.default_rng(20261202)


def initializer():
    return {"class_name": "VarianceScaling",
            "config": {"scale": 1.0, "mode": "fan_avg", "distribution": "uniform", "seed": None}}


def conv(name, filters, padding, activation, input_shape=None):
    config = {"name": name, "trainable": True, "dtype": "float32", "filters": filters,
              "kernel_size": [3, 3], "strides": [1, 1], "padding": padding,
              "data_format": "channels_last", "dilation_rate": [1, 1], "activation": activation,
              "use_bias": True, "kernel_initializer": initializer(),
              "bias_initializer": {"class_name": "Zeros", "config": {}},
              "kernel_regularizer": None, "bias_regularizer": None, "activity_regularizer": None,
              "kernel_constraint": None, "bias_constraint": None}
    if input_shape:
        config["batch_input_shape"] = [None] + list(input_shape)
    return {"class_name": "Conv2D", "config": config}


def max_pool(name):
    return {"class_name": "MaxPooling2D",
            "config": {"name": name, "trainable": True, "dtype": "float32", "pool_size": [2, 2],
                       "padding": "valid", "strides": [2, 2], "data_format": "channels_last"}}


def dense(name, units, activation):
    return {"class_name": "Dense",
            "config": {"name": name, "trainable": True, "dtype": "float32", "units": units,
                       "activation": activation, "use_bias": True,
                       "kernel_initializer": initializer(),
                       "bias_initializer": {"class_name": "Zeros", "config": {}},
                       "kernel_regularizer": None, "bias_regularizer": None,
                       "activity_regularizer": None, "kernel_constraint": None,
                       "bias_constraint": None}}


def weights(shape):
    return rng.uniform(-0.5, 0.5, size=shape).astype(np.float32)


def relu(x):
    return np.maximum(x, 0)


def conv_forward(x, kernel, bias, padding):
    """x [h, w, c], kernel [3, 3, c, out]: Keras's Conv2D (cross-correlation, stride 1)."""
    if padding == "same":
        x = np.pad(x, ((1, 1), (1, 1), (0, 0)))
    h, w = x.shape[0] - 2, x.shape[1] - 2
    out = np.zeros((h, w, kernel.shape[3]), dtype=np.float64)
    for i in range(h):
        for j in range(w):
            patch = x[i:i + 3, j:j + 3, :]
            out[i, j, :] = np.tensordot(patch, kernel, axes=([0, 1, 2], [0, 1, 2]))
    return out + bias


def pool_forward(x):
    h, w = x.shape[0] // 2, x.shape[1] // 2
    return x[:2 * h, :2 * w, :].reshape(h, 2, w, 2, -1).max(axis=(1, 3))


def write(path, model_config, layer_weights):
    """layer_weights: (layer name, [(weight name, array)]) for every layer, in order."""
    with h5py.File(path, "w") as f:
        f.attrs["keras_version"] = b"2.2.4"
        f.attrs["backend"] = b"tensorflow"
        f.attrs["model_config"] = json.dumps(model_config).encode("utf8")
        group = f.create_group("model_weights")
        group.attrs["layer_names"] = np.array([n.encode("utf8") for n, _ in layer_weights])
        group.attrs["backend"] = b"tensorflow"
        group.attrs["keras_version"] = b"2.2.4"
        for name, arrays in layer_weights:
            g = group.create_group(name)
            g.attrs["weight_names"] = np.array(
                [(name + "/" + w + ":0").encode("utf8") for w, _ in arrays], dtype="S")
            for w, value in arrays:
                g.create_dataset(name + "/" + w + ":0", data=value)


def functional(images):
    ka, ba = weights((3, 3, 1, 4)), weights((4,)) * 0.2
    kb, bb = weights((3, 3, 4, 8)), weights((8,)) * 0.2
    kd, bd = weights((8, 3)), weights((3,)) * 0.2

    def inbound(name):
        return [[[name, 0, 0, {}]]]

    layers = [
        {"class_name": "InputLayer", "name": "image", "inbound_nodes": [],
         "config": {"batch_input_shape": [None, SIDE, SIDE, 1], "dtype": "float32",
                    "sparse": False, "name": "image"}},
        dict(conv("conv_a", 4, "same", "relu"), name="conv_a", inbound_nodes=inbound("image")),
        dict(max_pool("pool_a"), name="pool_a", inbound_nodes=inbound("conv_a")),
        dict(conv("conv_b", 8, "valid", "relu"), name="conv_b", inbound_nodes=inbound("pool_a")),
        {"class_name": "GlobalAveragePooling2D", "name": "features",
         "inbound_nodes": inbound("conv_b"),
         "config": {"name": "features", "trainable": True, "dtype": "float32",
                    "data_format": "channels_last"}},
        dict(dense("logits", 3, "softmax"), name="logits", inbound_nodes=inbound("features")),
    ]
    config = {"class_name": "Model",
              "config": {"name": "encoder", "layers": layers,
                         "input_layers": [["image", 0, 0]], "output_layers": [["logits", 0, 0]]}}
    write("functional.h5", config,
          [("image", []), ("conv_a", [("kernel", ka), ("bias", ba)]), ("pool_a", []),
           ("conv_b", [("kernel", kb), ("bias", bb)]), ("features", []),
           ("logits", [("kernel", kd), ("bias", bd)])])
    out = []
    for x in images:
        a = pool_forward(relu(conv_forward(x, ka, ba, "same")))
        b = relu(conv_forward(a, kb, bb, "valid"))
        out.append(b.mean(axis=(0, 1)).tolist())
    return out


def sequential(images):
    k, b = weights((3, 3, 1, 3)), weights((3,)) * 0.2
    flat = 7 * 7 * 3
    ke, be = weights((flat, 6)) * 0.3, weights((6,)) * 0.2
    ko, bo = weights((6, 2)), weights((2,)) * 0.2
    layers = [
        conv("conv", 3, "valid", "relu", input_shape=(SIDE, SIDE, 1)),
        max_pool("pool"),
        {"class_name": "Flatten",
         "config": {"name": "flat", "trainable": True, "dtype": "float32",
                    "data_format": "channels_last"}},
        dense("embedding", 6, "tanh"),
        dense("out", 2, "softmax"),
    ]
    config = {"class_name": "Sequential", "config": {"name": "sequential", "layers": layers}}
    write("sequential.h5", config,
          [("conv", [("kernel", k), ("bias", b)]), ("pool", []), ("flat", []),
           ("embedding", [("kernel", ke), ("bias", be)]), ("out", [("kernel", ko), ("bias", bo)])])
    out = []
    for x in images:
        a = pool_forward(relu(conv_forward(x, k, b, "valid")))
        out.append(np.tanh(a.reshape(-1) @ ke + be).tolist())
    return out


def colour(images):
    k, b = weights((3, 3, 3, 4)), weights((4,)) * 0.2
    gamma = rng.uniform(0.5, 1.5, size=(4,)).astype(np.float32)
    beta = weights((4,)) * 0.2
    mean = weights((4,)) * 0.5
    var = rng.uniform(0.5, 2.0, size=(4,)).astype(np.float32)

    def inbound(name):
        return [[[name, 0, 0, {}]]]

    layers = [
        {"class_name": "InputLayer", "name": "rgb", "inbound_nodes": [],
         "config": {"batch_input_shape": [None, 8, 8, 3], "dtype": "float32", "sparse": False,
                    "name": "rgb"}},
        {"class_name": "ZeroPadding2D", "name": "pad", "inbound_nodes": inbound("rgb"),
         "config": {"name": "pad", "trainable": True, "dtype": "float32",
                    "padding": [[1, 1], [1, 1]], "data_format": "channels_last"}},
        dict(conv("conv", 4, "valid", "relu"), name="conv", inbound_nodes=inbound("pad")),
        {"class_name": "BatchNormalization", "name": "bn", "inbound_nodes": inbound("conv"),
         "config": {"name": "bn", "trainable": True, "dtype": "float32", "axis": -1,
                    "momentum": 0.99, "epsilon": 0.001, "center": True, "scale": True,
                    "beta_initializer": {"class_name": "Zeros", "config": {}},
                    "gamma_initializer": {"class_name": "Ones", "config": {}},
                    "moving_mean_initializer": {"class_name": "Zeros", "config": {}},
                    "moving_variance_initializer": {"class_name": "Ones", "config": {}},
                    "beta_regularizer": None, "gamma_regularizer": None,
                    "beta_constraint": None, "gamma_constraint": None}},
        {"class_name": "GlobalAveragePooling2D", "name": "features", "inbound_nodes": inbound("bn"),
         "config": {"name": "features", "trainable": True, "dtype": "float32",
                    "data_format": "channels_last"}},
    ]
    config = {"class_name": "Model",
              "config": {"name": "colour", "layers": layers,
                         "input_layers": [["rgb", 0, 0]], "output_layers": [["features", 0, 0]]}}
    write("colour.h5", config,
          [("rgb", []), ("pad", []), ("conv", [("kernel", k), ("bias", b)]),
           ("bn", [("gamma", gamma), ("beta", beta), ("moving_mean", mean),
                   ("moving_variance", var)]),
           ("features", [])])
    out = []
    for x in images:
        a = relu(conv_forward(x, k, b, "same"))  # ZeroPadding2D 1, then a valid 3x3: as same
        a = (a - mean) / np.sqrt(var + 0.001) * gamma + beta
        out.append(a.mean(axis=(0, 1)).tolist())
    return out


def main():
    images = [rng.uniform(0, 1, size=(SIDE, SIDE, 1)) for _ in range(3)]
    images[2][:, :8, 0] = 0  # half dark: a different response
    reference = {
        "side": SIDE,
        "images": [x[:, :, 0].reshape(-1).round(6).tolist() for x in images],
        "functional.h5": {"layer": "features", "outputs": functional(
            [x.round(6) for x in images])},
        "sequential.h5": {"layer": "embedding", "outputs": sequential(
            [x.round(6) for x in images])},
    }
    colours = [rng.uniform(0, 1, size=(8, 8, 3)).round(6) for _ in range(3)]
    colours[1][:, :, 0] = 0  # no red: the channels must not be mixed up
    reference["colour_images"] = [x.transpose(2, 0, 1).reshape(-1).tolist() for x in colours]
    reference["colour.h5"] = {"layer": "features", "outputs": colour(colours)}
    with open("reference.json", "w") as f:
        json.dump(reference, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
