"""Writes src/fixtures/keras-reduce-lr-on-plateau.json: the learning rates Keras 3's
`keras.callbacks.ReduceLROnPlateau` produces for given metric sequences.

A line-by-line transcription of Keras 3's `keras/src/callbacks/reduce_lr_on_plateau.py`
(`_reset` at train begin, `on_epoch_end`), with the optimizer's learning rate held as a float32
variable as in Keras (it is read back as float32, compared with `np.float32(min_lr)`, and the new
rate `max(old_lr * factor, min_lr)` is stored as float32). Keras itself is not needed.

Run: python3 packages/layers/reference/keras_reduce_lr_on_plateau.py
"""

import json
import math
import os

import numpy as np


class KerasReduceLROnPlateau:
    def __init__(self, monitor="val_loss", factor=0.1, patience=10, mode="auto",
                 min_delta=1e-4, cooldown=0, min_lr=0.0):
        if factor >= 1.0:
            raise ValueError("factor >= 1.0")
        self.monitor = monitor
        self.factor = factor
        self.min_lr = min_lr
        self.min_delta = min_delta
        self.patience = patience
        self.cooldown = cooldown
        self.mode = mode
        self._reset()

    def _reset(self):
        if self.mode == "min" or (self.mode == "auto" and "acc" not in self.monitor):
            self.monitor_op = lambda a, b: np.less(a, b - self.min_delta)
            self.best = np.inf
        else:
            self.monitor_op = lambda a, b: np.greater(a, b + self.min_delta)
            self.best = -np.inf
        self.cooldown_counter = 0
        self.wait = 0

    def in_cooldown(self):
        return self.cooldown_counter > 0

    def on_epoch_end(self, logs, optimizer):
        logs["learning_rate"] = float(optimizer["learning_rate"])
        current = logs.get(self.monitor)
        if current is None:
            return
        if self.in_cooldown():
            self.cooldown_counter -= 1
            self.wait = 0
        if self.monitor_op(current, self.best):
            self.best = current
            self.wait = 0
        elif not self.in_cooldown():
            self.wait += 1
            if self.wait >= self.patience:
                old_lr = float(optimizer["learning_rate"])
                if old_lr > np.float32(self.min_lr):
                    new_lr = old_lr * self.factor
                    new_lr = max(new_lr, self.min_lr)
                    optimizer["learning_rate"] = np.float32(new_lr)
                    self.cooldown_counter = self.cooldown
                    self.wait = 0


def run(name, options, initial_learning_rate, metrics):
    keras_options = {
        "monitor": options.get("monitor", "val_loss"),
        "factor": options.get("factor", 0.1),
        "patience": options.get("patience", 10),
        "mode": options.get("mode", "auto"),
        "min_delta": options.get("minDelta", 1e-4),
        "cooldown": options.get("cooldown", 0),
        "min_lr": options.get("minLr", 0.0),
    }
    callback = KerasReduceLROnPlateau(**keras_options)
    optimizer = {"learning_rate": np.float32(initial_learning_rate)}
    callback._reset()  # on_train_begin
    logged = []
    for metric in metrics:
        logs = {keras_options["monitor"]: metric}
        callback.on_epoch_end(logs, optimizer)
        logged.append(logs["learning_rate"])
    return {
        "name": name,
        "options": options,
        "initialLearningRate": initial_learning_rate,
        "metrics": metrics,
        "learningRates": logged,
        "finalLearningRate": float(optimizer["learning_rate"]),
    }


def main():
    plateau = [1.0, 0.8, 0.7, 0.69995, 0.7, 0.71, 0.7, 0.72, 0.7, 0.7, 0.69, 0.7, 0.7, 0.7, 0.7, 0.7]
    cases = [
        run("defaults (patience 10, factor 0.1) on a long plateau", {}, 0.01,
            [2.0, 1.5, 1.2] + [1.2 + 0.001 * math.sin(i) for i in range(27)]),
        run("patience 2, factor 0.5, minDelta 1e-4", {"patience": 2, "factor": 0.5}, 0.1, plateau),
        run("cooldown 2 after each reduction", {"patience": 1, "factor": 0.5, "cooldown": 2}, 0.1,
            plateau),
        run("mode max on accuracy (explicit)", {"monitor": "val_acc", "mode": "max", "patience": 2,
                                                "factor": 0.2}, 0.05,
            [0.5, 0.6, 0.65, 0.65, 0.64, 0.66, 0.66, 0.66, 0.7, 0.69, 0.69, 0.69, 0.69]),
        run("mode auto picks max for a monitor containing 'acc'",
            {"monitor": "val_acc", "patience": 1, "factor": 0.5}, 0.05,
            [0.5, 0.4, 0.6, 0.6, 0.55, 0.7, 0.7]),
        run("minLr floors the rate and stops reductions",
            {"patience": 1, "factor": 0.5, "minLr": 0.03}, 0.1,
            [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0]),
        run("minDelta 0.05: small improvements do not count",
            {"patience": 2, "factor": 0.5, "minDelta": 0.05}, 0.1,
            [1.0, 0.98, 0.96, 0.9, 0.89, 0.88, 0.8, 0.79, 0.78]),
        run("monitor 'loss' with patience 0 reduces on every non-improving epoch",
            {"monitor": "loss", "patience": 0, "factor": 0.5, "cooldown": 1}, 0.1,
            [1.0, 1.1, 1.2, 0.9, 0.95, 0.95, 0.95]),
    ]
    path = os.path.join(os.path.dirname(__file__), "..", "src", "fixtures",
                        "keras-reduce-lr-on-plateau.json")
    with open(path, "w") as file:
        json.dump({"generatedBy": "packages/layers/reference/keras_reduce_lr_on_plateau.py",
                   "cases": cases}, file, indent=2)
        file.write("\n")


if __name__ == "__main__":
    main()
