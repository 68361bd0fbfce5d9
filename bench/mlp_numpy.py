"""Plain numpy/OpenBLAS reference for the suite's `mlp` workload (bench/run-bench.ts runs it).

The Fashion-MNIST MLP 784-256-128-10 (ReLU) as someone would write it in numpy: float32 arrays,
the forward and backward passes by hand (matrix products through numpy's BLAS, which is
OpenBLAS from Debian), softmax cross entropy, Adam with PyTorch's defaults, batch 128, full
evaluation of the train and test splits after each epoch. It reads the same data, shuffling
orders and initial weights as the PyTorch and Contour rows (the files the bench wrote) and prints
one JSON line like pytorch_workloads.py:

    /usr/bin/python3 bench/mlp_numpy.py mlp DATA_DIR

The timed section excludes the interpreter start, `import numpy` and reading the data. BLAS runs
with the threads OpenBLAS chooses unless OPENBLAS_NUM_THREADS is set.
"""

import json
import os
import resource
import sys
import time

import numpy as np


def load_dataset(directory, description):
    def array(name, dtype):
        return np.fromfile(os.path.join(directory, name), dtype=dtype)

    splits = {}
    for name, split in description["splits"].items():
        features = array(split["features"], np.float32).reshape(split["count"], 784)
        labels = array(split["labels"], np.uint8).astype(np.int64)
        splits[name] = (features, labels)
    orders_info = description["orders"]
    orders = array(orders_info["file"], np.uint32).astype(np.int64)
    orders = orders.reshape(orders_info["epochs"], orders_info["count"])
    flat = array(description["initialWeights"]["file"], np.float32)
    weights = []
    offset = 0
    for shape in description["initialWeights"]["shapes"]:
        size = int(np.prod(shape))
        weights.append(flat[offset : offset + size].reshape(shape).copy())
        offset += size
    return splits, orders, weights


def forward(weights, inputs):
    """Activations of every layer (inputs first) and the logits; kernels are [in, out]."""
    activations = [inputs]
    layer_count = len(weights) // 2
    for layer in range(layer_count):
        values = activations[-1] @ weights[2 * layer] + weights[2 * layer + 1]
        if layer < layer_count - 1:
            np.maximum(values, 0, out=values)
        activations.append(values)
    return activations


def log_softmax(logits):
    shifted = logits - logits.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


def evaluate(weights, features, labels, batch_size=1000):
    cross_entropy = 0.0
    wrong = 0
    for start in range(0, features.shape[0], batch_size):
        logits = forward(weights, features[start : start + batch_size])[-1]
        target = labels[start : start + batch_size]
        cross_entropy -= float(log_softmax(logits)[np.arange(target.shape[0]), target].sum())
        wrong += int((logits.argmax(axis=1) != target).sum())
    count = features.shape[0]
    return cross_entropy / count, wrong / count


def run_mlp(settings, splits, orders, weights):
    config = settings["mlp"]
    train_x, train_y = splits["train"]
    test_x, test_y = splits["test"]
    batch_size = config["batchSize"]
    rate, beta1, beta2, epsilon = np.float32(config["learningRate"]), 0.9, 0.999, 1e-8
    first = [np.zeros_like(weight) for weight in weights]
    second = [np.zeros_like(weight) for weight in weights]
    step = 0
    started = time.perf_counter()
    epoch_seconds = []
    final = None
    for epoch in range(config["epochs"]):
        order = orders[epoch]
        stepping = time.perf_counter()
        for start in range(0, order.shape[0], batch_size):
            items = order[start : start + batch_size]
            inputs, target = train_x[items], train_y[items]
            activations = forward(weights, inputs)
            logits = activations[-1]
            # d mean cross entropy / d logits = (softmax − one-hot) / batch.
            shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
            gradient = shifted / shifted.sum(axis=1, keepdims=True)
            loss = -float(np.log(gradient[np.arange(target.shape[0]), target]).mean())
            if not np.isfinite(loss):
                raise RuntimeError(f"non-finite loss at epoch {epoch}")
            gradient[np.arange(target.shape[0]), target] -= 1
            gradient /= target.shape[0]
            gradients = [None] * len(weights)
            for layer in range(len(weights) // 2 - 1, -1, -1):
                gradients[2 * layer] = activations[layer].T @ gradient
                gradients[2 * layer + 1] = gradient.sum(axis=0)
                if layer > 0:
                    gradient = (gradient @ weights[2 * layer].T) * (activations[layer] > 0)
            step += 1
            correction1 = 1 - beta1**step
            correction2 = 1 - beta2**step
            for index, weight in enumerate(weights):
                first[index] *= beta1
                first[index] += (1 - beta1) * gradients[index]
                second[index] *= beta2
                second[index] += (1 - beta2) * gradients[index] ** 2
                denominator = np.sqrt(second[index] / correction2) + epsilon
                weight -= (rate / correction1) * first[index] / denominator
        epoch_seconds.append(time.perf_counter() - stepping)
        final = {"train": evaluate(weights, train_x, train_y), "test": evaluate(weights, test_x, test_y)}
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "trainSeconds": sum(epoch_seconds),
        "epochSeconds": epoch_seconds,
        "accuracy": 1 - final["test"][1],
        "trainAccuracy": 1 - final["train"][1],
    }


def main():
    workload, directory = sys.argv[1], sys.argv[2]
    if workload != "mlp":
        raise SystemExit(f"unknown workload {workload}; this script runs mlp only")
    with open(os.path.join(directory, "settings.json")) as file:
        settings = json.load(file)
    with open(os.path.join(directory, "data.json")) as file:
        data = json.load(file)
    result = run_mlp(settings, *load_dataset(directory, data["datasets"]["fashion"]))
    result["peakRssMegabytes"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    threads = os.environ.get("OPENBLAS_NUM_THREADS", "default")
    result["engine"] = f"numpy {np.__version__} (OpenBLAS threads: {threads})"
    print(json.dumps(result))


if __name__ == "__main__":
    main()
