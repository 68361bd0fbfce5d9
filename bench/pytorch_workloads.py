"""PyTorch reference for Contour's benchmark suite (bench/run-bench.ts runs it).

Runs one workload once with the settings, data, shuffling orders and initial weights that the
bench wrote (settings.json, data.json and raw arrays in DATA_DIR), and prints one JSON line:

    /usr/bin/python3 bench/pytorch_workloads.py WORKLOAD DATA_DIR

WORKLOAD is sweep | mlp | find-lr | race. Each does exactly what Contour's side does:
- sweep: the mnist-lr-sweep preset, one trial per rate (one-layer softmax, SGD, cross entropy,
  batch 64), a non-finite loss stops a trial at that step, an epoch mean above 1000x the best
  stops it too; full cross entropy and error on the train and validation splits after each epoch.
- mlp: 784-256-128-10 ReLU, Adam (PyTorch defaults), batch 128, full evaluation of the train and
  test splits after each epoch.
- find-lr: exponential range test (fastai lr_find: rate start*(end/start)**(i/n), a step at each
  rate, smoothed loss with beta 0.98, debiased), stops when the smoothed loss exceeds 4x its best
  or is not finite; weights restored afterwards.
- race: seven optimizers x N steps on Rosenbrock with the analytic gradient (float64, passed as
  float32), from the same start with the same hyperparameters.
Timed sections exclude the interpreter start, `import torch` and reading the data.
"""

import json
import math
import os
import resource
import sys
import time

import numpy as np
import torch
import torch.nn.functional as functional


def load_dataset(directory, description):
    def array(name, dtype):
        return np.fromfile(os.path.join(directory, name), dtype=dtype)

    splits = {}
    for name, split in description["splits"].items():
        features = array(split["features"], np.float32).reshape(split["count"], 784)
        labels = array(split["labels"], np.uint8).astype(np.int64)
        splits[name] = (torch.from_numpy(features), torch.from_numpy(labels))
    orders_info = description["orders"]
    orders = array(orders_info["file"], np.uint32).astype(np.int64)
    orders = torch.from_numpy(orders.reshape(orders_info["epochs"], orders_info["count"]))
    flat = array(description["initialWeights"]["file"], np.float32)
    weights = []
    offset = 0
    for shape in description["initialWeights"]["shapes"]:
        size = int(np.prod(shape))
        weights.append(torch.from_numpy(flat[offset : offset + size].reshape(shape).copy()))
        offset += size
    return splits, orders, weights


def dense_network(weights, hidden_count):
    """nn.Sequential of Linear (+ReLU) layers holding Contour's initial weights (kernel [in, out])."""
    layers = []
    for index in range(0, len(weights), 2):
        kernel, bias = weights[index], weights[index + 1]
        linear = torch.nn.Linear(kernel.shape[0], kernel.shape[1])
        with torch.no_grad():
            linear.weight.copy_(kernel.t())
            linear.bias.copy_(bias)
        layers.append(linear)
        if index // 2 < hidden_count:
            layers.append(torch.nn.ReLU())
    return torch.nn.Sequential(*layers)


def evaluate(model, features, labels, batch_size=1000):
    """Mean cross entropy and classification error over a split (NaN stays NaN)."""
    cross_entropy = 0.0
    wrong = 0
    with torch.no_grad():
        for start in range(0, features.shape[0], batch_size):
            logits = model(features[start : start + batch_size])
            target = labels[start : start + batch_size]
            cross_entropy += functional.cross_entropy(logits, target, reduction="sum").item()
            wrong += (logits.argmax(1) != target).sum().item()
    count = features.shape[0]
    return cross_entropy / count, wrong / count


def run_sweep(settings, splits, orders, weights):
    config = settings["sweep"]
    train_x, train_y = splits["train"]
    validation_x, validation_y = splits["validation"]
    batch_size = config["batchSize"]
    started = time.perf_counter()
    train_seconds = 0.0
    trials = []
    for rate in config["rates"]:
        model = dense_network(weights, 0)
        optimizer = torch.optim.SGD(model.parameters(), lr=rate)
        best = None
        status = "finished"
        epochs = 0
        final = None
        for epoch in range(config["epochs"]):
            order = orders[epoch]
            loss_sum = 0.0
            steps = 0
            stepping = time.perf_counter()
            for start in range(0, order.shape[0], batch_size):
                items = order[start : start + batch_size]
                loss = functional.cross_entropy(model(train_x[items]), train_y[items])
                value = loss.item()
                if not math.isfinite(value):
                    status = "diverged"
                    break
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
                loss_sum += value
                steps += 1
            train_seconds += time.perf_counter() - stepping
            if status == "diverged":
                break
            epochs += 1
            train_metrics = evaluate(model, train_x, train_y)
            validation_metrics = evaluate(model, validation_x, validation_y)
            final = {"train": train_metrics, "validation": validation_metrics}
            mean = loss_sum / max(1, steps)
            if best is not None and mean > config["divergenceFactor"] * best:
                status = "diverged"
                break
            best = mean if best is None else min(best, mean)
        trials.append(
            {
                "rate": rate,
                "status": status,
                "epochs": epochs,
                "validationAccuracy": None if final is None else 1 - final["validation"][1],
                "validationCrossEntropy": None if final is None else final["validation"][0],
            }
        )
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "trainSeconds": train_seconds,
        "trials": trials,
    }


