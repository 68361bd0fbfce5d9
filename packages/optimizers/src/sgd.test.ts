import { beforeAll, describe, expect, it } from 'vitest';
import { expectClose } from './test-support/expect-close.js';
import { runOptimizer } from './test-support/run-optimizer.js';
import { useCpuBackend } from './test-support/use-cpu-backend.js';

beforeAll(useCpuBackend);

const constant = (value: number) => () => [value];

describe('sgdRule', () => {
  it('takes p ← p − lr·g (hand values: 1 − 0.1·2 = 0.8, then 0.6, 0.4)', () => {
    const trajectory = runOptimizer({ type: 'sgd', lr: 0.1 }, [1], constant(2), 3);
    expectClose(trajectory.flat(), [0.8, 0.6, 0.4]);
  });

  it('PyTorch momentum: b₁ = g, b_t = μb + g, so a constant g moves lr·g·(1 − μ^t)/(1 − μ) at step t', () => {
    const mu = 0.9;
    const trajectory = runOptimizer({ type: 'sgd', lr: 0.1, momentum: mu }, [0], constant(1), 6);
    let expected = 0;
    const values = [];
    for (let step = 1; step <= 6; step += 1) {
      expected -= (0.1 * (1 - mu ** step)) / (1 - mu);
      values.push(expected);
    }
    expectClose(trajectory.flat(), values);
    // Hand values of the first two steps: −0.1 and −0.1 − 0.19.
    expectClose(trajectory.slice(0, 2).flat(), [-0.1, -0.29]);
  });

  it('dampening scales g in the buffer after the first step (b₁ = g undamped)', () => {
    const trajectory = runOptimizer(
      { type: 'sgd', lr: 1, momentum: 0.5, dampening: 0.5 },
      [0],
      constant(1),
      3,
    );
    // b = 1, 0.5·1 + 0.5 = 1, 1 → p = −1, −2, −3.
    expectClose(trajectory.flat(), [-1, -2, -3]);
  });

  it('nesterov uses d = g + μb', () => {
    const gradients = [1, -2, 0.5];
    const trajectory = runOptimizer(
      { type: 'sgd', lr: 0.1, momentum: 0.9, nesterov: true },
      [1],
      (step) => [gradients[step]!],
      3,
    );
    let p = 1;
    let b = 0;
    const expected = gradients.map((g, step) => {
      b = step === 0 ? g : 0.9 * b + g;
      p -= 0.1 * (g + 0.9 * b);
      return p;
    });
    expectClose(trajectory.flat(), expected);
  });

  it('adds weightDecay·p to the gradient before the momentum buffer', () => {
    const trajectory = runOptimizer(
      { type: 'sgd', lr: 0.1, momentum: 0.5, weightDecay: 0.1 },
      [2],
      constant(1),
      3,
    );
    let p = 2;
    let b = 0;
    const expected = [0, 1, 2].map((step) => {
      const g = 1 + 0.1 * p;
      b = step === 0 ? g : 0.5 * b + g;
      p -= 0.1 * b;
      return p;
    });
    expectClose(trajectory.flat(), expected);
  });

  it('keeps moving on a zero gradient with momentum (b ← μb), and stands still without', () => {
    const gradients = [1, 0, 0];
    const trajectory = runOptimizer(
      { type: 'sgd', lr: 1, momentum: 0.5 },
      [0],
      (step) => [gradients[step]!],
      3,
    );
    expectClose(trajectory.flat(), [-1, -1.5, -1.75]);
    expectClose(runOptimizer({ type: 'sgd', lr: 1 }, [3], constant(0), 2).flat(), [3, 3]);
  });

  it('sutskever form equals the PyTorch form for a constant rate, and differs once the rate is scheduled', () => {
    const gradient = (step: number) => [Math.cos(step)];
    const pytorch = runOptimizer({ type: 'sgd', lr: 0.1, momentum: 0.9 }, [1], gradient, 5);
    const sutskever = runOptimizer(
      { type: 'sgd', lr: 0.1, momentum: 0.9, momentumForm: 'sutskever' },
      [1],
      gradient,
      5,
    );
    expectClose(sutskever.flat(), pytorch.flat(), 1e-6);
    // Rate 1 for two steps, then 0.1 (step decay), constant g = 1, μ = 0.5.
    const schedule = { type: 'step', lr: 1, stepSize: 2, gamma: 0.1 };
    const scheduledPytorch = runOptimizer({ type: 'sgd', lr: schedule, momentum: 0.5 }, [0], constant(1), 3);
    const scheduledSutskever = runOptimizer(
      { type: 'sgd', lr: schedule, momentum: 0.5, momentumForm: 'sutskever' },
      [0],
      constant(1),
      3,
    );
    // PyTorch: b = 1, 1.5, 1.75; p −= lr·b → −1, −2.5, −2.675.
    expectClose(scheduledPytorch.flat(), [-1, -2.5, -2.675]);
    // Sutskever: v = −1, −1.5, 0.5·(−1.5) − 0.1 = −0.85 → −1, −2.5, −3.35.
    expectClose(scheduledSutskever.flat(), [-1, -2.5, -3.35]);
  });

  it('sutskever nesterov: p ← p + μv − lr·g (Keras)', () => {
    const trajectory = runOptimizer(
      { type: 'sgd', lr: 0.1, momentum: 0.9, nesterov: true, momentumForm: 'sutskever' },
      [0],
      constant(1),
      2,
    );
    // v = −0.1 → p = 0.9·(−0.1) − 0.1 = −0.19; v = −0.19 → p −= 0.171 + 0.1.
    expectClose(trajectory.flat(), [-0.19, -0.461]);
  });

  it('rejects nesterov without momentum, and dampening with the sutskever form', () => {
    expect(() => runOptimizer({ type: 'sgd', lr: 0.1, nesterov: true }, [0], constant(1), 1)).toThrow(
      'optimizer spec: "nesterov" of "sgd" must be false unless momentum > 0 and dampening = 0; got true',
    );
    expect(() =>
      runOptimizer(
        { type: 'sgd', lr: 0.1, momentum: 0.9, dampening: 0.1, momentumForm: 'sutskever' },
        [0],
        constant(1),
        1,
      ),
    ).toThrow(/"dampening" of "sgd" must be 0 with momentumForm "sutskever"/);
  });
});
