import { beforeAll, describe, it } from 'vitest';
import { expectClose } from './test-support/expect-close.js';
import { runOptimizer } from './test-support/run-optimizer.js';
import { useCpuBackend } from './test-support/use-cpu-backend.js';

beforeAll(useCpuBackend);

const gradients = [1, -0.5, 2, 0];

/** PyTorch RMSprop in float64. */
function reference(options: {
  alpha: number;
  epsilon: number;
  momentum: number;
  centered: boolean;
  weightDecay: number;
}) {
  let p = 1;
  let v = 0;
  let average = 0;
  let buffer = 0;
  return gradients.map((rawGradient) => {
    const g = rawGradient + options.weightDecay * p;
    v = options.alpha * v + (1 - options.alpha) * g * g;
    let variance = v;
    if (options.centered) {
      average = options.alpha * average + (1 - options.alpha) * g;
      variance = v - average * average;
    }
    const denominator = Math.sqrt(variance) + options.epsilon;
    if (options.momentum > 0) {
      buffer = options.momentum * buffer + g / denominator;
      p -= 0.01 * buffer;
    } else {
      p -= (0.01 * g) / denominator;
    }
    return p;
  });
}

describe('rmspropRule', () => {
  it('first step closed form: p −= lr·g/(√(1 − α)·|g| + ε) = 0.01/(0.1 + 1e-8)', () => {
    const trajectory = runOptimizer({ type: 'rmsprop' }, [1], () => [1], 1);
    expectClose(trajectory.flat(), [1 - 0.01 / (0.1 + 1e-8)]);
  });

  it('plain, centered, momentum and weight decay variants equal the PyTorch formulas for several steps', () => {
    const variants = [
      { alpha: 0.99, epsilon: 1e-8, momentum: 0, centered: false, weightDecay: 0 },
      { alpha: 0.9, epsilon: 1e-8, momentum: 0, centered: true, weightDecay: 0 },
      { alpha: 0.99, epsilon: 1e-3, momentum: 0.9, centered: false, weightDecay: 0.1 },
      { alpha: 0.95, epsilon: 1e-8, momentum: 0.5, centered: true, weightDecay: 0.01 },
    ];
    for (const variant of variants) {
      const trajectory = runOptimizer(
        { type: 'rmsprop', lr: 0.01, ...variant },
        [1],
        (step) => [gradients[step]!],
        4,
      );
      expectClose(trajectory.flat(), reference(variant), 1e-5);
    }
  });
});