def run_mlp(settings, splits, orders, weights):
    config = settings["mlp"]
    train_x, train_y = splits["train"]
    test_x, test_y = splits["test"]
    batch_size = config["batchSize"]
    model = dense_network(weights, len(config["hidden"]))
    optimizer = torch.optim.Adam(model.parameters(), lr=config["learningRate"])
    started = time.perf_counter()
    epoch_seconds = []
    final = None
    for epoch in range(config["epochs"]):
        order = orders[epoch]
        stepping = time.perf_counter()
        for start in range(0, order.shape[0], batch_size):
            items = order[start : start + batch_size]
            loss = functional.cross_entropy(model(train_x[items]), train_y[items])
            value = loss.item()
            if not math.isfinite(value):
                raise RuntimeError(f"non-finite loss at epoch {epoch}")
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        epoch_seconds.append(time.perf_counter() - stepping)
        final = {"train": evaluate(model, train_x, train_y), "test": evaluate(model, test_x, test_y)}
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "trainSeconds": sum(epoch_seconds),
        "epochSeconds": epoch_seconds,
        "accuracy": 1 - final["test"][1],
        "trainAccuracy": 1 - final["train"][1],
    }


def run_find_lr(settings, splits, orders, weights):
    config = settings["findLr"]
    train_x, train_y = splits["train"]
    batch_size = config["batchSize"]
    batches = math.ceil(train_x.shape[0] / batch_size)
    model = dense_network(weights, 0)
    optimizer = torch.optim.SGD(model.parameters(), lr=config["start"])
    started = time.perf_counter()
    saved = {name: value.clone() for name, value in model.state_dict().items()}
    iterations = config["iterations"]
    ratio = config["end"] / config["start"]
    average = 0.0
    best = math.inf
    rates = []
    losses = []
    for iteration in range(iterations):
        rate = config["start"] * ratio ** (iteration / iterations)
        for group in optimizer.param_groups:
            group["lr"] = rate
        order = orders[iteration // batches]
        position = (iteration % batches) * batch_size
        items = order[position : position + batch_size]
        loss = functional.cross_entropy(model(train_x[items]), train_y[items])
        value = loss.item()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        average = config["beta"] * average + (1 - config["beta"]) * value
        smoothed = average / (1 - config["beta"] ** (iteration + 1))
        rates.append(rate)
        losses.append(smoothed)
        best = min(best, smoothed)
        if not math.isfinite(smoothed) or smoothed > config["stopFactor"] * best:
            break
    model.load_state_dict(saved)
    seconds = time.perf_counter() - started
    lowest = min(range(len(losses)), key=lambda index: losses[index])
    return {
        "seconds": seconds,
        "iterations": len(losses),
        "suggestion": rates[lowest] / 10,
    }


def rosenbrock_gradient(x, y):
    return [-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)]


def torch_optimizer(spec, parameters):
    kind = spec["type"]
    rate = spec["lr"]
    if kind == "sgd":
        return torch.optim.SGD(
            parameters,
            lr=rate,
            momentum=spec.get("momentum", 0),
            nesterov=spec.get("nesterov", False),
        )
    if kind == "adagrad":
        return torch.optim.Adagrad(parameters, lr=rate)
    if kind == "adadelta":
        return torch.optim.Adadelta(parameters, lr=rate)
    if kind == "rmsprop":
        return torch.optim.RMSprop(parameters, lr=rate)
    if kind == "adam":
        return torch.optim.Adam(parameters, lr=rate)
    raise ValueError(f"unsupported optimizer {kind}")


def run_race(settings):
    config = settings["race"]
    started = time.perf_counter()
    distances = {}
    for racer in config["racers"]:
        point = torch.tensor(config["start"], dtype=torch.float32, requires_grad=True)
        optimizer = torch_optimizer(racer["spec"], [point])
        diverged_at = None
        for step in range(config["steps"]):
            x, y = point.detach().tolist()
            point.grad = torch.tensor(rosenbrock_gradient(x, y), dtype=torch.float32)
            optimizer.step()
            if not all(math.isfinite(value) for value in point.detach().tolist()):
                diverged_at = step
                break
        x, y = point.detach().tolist()
        distances[racer["label"]] = None if diverged_at is not None else math.hypot(x - 1, y - 1)
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "distances": distances}


def main():
    workload, directory = sys.argv[1], sys.argv[2]
    with open(os.path.join(directory, "settings.json")) as file:
        settings = json.load(file)
    with open(os.path.join(directory, "data.json")) as file:
        data = json.load(file)
    if workload == "sweep":
        result = run_sweep(settings, *load_dataset(directory, data["datasets"]["mnist"]))
    elif workload == "find-lr":
        result = run_find_lr(settings, *load_dataset(directory, data["datasets"]["mnist"]))
    elif workload == "mlp":
        result = run_mlp(settings, *load_dataset(directory, data["datasets"]["fashion"]))
    elif workload == "race":
        result = run_race(settings)
    else:
        raise SystemExit(f"unknown workload {workload}; use sweep, mlp, find-lr or race")
    result["peakRssMegabytes"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    result["engine"] = f"pytorch {torch.__version__} ({torch.get_num_threads()} threads)"
    print(json.dumps(result))


if __name__ == "__main__":
    main()
