import { beforeAll, describe, it } from 'vitest';
import { expectClose } from './test-support/expect-close.js';
import { runOptimizer } from './test-support/run-optimizer.js';
import { useCpuBackend } from './test-support/use-cpu-backend.js';

beforeAll(useCpuBackend);

describe('adadeltaRule', () => {
  it('first step closed form: Δ = √ε/√((1 − ρ)g² + ε)·g', () => {
    const trajectory = runOptimizer({ type: 'adadelta' }, [1], () => [2], 1);
    expectClose(trajectory.flat(), [1 - (Math.sqrt(1e-6) / Math.sqrt(0.1 * 4 + 1e-6)) * 2]);
  });

  it('equals the PyTorch formula for several steps, with lr and weight decay', () => {
    const gradients = [2, -1, 0.5, 0, 3];
    const trajectory = runOptimizer(
      { type: 'adadelta', lr: 0.5, rho: 0.8, epsilon: 1e-4, weightDecay: 0.1 },
      [1],
      (step) => [gradients[step]!],
      5,
    );
    let p = 1;
    let v = 0;
    let u = 0;
    const expected = gradients.map((rawGradient) => {
      const g = rawGradient + 0.1 * p;
      v = 0.8 * v + 0.2 * g * g;
      const delta = (Math.sqrt(u + 1e-4) / Math.sqrt(v + 1e-4)) * g;
      u = 0.8 * u + 0.2 * delta * delta;
      p -= 0.5 * delta;
      return p;
    });
    expectClose(trajectory.flat(), expected, 1e-5);
  });
});
