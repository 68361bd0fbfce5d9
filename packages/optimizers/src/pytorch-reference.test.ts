import { beforeAll, describe, expect, it } from 'vitest';
import reference from './fixtures/pytorch-optimizers.json' with { type: 'json' };
import { runOptimizer } from './test-support/run-optimizer.js';
import { useCpuBackend } from './test-support/use-cpu-backend.js';

beforeAll(useCpuBackend);

/**
 * Parameters after each of 12 steps of PyTorch's own optimizers (reference/pytorch_optimizers.py),
 * from the same start with the same closed-form gradient g = c·(p − t) + 0.1·p³. Both sides work in
 * float32 but compute the gradient and the update in different operation orders, so they agree to
 * float32 rounding accumulated over the steps: 1e-5 relative (plus 1e-6 absolute near zero).
 */
describe('PyTorch reference trajectories', () => {
  const { start, c, t } = reference;
  const gradientAt = (_step: number, parameter: readonly number[]) =>
    parameter.map((value, index) => (c[index] as number) * (value - (t[index] as number)) + 0.1 * value ** 3);

  for (const entry of reference.cases) {
    it(`${entry.spec.type} equals torch ${reference.torch}: ${JSON.stringify(entry.spec)}`, () => {
      const trajectory = runOptimizer(entry.spec, start, gradientAt, entry.path.length);
      entry.path.forEach((expected, step) => {
        expected.forEach((value, index) => {
          const actual = trajectory[step]?.[index] as number;
          expect(
            Math.abs(actual - value),
            `step ${step + 1}, element ${index}: ${actual} vs ${value}`,
          ).toBeLessThanOrEqual(1e-5 * Math.abs(value) + 1e-6);
        });
      });
    });
  }
});
