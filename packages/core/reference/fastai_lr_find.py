"""fastai's learning-rate range test on synthetic loss curves, for core's range-test tests.

Writes ../src/fixtures/fastai-lr-find.json, which range-test-recorder.test.ts compares against.
Run: python3 reference/fastai_lr_find.py   (needs numpy; Debian's python3-numpy)

A transcription of fastai 2.x (fastai/callback/schedule.py and fastai/learner.py), with the
training replaced by a loss function of (iteration, rate):
- SchedExp: lr = start * (end / start) ** (train_iter / num_it), set before each batch;
- AvgSmoothLoss: val = torch.lerp(loss, val, beta) = loss + beta * (val - loss), reported as
  val / (1 - beta ** count);
- LRFinder.after_batch (after the Recorder appended lr and smoothed loss, and train_iter += 1):
  best = min(best, smoothed); stop when smoothed > 4 * best, or when train_iter >= num_it;
- lr_find: keep recorded points [num_it // 10 : -5], cut at the first NaN loss;
- valley, slide, minimum, steep: the suggestion functions, line by line.
fastai holds the trimmed curve in float32 tensors; here everything is float64, as in Contour
(which reads the rates and losses as JavaScript numbers). Contour's recorder also stops at once on
a non-finite loss, where fastai keeps going and cuts the curve afterwards; no curve here has one.
"""
import json
import math
import os

import numpy as np


def typical(iteration, lr):
    x = math.log10(lr)
    return 2.3 - 2 / (1 + math.exp(-2.5 * (x + 2.5))) + math.exp(3 * x) + 0.03 * math.sin(7 * iteration)


def exploding(iteration, lr):
    x = math.log10(lr)
    return 2.3 - 2 / (1 + math.exp(-2.5 * (x + 2.5))) + math.exp(6 * (x + 0.5)) + 0.03 * math.sin(7 * iteration)


def straight(iteration, lr):
    return 3 - 0.02 * iteration


def lr_finder(loss_of, start_lr=1e-7, end_lr=10, num_it=100, beta=0.98):
    """LRFinder + Recorder + AvgSmoothLoss: the recorded (lr, smoothed loss) points and why it stopped."""
    if num_it < 6:
        num_it = 6
    lrs, losses = [], []
    val, count, best = 0.0, 0, float('inf')
    train_iter = 0
    while True:
        lr = start_lr * (end_lr / start_lr) ** (train_iter / num_it)  # before_batch
        loss = loss_of(train_iter, lr)
        count += 1
        val = loss + beta * (val - loss)  # torch.lerp(loss, val, beta)
        smooth = val / (1 - beta ** count)
        lrs.append(lr)
        losses.append(smooth)
        train_iter += 1
        if smooth < best:
            best = smooth
        if smooth > 4 * best:
            return lrs, losses, 'diverged'
        if train_iter >= num_it:
            return lrs, losses, 'completed'


def valley(lrs, losses):
    n = len(losses)
    max_start, max_end = 0, 0
    lds = [1] * n
    for i in range(1, n):
        for j in range(0, i):
            if (losses[i] < losses[j]) and (lds[i] < lds[j] + 1):
                lds[i] = lds[j] + 1
            if lds[max_end] < lds[i]:
                max_end = i
                max_start = max_end - lds[max_end]
    sections = (max_end - max_start) / 3
    idx = max_start + int(sections) + int(sections / 2)
    return float(lrs[idx]), idx % n


def slide(lrs, losses, lr_diff=15, thresh=.005, adjust_value=1.):
    losses = np.array(losses)
    loss_grad = np.gradient(losses)
    r_idx = -1
    l_idx = r_idx - lr_diff
    local_min_lr = lrs[l_idx]
    index = l_idx
    while (l_idx >= -len(losses)) and (abs(loss_grad[r_idx] - loss_grad[l_idx]) > thresh):
        local_min_lr = lrs[l_idx]
        index = l_idx
        r_idx -= 1
        l_idx -= 1
    suggestion = float(local_min_lr) * adjust_value
    return suggestion, index % len(losses)


def minimum(lrs, losses):
    idx = int(np.argmin(losses))
    return lrs[idx] / 10, idx


def steep(lrs, losses):
    lrs_array, losses_array = np.array(lrs), np.array(losses)
    grads = (losses_array[1:] - losses_array[:-1]) / (np.log(lrs_array[1:]) - np.log(lrs_array[:-1]))
    idx = int(np.argmin(grads))
    return float(lrs[idx]), idx


def lr_find(loss_of, num_it=100):
    lrs, losses, stop = lr_finder(loss_of, num_it=num_it)
    start = num_it // 10
    end = len(losses) - 5
    trimmed_lrs, trimmed_losses = lrs[start:end], losses[start:end]
    for index, value in enumerate(trimmed_losses):
        if math.isnan(value):
            trimmed_lrs, trimmed_losses = trimmed_lrs[:index], trimmed_losses[:index]
            end = start + index
            break
    suggestions = {}
    for name, function in (('valley', valley), ('slide', slide), ('minimum', minimum), ('steep', steep)):
        learning_rate, index = function(trimmed_lrs, trimmed_losses)
        suggestions[name] = {'learningRate': learning_rate, 'index': index}
    return {
        'iterations': num_it,
        'stop': stop,
        'learningRates': lrs,
        'smoothedLosses': losses,
        'trimmed': {'start': start, 'end': end},
        'suggestions': suggestions,
    }


cases = {
    'typical': lr_find(typical),
    'exploding': lr_find(exploding),
    'straight': lr_find(straight, num_it=40),
}

here = os.path.dirname(os.path.abspath(__file__))
target = os.path.join(here, '..', 'src', 'fixtures', 'fastai-lr-find.json')
os.makedirs(os.path.dirname(target), exist_ok=True)
with open(target, 'w') as handle:
    json.dump(cases, handle, indent=1)
    handle.write('\n')
print(f'wrote {os.path.relpath(target)}')
