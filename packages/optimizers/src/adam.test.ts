import { beforeAll, describe, it } from 'vitest';
import { expectClose } from './test-support/expect-close.js';
import { runOptimizer } from './test-support/run-optimizer.js';
import { useCpuBackend } from './test-support/use-cpu-backend.js';

beforeAll(useCpuBackend);

const gradients = [0.5, -1, 2, 0, 0.1];

/** PyTorch Adam/AdamW in float64. */
function reference(options: { weightDecay: number; decoupled: boolean; amsgrad: boolean; lr: number }) {
  const [beta1, beta2, epsilon] = [0.9, 0.999, 1e-8];
  let p = 1;
  let m = 0;
  let v = 0;
  let vMax = 0;
  return gradients.map((rawGradient, index) => {
    const t = index + 1;
    let g = rawGradient;
    if (options.decoupled) p *= 1 - options.lr * options.weightDecay;
    else g += options.weightDecay * p;
    m = beta1 * m + (1 - beta1) * g;
    v = beta2 * v + (1 - beta2) * g * g;
    vMax = Math.max(vMax, v);
    const second = options.amsgrad ? vMax : v;
    p -= ((options.lr / (1 - beta1 ** t)) * m) / (Math.sqrt(second) / Math.sqrt(1 - beta2 ** t) + epsilon);
    return p;
  });
}

describe('adamRule', () => {
  it('constant g: m̂ = g and v̂ = g², so every step moves exactly lr·g/(|g| + ε)', () => {
    const trajectory = runOptimizer({ type: 'adam', lr: 0.1 }, [1, 1], () => [3, -0.001], 4);
    const stepFirst = (0.1 * 3) / (3 + 1e-8);
    const stepSecond = (0.1 * -0.001) / (0.001 + 1e-8);
    expectClose(
      trajectory.flat(),
      [1, 2, 3, 4].flatMap((t) => [1 - t * stepFirst, 1 - t * stepSecond]),
      1e-5,
    );
  });

  it('zero gradient at the first step leaves the parameter where it is', () => {
    expectClose(runOptimizer({ type: 'adam', lr: 0.1 }, [2], () => [0], 2).flat(), [2, 2]);
  });

  it('equals the PyTorch formula for several steps (plain, weight decay, amsgrad)', () => {
    for (const variant of [
      { weightDecay: 0, decoupled: false, amsgrad: false, lr: 0.01 },
      { weightDecay: 0.1, decoupled: false, amsgrad: false, lr: 0.01 },
      { weightDecay: 0, decoupled: false, amsgrad: true, lr: 0.01 },
    ]) {
      const trajectory = runOptimizer(
        { type: 'adam', lr: variant.lr, weightDecay: variant.weightDecay, amsgrad: variant.amsgrad },
        [1],
        (step) => [gradients[step]!],
        5,
      );
      expectClose(trajectory.flat(), reference(variant), 1e-5);
    }
  });
});

describe('adamwRule', () => {
  it('decays p ← p·(1 − lr·λ) before the Adam step (default λ = 0.01)', () => {
    const trajectory = runOptimizer({ type: 'adamw', lr: 0.05 }, [1], (step) => [gradients[step]!], 5);
    expectClose(
      trajectory.flat(),
      reference({ weightDecay: 0.01, decoupled: true, amsgrad: false, lr: 0.05 }),
      1e-5,
    );
    const amsgrad = runOptimizer(
      { type: 'adamw', lr: 0.05, weightDecay: 0.2, amsgrad: true },
      [1],
      (step) => [gradients[step]!],
      5,
    );
    expectClose(
      amsgrad.flat(),
      reference({ weightDecay: 0.2, decoupled: true, amsgrad: true, lr: 0.05 }),
      1e-5,
    );
  });
});
