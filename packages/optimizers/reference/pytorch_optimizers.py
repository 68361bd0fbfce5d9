"""Parameters after each step of PyTorch's own torch.optim optimizers, for the cases below.

Writes ../src/fixtures/pytorch-optimizers.json, which the optimizers' tests compare against.
Run: /usr/bin/python3 reference/pytorch_optimizers.py   (needs Debian's python3-torch)

The gradient is computed in closed form, g = c·(p − t) + 0.1·p³, in float32 on both sides, so the
only thing compared is the update rule.
"""
import json
import os

import torch

torch.set_default_dtype(torch.float32)
START = [0.5, -1.5, 2.0, -0.25, 1.0]
C = [1.0, 4.0, 0.5, 10.0, 2.0]
T = [1.0, 0.0, -1.0, 0.5, 3.0]
STEPS = 12


def gradient(p):
    c = torch.tensor(C)
    t = torch.tensor(T)
    return c * (p - t) + 0.1 * p ** 3


def run(make_optimizer, make_scheduler=None):
    p = torch.nn.Parameter(torch.tensor(START))
    optimizer = make_optimizer([p])
    scheduler = make_scheduler(optimizer) if make_scheduler else None
    path = []
    for _ in range(STEPS):
        optimizer.zero_grad()
        p.grad = gradient(p.detach())
        optimizer.step()
        if scheduler:
            scheduler.step()
        path.append([float(v) for v in p.detach()])
    return path


O = torch.optim
cases = [
    ({"type": "sgd", "lr": 0.05}, lambda ps: O.SGD(ps, lr=0.05)),
    ({"type": "sgd", "lr": 0.05, "momentum": 0.9}, lambda ps: O.SGD(ps, lr=0.05, momentum=0.9)),
    ({"type": "sgd", "lr": 0.05, "momentum": 0.9, "dampening": 0.3, "weightDecay": 0.01},
     lambda ps: O.SGD(ps, lr=0.05, momentum=0.9, dampening=0.3, weight_decay=0.01)),
    ({"type": "sgd", "lr": 0.05, "momentum": 0.8, "nesterov": True}, lambda ps: O.SGD(ps, lr=0.05, momentum=0.8, nesterov=True)),
    ({"type": "adagrad", "lr": 0.3, "lrDecay": 0.05, "weightDecay": 0.02, "initialAccumulatorValue": 0.1},
     lambda ps: O.Adagrad(ps, lr=0.3, lr_decay=0.05, weight_decay=0.02, initial_accumulator_value=0.1)),
    ({"type": "rmsprop", "lr": 0.02}, lambda ps: O.RMSprop(ps, lr=0.02)),
    ({"type": "rmsprop", "lr": 0.01, "alpha": 0.9, "momentum": 0.5, "centered": True, "weightDecay": 0.01},
     lambda ps: O.RMSprop(ps, lr=0.01, alpha=0.9, momentum=0.5, centered=True, weight_decay=0.01)),
    ({"type": "adadelta", "lr": 1.0, "rho": 0.8, "weightDecay": 0.01}, lambda ps: O.Adadelta(ps, lr=1.0, rho=0.8, weight_decay=0.01)),
    ({"type": "adam", "lr": 0.05}, lambda ps: O.Adam(ps, lr=0.05)),
    ({"type": "adam", "lr": 0.05, "beta1": 0.8, "beta2": 0.99, "weightDecay": 0.01, "amsgrad": True},
     lambda ps: O.Adam(ps, lr=0.05, betas=(0.8, 0.99), weight_decay=0.01, amsgrad=True)),
    ({"type": "adamw", "lr": 0.05}, lambda ps: O.AdamW(ps, lr=0.05)),
    ({"type": "adamw", "lr": 0.05, "weightDecay": 0.1, "amsgrad": True}, lambda ps: O.AdamW(ps, lr=0.05, weight_decay=0.1, amsgrad=True)),
    ({"type": "rprop", "lr": 0.05}, lambda ps: O.Rprop(ps, lr=0.05)),
    ({"type": "rprop", "lr": 0.1, "etaMinus": 0.3, "etaPlus": 1.5, "stepMin": 0.01, "stepMax": 0.2},
     lambda ps: O.Rprop(ps, lr=0.1, etas=(0.3, 1.5), step_sizes=(0.01, 0.2))),
]
entries = [{"spec": spec, "path": run(make)} for spec, make in cases]
# A scheduled rate: StepLR(step_size 4, gamma 0.5) with momentum, stepped after every optimizer step.
entries.append({
    "spec": {"type": "sgd", "lr": {"type": "step", "lr": 0.05, "stepSize": 4, "gamma": 0.5}, "momentum": 0.9},
    "path": run(lambda ps: O.SGD(ps, lr=0.05, momentum=0.9), lambda o: O.lr_scheduler.StepLR(o, 4, 0.5)),
})

out = os.path.join(os.path.dirname(__file__), "..", "src", "fixtures", "pytorch-optimizers.json")
os.makedirs(os.path.dirname(out), exist_ok=True)
with open(out, "w") as f:
    json.dump({"torch": torch.__version__, "start": START, "c": C, "t": T, "cases": entries}, f, indent=1)
    f.write("\n")
print(f"wrote {len(entries)} cases from torch {torch.__version__} to {os.path.normpath(out)}")
