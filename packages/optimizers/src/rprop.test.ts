import { beforeAll, describe, expect, it } from 'vitest';
import { expectClose } from './test-support/expect-close.js';
import { runOptimizer } from './test-support/run-optimizer.js';
import { useCpuBackend } from './test-support/use-cpu-backend.js';

beforeAll(useCpuBackend);

describe('rpropRule', () => {
  it('grows the step ×1.2 on equal signs, halves it and stands still on a flip, then resumes (stored g = 0)', () => {
    // Element 0: g = 1, 1, −1, −1, −1. Element 1: g = −2 always.
    const gradients = [
      [1, -2],
      [1, -2],
      [-1, -2],
      [-1, -2],
      [-1, -2],
    ];
    const trajectory = runOptimizer({ type: 'rprop', lr: 0.1 }, [0, 0], (step) => gradients[step]!, 5);
    // Element 0 steps: 0.1 (no history), 0.12, flip → 0.06 with no move, product 0 → 0.06, 0.072.
    const first = [-0.1, -0.22, -0.22, -0.16, -0.088];
    // Element 1 steps: 0.1, 0.12, 0.144, 0.1728, 0.20736 (always the same sign).
    const second = [0.1, 0.22, 0.364, 0.5368, 0.74416];
    expectClose(
      trajectory.flat(),
      first.flatMap((value, index) => [value, second[index]!]),
      1e-5,
    );
  });

  it('clamps steps to [stepMin, stepMax]', () => {
    const trajectory = runOptimizer({ type: 'rprop', lr: 1, stepMax: 1.5, etaPlus: 2 }, [0], () => [1], 3);
    expectClose(trajectory.flat(), [-1, -2.5, -4]);
    const shrinking = runOptimizer(
      { type: 'rprop', lr: 1, stepMin: 0.4 },
      [0],
      (step) => [step % 2 === 0 ? 1 : -1],
      4,
    );
    // Steps: 1; flip → 0.5, no move; 0.5 (product 0); flip → 0.4 (clamped), no move.
    expectClose(shrinking.flat(), [-1, -1, -1.5, -1.5]);
  });

  it('rejects stepMin > stepMax and etas outside (0, 1) / (1, ∞)', () => {
    expect(() => runOptimizer({ type: 'rprop', stepMin: 2, stepMax: 1 }, [0], () => [1], 1)).toThrow(
      'optimizer spec: "stepMin" of "rprop" must be a number ≤ stepMax (1); got 2',
    );
    expect(() => runOptimizer({ type: 'rprop', etaPlus: 1 }, [0], () => [1], 1)).toThrow(
      /"etaPlus" of "rprop" must be a finite number > 1/,
    );
  });
});
