import { describe, expect, it } from 'vitest';
import { createScheduleFromJson } from '../create-schedule.js';
import { expectClose } from '../test-support/expect-close.js';

const at = (spec: object, steps: number[]) => {
  const schedule = createScheduleFromJson({ type: 'caffe', ...spec });
  return steps.map((t) => schedule.value(t));
};

describe('caffe', () => {
  it('fixed: base_lr', () => {
    expect(at({ policy: 'fixed', lr: 0.01 }, [0, 1000])).toEqual([0.01, 0.01]);
  });
  it('step: base·γ^⌊it/stepsize⌋ (LeNet-style 0.01, γ 0.1, stepsize 100000)', () => {
    expectClose(
      at({ policy: 'step', lr: 0.01, gamma: 0.1, stepSize: 100000 }, [0, 99999, 100000, 250000]),
      [0.01, 0.01, 0.001, 0.0001],
    );
  });
  it('exp: base·γ^it', () => {
    expectClose(at({ policy: 'exp', lr: 0.01, gamma: 0.99 }, [0, 1, 100]), [
      0.01,
      0.0099,
      0.01 * 0.99 ** 100,
    ]);
  });
  it('inv: base·(1 + γ·it)^(−power) (lenet_solver: 0.01, γ 1e-4, power 0.75)', () => {
    expectClose(at({ policy: 'inv', lr: 0.01, gamma: 1e-4, power: 0.75 }, [0, 10000]), [
      0.01,
      0.01 * 2 ** -0.75,
    ]);
  });
  it('multistep: base·γ^(stepvalues ≤ it)', () => {
    expectClose(
      at({ policy: 'multistep', lr: 1, gamma: 0.5, stepValues: [10, 20] }, [9, 10, 19, 20, 99]),
      [1, 0.5, 0.5, 0.25, 0.25],
    );
  });
  it('poly: base·(1 − it/max_iter)^power, 0 past max_iter', () => {
    expectClose(at({ policy: 'poly', lr: 1, power: 2, maxIter: 10 }, [0, 5, 10, 11]), [1, 0.25, 0, 0]);
  });
  it('sigmoid: base/(1 + e^(−γ(it − stepsize)))', () => {
    expectClose(at({ policy: 'sigmoid', lr: 1, gamma: 0.1, stepSize: 50 }, [0, 50, 100]), [
      1 / (1 + Math.exp(5)),
      0.5,
      1 / (1 + Math.exp(-5)),
    ]);
  });
  it('sigmoid with γ < 0 decays as Caffe computes it (base/(1 + e^(−γ(it − stepsize))), γ −0.1)', () => {
    expectClose(at({ policy: 'sigmoid', lr: 1, gamma: -0.1, stepSize: 50 }, [0, 50, 100]), [
      1 / (1 + Math.exp(-5)),
      0.5,
      1 / (1 + Math.exp(5)),
    ]);
    expectClose(at({ policy: 'sigmoid', lr: 0.2, gamma: -0.5, stepSize: 0 }, [0, 4]), [
      0.1,
      0.2 / (1 + Math.exp(2)),
    ]);
  });
  it('checks each field against its policy: γ ≥ 0 where a negative one breaks the formula, step needs stepSize ≥ 1', () => {
    for (const policy of [
      { policy: 'step', stepSize: 10 },
      { policy: 'exp' },
      { policy: 'inv', power: 0.75 },
      { policy: 'multistep', stepValues: [5] },
    ])
      expect(() => createScheduleFromJson({ type: 'caffe', lr: 1, gamma: -0.1, ...policy })).toThrow(
        `"gamma" of "caffe" must be a finite number ≥ 0 for policy "${policy.policy}"; got -0.1`,
      );
    expect(() =>
      createScheduleFromJson({ type: 'caffe', policy: 'step', lr: 1, gamma: 0.1, stepSize: 0 }),
    ).toThrow('"stepSize" of "caffe" must be an integer ≥ 1 for policy "step" (its period); got 0');
    expect(() =>
      createScheduleFromJson({ type: 'caffe', policy: 'poly', lr: 1, power: 1, maxIter: 0 }),
    ).toThrow(/"maxIter" of "caffe" must be/);
  });
  it('names a parameter the policy needs and rejects ones it does not use', () => {
    expect(() => createScheduleFromJson({ type: 'caffe', policy: 'step', lr: 1, gamma: 0.1 })).toThrow(
      'schedule spec: "stepSize" of "caffe" must be given for policy "step"; it is missing',
    );
    expect(() => createScheduleFromJson({ type: 'caffe', policy: 'fixed', lr: 1, gamma: 0.1 })).toThrow(
      /"gamma" of "caffe" must be absent for policy "fixed"/,
    );
  });
});
