import { beforeAll, describe, expect, it } from 'vitest';
import { expectClose } from './test-support/expect-close.js';
import { runOptimizer } from './test-support/run-optimizer.js';
import { useCpuBackend } from './test-support/use-cpu-backend.js';

beforeAll(useCpuBackend);

describe('adagradRule', () => {
  it('constant g: s_t = t·g², p moves lr·g/(√t·|g| + ε) per step (first step: exactly lr·sign g)', () => {
    const trajectory = runOptimizer({ type: 'adagrad', lr: 0.1 }, [1], () => [2], 4);
    let p = 1;
    const expected = [1, 2, 3, 4].map((t) => {
      p -= (0.1 * 2) / (Math.sqrt(t * 4) + 1e-10);
      return p;
    });
    expectClose(trajectory.flat(), expected);
    expectClose([trajectory[0]![0]!], [0.9]);
  });

  it('lrDecay divides the rate by 1 + (t − 1)·lrDecay; initialAccumulatorValue starts the sum', () => {
    const gradients = [1, -1, 3];
    const trajectory = runOptimizer(
      { type: 'adagrad', lr: 0.5, lrDecay: 0.1, initialAccumulatorValue: 0.5, epsilon: 1e-10 },
      [0, 0],
      (step) => [gradients[step]!, 0],
      3,
    );
    let p = 0;
    let s = 0.5;
    const expected = gradients.map((g, index) => {
      s += g * g;
      p -= ((0.5 / (1 + index * 0.1)) * g) / (Math.sqrt(s) + 1e-10);
      return p;
    });
    expectClose(
      trajectory.map((point) => point[0]!),
      expected,
    );
    // Zero gradient: s = 0.5 + 0 stays, no move.
    expect(trajectory.map((point) => point[1])).toEqual([0, 0, 0]);
  });

  it('adds weightDecay·p to the gradient', () => {
    const trajectory = runOptimizer({ type: 'adagrad', lr: 0.1, weightDecay: 0.5 }, [2], () => [1], 2);
    let p = 2;
    let s = 0;
    const expected = [0, 1].map(() => {
      const g = 1 + 0.5 * p;
      s += g * g;
      p -= (0.1 * g) / (Math.sqrt(s) + 1e-10);
      return p;
    });
    expectClose(trajectory.flat(), expected);
  });
});
