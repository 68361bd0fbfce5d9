import { beforeAll, describe, it } from 'vitest';
import { expectClose } from './test-support/expect-close.js';
import { runOptimizer } from './test-support/run-optimizer.js';
import { useCpuBackend } from './test-support/use-cpu-backend.js';

beforeAll(useCpuBackend);

describe('localGainsRule', () => {
  it('adds 0.05 while the sign holds, multiplies by 0.95 on a flip, and moves lr·gain·g', () => {
    const gradients = [1, 1, 1, -1, -1];
    const trajectory = runOptimizer({ type: 'localGains', lr: 0.1 }, [0], (step) => [gradients[step]!], 5);
    // Gains: 1 (no history), 1.05, 1.1, 1.045 (flip), 1.095.
    const gains = [1, 1.05, 1.1, 1.1 * 0.95, 1.1 * 0.95 + 0.05];
    let p = 0;
    const expected = gains.map((gain, index) => {
      p -= 0.1 * gain * gradients[index]!;
      return p;
    });
    expectClose(trajectory.flat(), expected);
  });

  it('clamps gains to [minGain, maxGain]', () => {
    const trajectory = runOptimizer(
      { type: 'localGains', lr: 1, increase: 1, maxGain: 2.5, minGain: 0.9, decrease: 0.5 },
      [0],
      (step) => [step < 3 ? 1 : -1],
      4,
    );
    // Gains: 1, 2, 2.5 (clamped), then a flip: 1.25 → p = −1, −3, −5.5, −4.25.
    expectClose(trajectory.flat(), [-1, -3, -5.5, -4.25]);
  });

  it('with momentum compares the gradient with the velocity b ← μb + gain·g', () => {
    const gradients = [1, -0.1, -0.1];
    const trajectory = runOptimizer(
      { type: 'localGains', lr: 0.1, momentum: 0.9 },
      [0],
      (step) => [gradients[step]!],
      3,
    );
    let p = 0;
    let b = 0;
    let gain = 1;
    const expected = gradients.map((g) => {
      const agreement = g * b;
      if (agreement > 0) gain += 0.05;
      else if (agreement < 0) gain *= 0.95;
      b = 0.9 * b + gain * g;
      p -= 0.1 * b;
      return p;
    });
    // b stays positive (0.9 − 0.095 > 0), so both small negative gradients count as flips.
    expectClose(trajectory.flat(), expected);
  });
});
