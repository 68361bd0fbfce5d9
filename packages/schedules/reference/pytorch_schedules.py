"""Rates from PyTorch's own torch.optim.lr_scheduler for the specs in cases below.

Writes ../src/fixtures/pytorch-reference.json, which schedules' tests compare against.
Run: /usr/bin/python3 reference/pytorch_schedules.py   (needs Debian's python3-torch)
"""
import json
import math
import os
import warnings

import torch
from torch.optim import SGD, lr_scheduler as S

warnings.filterwarnings("ignore")


def optimizer(lr, momentum=0.0):
    return SGD([torch.nn.Parameter(torch.zeros(1))], lr=lr, momentum=momentum)


def run(make, lr, steps, momentum=0.0, metrics=None):
    opt = optimizer(lr, momentum)
    scheduler = make(opt)
    rates, momenta = [], []
    for t in range(steps):
        rates.append(opt.param_groups[0]["lr"])
        momenta.append(opt.param_groups[0]["momentum"])
        opt.step()
        if metrics is None:
            scheduler.step()
        else:
            scheduler.step(metrics[t])
    return rates, momenta


cases = []


def case(spec, make, lr, steps, momentum=0.0, metrics=None, with_momentum=False):
    rates, momenta = run(make, lr, steps, momentum, metrics)
    entry = {"spec": spec, "rates": rates}
    if metrics is not None:
        entry["metrics"] = metrics
    if with_momentum:
        entry["momenta"] = momenta
    cases.append(entry)


case({"type": "step", "lr": 0.1, "stepSize": 7, "gamma": 0.3}, lambda o: S.StepLR(o, 7, 0.3), 0.1, 40)
case({"type": "multiStep", "lr": 0.1, "milestones": [3, 8, 8, 20]}, lambda o: S.MultiStepLR(o, [3, 8, 8, 20]), 0.1, 30)
case({"type": "constantFactor", "lr": 0.5}, lambda o: S.ConstantLR(o), 0.5, 10)
case({"type": "linear", "lr": 0.5, "startFactor": 0.25, "endFactor": 0.75, "totalIters": 7},
     lambda o: S.LinearLR(o, 0.25, 0.75, 7), 0.5, 12)
case({"type": "exponential", "lr": 0.2, "gamma": 0.95}, lambda o: S.ExponentialLR(o, 0.95), 0.2, 50)
case({"type": "polynomial", "lr": 0.3, "totalIters": 9, "power": 2.5}, lambda o: S.PolynomialLR(o, 9, 2.5), 0.3, 14)
case({"type": "cosine", "lr": 0.1, "tMax": 12, "etaMin": 0.001}, lambda o: S.CosineAnnealingLR(o, 12, 0.001), 0.1, 40)
case({"type": "cosineWarmRestarts", "lr": 0.1, "t0": 3, "tMult": 2, "etaMin": 0.01},
     lambda o: S.CosineAnnealingWarmRestarts(o, 3, 2, 0.01), 0.1, 50)
case({"type": "cosineWarmRestarts", "lr": 0.1, "t0": 5}, lambda o: S.CosineAnnealingWarmRestarts(o, 5), 0.1, 23)
for mode, torch_mode in [("triangular", "triangular"), ("triangular2", "triangular2"), ("expRange", "exp_range")]:
    case({"type": "cyclic", "baseLr": 0.01, "maxLr": 0.1, "stepSizeUp": 4, "stepSizeDown": 6, "mode": mode, "gamma": 0.97},
         lambda o, m=torch_mode: S.CyclicLR(o, 0.01, 0.1, 4, 6, mode=m, gamma=0.97), 0.01, 45, momentum=0.9,
         with_momentum=True)
case({"type": "oneCycle", "maxLr": 0.5, "totalSteps": 40}, lambda o: S.OneCycleLR(o, 0.5, total_steps=40), 0.5, 40,
     momentum=0.9, with_momentum=True)
case({"type": "oneCycle", "maxLr": 0.5, "totalSteps": 37, "pctStart": 0.25, "annealStrategy": "linear", "threePhase": True,
      "divFactor": 10, "finalDivFactor": 100},
     lambda o: S.OneCycleLR(o, 0.5, total_steps=37, pct_start=0.25, anneal_strategy="linear", three_phase=True,
                            div_factor=10, final_div_factor=100), 0.5, 37, momentum=0.9, with_momentum=True)
plateau_metrics = [1.0, 0.9, 0.9, 0.9, 0.95, 0.89999, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7]
case({"type": "reduceOnPlateau", "lr": 1, "patience": 2, "factor": 0.5, "cooldown": 1, "minLr": 0.1},
     lambda o: S.ReduceLROnPlateau(o, patience=2, factor=0.5, cooldown=1, min_lr=0.1), 1.0, 20, metrics=plateau_metrics)
case({"type": "reduceOnPlateau", "lr": 1, "mode": "max", "patience": 1, "thresholdMode": "abs", "threshold": 0.05},
     lambda o: S.ReduceLROnPlateau(o, mode="max", patience=1, threshold_mode="abs", threshold=0.05), 1.0, 20,
     metrics=[-m for m in plateau_metrics])
members = [{"type": "constantFactor", "factor": 0.1, "totalIters": 2}, {"type": "exponential", "gamma": 0.9}]
case({"type": "sequential", "lr": 1, "schedules": members, "milestones": [2]},
     lambda o: S.SequentialLR(o, [S.ConstantLR(o, 0.1, 2), S.ExponentialLR(o, 0.9)], milestones=[2]), 1.0, 10)
case({"type": "chain", "lr": 1, "schedules": members},
     lambda o: S.ChainedScheduler([S.ConstantLR(o, 0.1, 2), S.ExponentialLR(o, 0.9)]), 1.0, 10)

out = os.path.join(os.path.dirname(__file__), "..", "src", "fixtures", "pytorch-reference.json")
os.makedirs(os.path.dirname(out), exist_ok=True)
with open(out, "w") as f:
    json.dump({"torch": torch.__version__, "cases": cases}, f, indent=1)
    f.write("\n")
print(f"wrote {len(cases)} cases from torch {torch.__version__} to {os.path.normpath(out)}")
