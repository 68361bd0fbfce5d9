"""The demo sweep (`pnpm demo`: the mnist-lr-sweep preset) as a plain numpy script: the same data,
split and settings as demo_sweep_pytorch.py, with the five rates' softmax regressions stacked into
one [5, 784, 10] array so every batch costs one matrix product for all of them (the same batches
for every rate); full training and validation cross entropy and error after each epoch; one
BLAS thread. bench/whole-process.ts times it as a whole process next to `pnpm demo`.

    /usr/bin/python3 bench/demo_sweep_numpy.py [DIGITS_DIR]
"""

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import json  # noqa: E402
import sys  # noqa: E402

import numpy as np  # noqa: E402

here = os.path.dirname(os.path.abspath(__file__))
digits_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
    here, "..", "packages", "mnist-loader", "node_modules", "mnist", "src", "digits"
)

images, labels = [], []
for digit in range(10):
    with open(os.path.join(digits_dir, f"{digit}.json")) as file:
        pixels = np.array(json.load(file)["data"], dtype=np.float32).reshape(-1, 784)
    images.append(pixels)
    labels.append(np.full(len(pixels), digit))
x = np.concatenate(images)
y = np.concatenate(labels)

random = np.random.default_rng(0)
order = random.permutation(len(x))
split = int(0.8 * len(x))
train_x, train_y = x[order[:split]], y[order[:split]]
val_x, val_y = x[order[split:]], y[order[split:]]

rates = np.array([1, 0.5, 0.2, 0.1, 0.01], dtype=np.float32)
count = len(rates)
# PyTorch's nn.Linear initialisation: uniform(-1/sqrt(784), 1/sqrt(784)) for weights and biases.
bound = 1 / np.sqrt(784)
weights = random.uniform(-bound, bound, (count, 784, 10)).astype(np.float32)
biases = random.uniform(-bound, bound, (count, 1, 10)).astype(np.float32)


def softmax(logits):
    shifted = logits - logits.max(axis=-1, keepdims=True)
    exponentials = np.exp(shifted)
    return exponentials / exponentials.sum(axis=-1, keepdims=True)


def evaluate(features, targets):
    logits = features @ weights + biases  # [count, n, 10]
    shifted = logits - logits.max(axis=-1, keepdims=True)
    log_probabilities = shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))
    loss = -log_probabilities[:, np.arange(len(targets)), targets].mean(axis=1)
    error = (logits.argmax(axis=-1) != targets).mean(axis=1)
    return loss, error


for epoch in range(1, 11):
    permutation = random.permutation(len(train_x))
    for start in range(0, len(train_x), 64):
        batch = permutation[start : start + 64]
        features, targets = train_x[batch], train_y[batch]
        probabilities = softmax(features @ weights + biases)  # [count, b, 10]
        probabilities[:, np.arange(len(batch)), targets] -= 1
        gradient = probabilities / len(batch)
        weights -= rates[:, None, None] * (features.T @ gradient)
        biases -= rates[:, None, None] * gradient.sum(axis=1, keepdims=True)
    train_loss, train_error = evaluate(train_x, train_y)
    val_loss, val_error = evaluate(val_x, val_y)
    for index, rate in enumerate(rates):
        print(f"lr={rate:g} epoch {epoch}: train ce {train_loss[index]:.4f} err {train_error[index]:.4f} "
              f"val ce {val_loss[index]:.4f} err {val_error[index]:.4f}")
for index, rate in enumerate(rates):
    print(f"done lr={rate:g}: val accuracy {100 * (1 - val_error[index]):.1f} %")
