import { createSchedule, type ScheduleSpec } from '@contour/schedules';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createOptimizer, createOptimizerFromJson, type OptimizerSpec } from './create-optimizer.js';
import {
  OptimizerSpecError,
  OptimizerStateError,
  UnknownOptimizerTypeError,
} from './optimizer-spec-error.js';
import type { OptimizerState } from './optimizer-state.js';
import { expectClose } from './test-support/expect-close.js';
import { runOptimizer } from './test-support/run-optimizer.js';
import { useCpuBackend } from './test-support/use-cpu-backend.js';

beforeAll(useCpuBackend);

/** Two named parameters, their variables and a gradient function of the step. */
function twoParameters() {
  const variables = {
    'dense_1/kernel': tf.variable(
      tf.tensor2d([
        [0.5, -1],
        [2, 0.25],
      ]),
    ),
    'dense_1/bias': tf.variable(tf.tensor1d([0.1, -0.2])),
  };
  const gradientsAt = (step: number) => ({
    'dense_1/kernel': tf.tensor2d([
      [Math.sin(step + 1), Math.cos(step)],
      [0.3 - step * 0.01, -0.7],
    ]),
    'dense_1/bias': tf.tensor1d([Math.cos(step * 3), 0.05 * step - 0.2]),
  });
  return { variables, gradientsAt };
}

function applySteps(
  optimizer: ReturnType<typeof createOptimizer>,
  variables: Record<string, tf.Variable>,
  gradientsAt: (step: number) => Record<string, tf.Tensor>,
  from: number,
  to: number,
): void {
  for (let step = from; step < to; step += 1) {
    const gradients = gradientsAt(step);
    optimizer.applyGradients(gradients, variables);
    tf.dispose(Object.values(gradients));
  }
}

describe('createOptimizer', () => {
  it('treats Object.prototype names as unknown types (not as rules)', () => {
    for (const type of ['constructor', 'toString', '__proto__', 'hasOwnProperty'])
      expect(() => createOptimizerFromJson({ type, lr: 0.1 }), type).toThrow(
        `optimizer spec: "type" must be one of sgd, adagrad, rmsprop, adadelta, adam, adamw, rprop, localGains; got "${type}"`,
      );
  });
  it('validates specs with one-line errors naming the field and what is allowed', () => {
    expect(() => createOptimizerFromJson({ type: 'sgdd', lr: 0.1 })).toThrow(UnknownOptimizerTypeError);
    expect(() => createOptimizerFromJson({ type: 'sgdd', lr: 0.1 })).toThrow(
      'optimizer spec: "type" must be one of sgd, adagrad, rmsprop, adadelta, adam, adamw, rprop, localGains; got "sgdd"',
    );
    expect(() => createOptimizerFromJson({ type: 'sgd' })).toThrow(
      'optimizer spec: "lr" of "sgd" must be a number ≥ 0 or a schedule spec like {"type": "step", ...}; it is missing',
    );
    expect(() => createOptimizerFromJson({ type: 'sgd', lr: 0.1, momentum: -1 })).toThrow(
      'optimizer spec: "momentum" of "sgd" must be a finite number ≥ 0; got -1',
    );
    expect(() => createOptimizerFromJson({ type: 'adam', beta1: 1 })).toThrow(
      'optimizer spec: "beta1" of "adam" must be a finite number ≥ 0 and < 1; got 1',
    );
    expect(() => createOptimizerFromJson({ type: 'adam', betas: [0.9, 0.99] })).toThrow(
      /"betas" of "adam" must be absent \("adam" accepts type, lr, groups/,
    );
    expect(() => createOptimizerFromJson({ type: 'sgd', lr: { type: 'step', lr: 0.1 } })).toThrow(
      /^optimizer spec: "lr\.stepSize" of "sgd" must be/,
    );
    expect(() => createOptimizerFromJson({ type: 'sgd', lr: { type: 'stepp' } })).toThrow(
      /"lr\.type" of "sgd" must be one of constant, step/,
    );
    expect(() => createOptimizerFromJson({ type: 'sgd', lr: 0.1, groups: [{ lrMult: 10 }] })).toThrow(
      'optimizer spec: "groups[0].match" of "sgd" must be a glob on parameter names (or give "layer"); it is missing',
    );
    expect(() => createOptimizer({ type: 'rprop', groups: [{ match: '*', weightDecay: 0.1 }] })).toThrow(
      /"groups\[0\]\.weightDecay" of "rprop" must be absent \("rprop" has no weight decay\)/,
    );
    expect(() => createOptimizer({ type: 'sgd', lr: 0.1, clipGlobalNorm: 0 })).toThrow(
      /"clipGlobalNorm" of "sgd" must be a finite number > 0; got 0/,
    );
    expect(() =>
      createOptimizer({ type: 'sgd', lr: { type: 'step', lr: 0.1, stepSize: 1, unit: 'epoch' } }),
    ).toThrow(
      /"lr\.unit" of "sgd" must be "step", or "epoch" when createOptimizer gets an integer stepsPerEpoch > 0/,
    );
    for (const error of [OptimizerSpecError])
      expect(new error('a', 'b', 1).message.includes('\n')).toBe(false);
  });

  it('echoes the spec with every default filled in', () => {
    expect(createOptimizer({ type: 'adam', groups: [{ layer: 'head', lrMult: 10 }] }).spec).toEqual({
      type: 'adam',
      lr: 0.001,
      beta1: 0.9,
      beta2: 0.999,
      epsilon: 1e-8,
      weightDecay: 0,
      amsgrad: false,
      groups: [{ layer: ['head'], lrMult: 10, frozen: false }],
      skipNonFinite: true,
      maxConsecutiveSkips: 10,
    });
  });

  it('follows a step-decay schedule spec exactly: rate 0.1·0.5^⌊t/2⌋', () => {
    const spec: OptimizerSpec = { type: 'sgd', lr: { type: 'step', lr: 0.1, stepSize: 2, gamma: 0.5 } };
    const trajectory = runOptimizer(spec, [1], () => [1], 5);
    expectClose(trajectory.flat(), [0.9, 0.8, 0.75, 0.7, 0.675]);
    const optimizer = createOptimizer(spec);
    expect([0, 1, 2, 3, 4].map((t) => optimizer.learningRateAt(t))).toEqual([0.1, 0.1, 0.05, 0.05, 0.025]);
    expect(optimizer.learningRate).toBe(0.1);
  });

  it('counts t in epochs when the schedule says unit "epoch" and stepsPerEpoch is given', () => {
    const spec = { type: 'sgd', lr: { type: 'step', lr: 1, stepSize: 1, gamma: 0.5, unit: 'epoch' } };
    const trajectory = runOptimizer(spec, [0], () => [1], 5, { stepsPerEpoch: 2 });
    expectClose(trajectory.flat(), [-1, -2, -2.5, -3, -3.25]);
  });

  it('lrMult 10 on one group gives that group exactly 10× the SGD update; frozen groups never move', () => {
    const variables = {
      'body/kernel': tf.variable(tf.tensor1d([1, 1])),
      'head/kernel': tf.variable(tf.tensor1d([1, 1])),
      'frozen/kernel': tf.variable(tf.tensor1d([1, 1])),
    };
    const optimizer = createOptimizer({
      type: 'sgd',
      lr: 0.01,
      groups: [
        { layer: 'head', lrMult: 10 },
        { match: 'frozen/*', frozen: true },
      ],
    });
    const gradient = () => tf.tensor1d([0.5, -0.25]);
    optimizer.applyGradients(
      { 'body/kernel': gradient(), 'head/kernel': gradient(), 'frozen/kernel': gradient() },
      variables,
    );
    const bodyUpdate = Array.from(variables['body/kernel'].dataSync()).map((value) => value - 1);
    const headUpdate = Array.from(variables['head/kernel'].dataSync()).map((value) => value - 1);
    expectClose(bodyUpdate, [-0.005, 0.0025], 1e-4);
    expectClose(headUpdate, [-0.05, 0.025], 1e-5);
    expectClose(
      headUpdate,
      bodyUpdate.map((value) => value * 10),
      1e-5,
    );
    expect(Array.from(variables['frozen/kernel'].dataSync())).toEqual([1, 1]);
    expect(optimizer.learningRateAt(0, 'head/kernel')).toBeCloseTo(0.1, 15);
    expect(optimizer.slotsOf('frozen/kernel')).toBeUndefined();
    tf.dispose(Object.values(variables));
  });

  it('uses a group weightDecay instead of the spec one', () => {
    const variables = { 'a/w': tf.variable(tf.tensor1d([2])), 'b/w': tf.variable(tf.tensor1d([2])) };
    const optimizer = createOptimizer({
      type: 'sgd',
      lr: 0.1,
      weightDecay: 0.5,
      groups: [{ match: 'b/*', weightDecay: 0 }],
    });
    optimizer.applyGradients({ 'a/w': tf.tensor1d([1]), 'b/w': tf.tensor1d([1]) }, variables);
    // a: g = 1 + 0.5·2 = 2 → 1.8; b: g = 1 → 1.9.
    expectClose([variables['a/w'].dataSync()[0]!, variables['b/w'].dataSync()[0]!], [1.8, 1.9]);
    tf.dispose(Object.values(variables));
  });

  it('clips by global norm (PyTorch: c = max/(‖g‖ + 1e-6)) and by value before the rule', () => {
    const byNorm = runOptimizer({ type: 'sgd', lr: 1, clipGlobalNorm: 1 }, [0, 0], () => [3, 4], 1);
    const coefficient = 1 / (5 + 1e-6);
    expectClose(byNorm.flat(), [-3 * coefficient, -4 * coefficient]);
    const small = runOptimizer({ type: 'sgd', lr: 1, clipGlobalNorm: 10 }, [0, 0], () => [3, 4], 1);
    expectClose(small.flat(), [-3, -4]);
    const byValue = runOptimizer({ type: 'sgd', lr: 1, clipValue: 0.5 }, [0, 0, 0], () => [3, -4, 0.25], 1);
    expectClose(byValue.flat(), [-0.5, 0.5, -0.25]);
  });

  it('skips a non-finite step (parameters and slots unchanged), counts it, and declares divergence past the limit', () => {
    const variable = tf.variable(tf.tensor1d([1, 1]));
    const optimizer = createOptimizer({ type: 'adam', lr: 0.1, maxConsecutiveSkips: 2 });
    const step = (values: number[]) => {
      const gradient = tf.tensor1d(values);
      const report = optimizer.applyGradients({ w: gradient }, { w: variable });
      gradient.dispose();
      return report;
    };
    expect(step([1, 1]).status).toBe('applied');
    const before = Array.from(variable.dataSync());
    const slotsBefore = optimizer.exportState();
    const skipped = step([Number.NaN, 1]);
    expect(skipped).toEqual({
      status: 'skipped',
      step: 1,
      learningRate: 0.1,
      skippedSteps: 1,
      consecutiveSkips: 1,
      nonFiniteParameters: ['w'],
    });
    expect(Array.from(variable.dataSync())).toEqual(before);
    expect(optimizer.exportState()).toEqual({ ...slotsBefore, skippedSteps: 1, consecutiveSkips: 1 });
    // A finite step after the skip is the second Adam step (bias correction with t = 2).
    expect(step([1, 1]).consecutiveSkips).toBe(0);
    expectClose(Array.from(variable.dataSync()), [0.8, 0.8], 1e-5);
    expect(step([Number.POSITIVE_INFINITY, 0]).status).toBe('skipped');
    expect(step([0, Number.NaN]).status).toBe('skipped');
    expect(step([Number.NaN, Number.NaN]).status).toBe('diverged');
    expect(optimizer.diverged).toBe(true);
    expect(optimizer.skippedSteps).toBe(4);
    expect(() => step([1, 1])).toThrow(OptimizerStateError);
    optimizer.dispose();
    variable.dispose();
  });

  it('applies non-finite gradients when skipNonFinite is false', () => {
    const trajectory = runOptimizer({ type: 'sgd', lr: 1, skipNonFinite: false }, [1], () => [Number.NaN], 1);
    expect(Number.isNaN(trajectory[0]![0])).toBe(true);
  });

  it('export → JSON → import → continue equals the uninterrupted run bit for bit', () => {
    const specs: OptimizerSpec[] = [
      {
        type: 'sgd',
        lr: { type: 'cosine', lr: 0.1, tMax: 7 },
        momentum: 0.9,
        nesterov: true,
        weightDecay: 0.01,
      },
      { type: 'sgd', lr: 0.05, momentum: 0.8, momentumForm: 'sutskever' },
      { type: 'adagrad', lr: 0.1, lrDecay: 0.01 },
      { type: 'rmsprop', momentum: 0.9, centered: true },
      { type: 'adadelta' },
      { type: 'adam', amsgrad: true, clipGlobalNorm: 1 },
      { type: 'adamw', lr: { type: 'oneCycle', maxLr: 0.01, totalSteps: 10 } },
      { type: 'rprop' },
      { type: 'localGains', lr: 0.01, momentum: 0.5, groups: [{ match: '*/bias', lrMult: 2 }] },
      { type: 'sgd', lr: { type: 'reduceOnPlateau', lr: 0.1, patience: 0 } },
    ];
    for (const spec of specs) {
      const straight = twoParameters();
      const uninterrupted = createOptimizer(spec);
      applySteps(uninterrupted, straight.variables, straight.gradientsAt, 0, 4);
      uninterrupted.observe(1);
      uninterrupted.observe(2);
      applySteps(uninterrupted, straight.variables, straight.gradientsAt, 4, 9);

      const resumed = twoParameters();
      const first = createOptimizer(spec);
      applySteps(first, resumed.variables, resumed.gradientsAt, 0, 4);
      first.observe(1);
      const saved = JSON.parse(JSON.stringify(first.exportState())) as OptimizerState;
      const savedWeights = Object.fromEntries(
        Object.entries(resumed.variables).map(([name, variable]) => [name, Array.from(variable.dataSync())]),
      );
      first.dispose();
      tf.dispose(Object.values(resumed.variables));
      const restoredVariables = {
        'dense_1/kernel': tf.variable(tf.tensor(savedWeights['dense_1/kernel']!, [2, 2])),
        'dense_1/bias': tf.variable(tf.tensor(savedWeights['dense_1/bias']!, [2])),
      };
      const second = createOptimizer(spec);
      second.importState(saved);
      second.observe(2);
      applySteps(second, restoredVariables, resumed.gradientsAt, 4, 9);
      for (const name of Object.keys(restoredVariables) as Array<keyof typeof restoredVariables>) {
        expect(Array.from(restoredVariables[name].dataSync()), `${spec.type} ${name}`).toEqual(
          Array.from(straight.variables[name].dataSync()),
        );
      }
      expect(second.exportState()).toEqual(uninterrupted.exportState());
      for (const optimizer of [second, uninterrupted]) optimizer.dispose();
      tf.dispose([...Object.values(restoredVariables), ...Object.values(straight.variables)]);
    }
  });

  it('exports slots as tensors and imports them (the caller keeps ownership)', () => {
    const { variables, gradientsAt } = twoParameters();
    const optimizer = createOptimizer({ type: 'adam' });
    applySteps(optimizer, variables, gradientsAt, 0, 2);
    const state = optimizer.exportState({ slots: 'tensors' });
    const slot = state.parameters['dense_1/bias']!.slots.firstMoment as tf.Tensor;
    expect(slot).toBeInstanceOf(tf.Tensor);
    const copy = createOptimizer({ type: 'adam' });
    const beforeImport = tf.memory().numTensors;
    copy.importState(state);
    // Exactly one tensor per slot variable: import leaves no temporaries behind.
    expect(tf.memory().numTensors - beforeImport).toBe(copy.slotCount);
    expect(copy.slotCount).toBe(4);
    expect(copy.exportState()).toEqual(optimizer.exportState());
    tf.dispose(
      Object.values(state.parameters).flatMap((parameter) => Object.values(parameter.slots) as tf.Tensor[]),
    );
    expect(() => createOptimizer({ type: 'sgd', lr: 1 }).importState(copy.exportState())).toThrow(
      'optimizer state: saved by "adam", cannot restore into "sgd"',
    );
    for (const item of [optimizer, copy]) item.dispose();
    tf.dispose(Object.values(variables));
  });

  it('leaks no tensors: the count after 50 steps equals the count after the first', () => {
    const specs: OptimizerSpec[] = [
      { type: 'sgd', lr: 0.1, momentum: 0.9, clipGlobalNorm: 1, clipValue: 2, weightDecay: 0.1 },
      { type: 'rmsprop', centered: true, momentum: 0.5 },
      { type: 'adamw', amsgrad: true },
      { type: 'rprop' },
      { type: 'localGains', lr: 0.1 },
    ];
    for (const spec of specs) {
      const { variables, gradientsAt } = twoParameters();
      const optimizer = createOptimizer(spec);
      const start = tf.memory().numTensors;
      applySteps(optimizer, variables, gradientsAt, 0, 1);
      const afterFirst = tf.memory().numTensors;
      expect(afterFirst - start).toBe(optimizer.slotCount);
      applySteps(optimizer, variables, gradientsAt, 1, 50);
      expect(tf.memory().numTensors).toBe(afterFirst);
      optimizer.dispose();
      expect(tf.memory().numTensors).toBe(start);
      tf.dispose(Object.values(variables));
    }
  });

  it('follows the momentum a cyclic schedule cycles (sgd momentum, adam beta1)', () => {
    const schedule: ScheduleSpec = { type: 'oneCycle', maxLr: 1, totalSteps: 10 };
    const reference = createSchedule(schedule);
    const optimizer = createOptimizer({ type: 'sgd', lr: schedule, momentum: 0.9 });
    expect(optimizer.momentumAt(0)).toBe(0.95);
    expect(optimizer.momentumAt(2)).toBe(reference.momentum(2));
    const trajectory = runOptimizer({ type: 'sgd', lr: schedule }, [0], () => [1], 4);
    let p = 0;
    let b = 0;
    const expected = [0, 1, 2, 3].map((t) => {
      b = t === 0 ? 1 : (reference.momentum(t) as number) * b + 1;
      p -= reference.value(t) * b;
      return p;
    });
    expectClose(trajectory.flat(), expected, 1e-5);
    const adam = createOptimizer({ type: 'adam', lr: schedule });
    expect(adam.momentumAt(3)).toBe(reference.momentum(3));
    expect(createOptimizer({ type: 'adagrad', lr: schedule }).momentumAt(3)).toBeUndefined();
  });

  it('setLearningRate changes the rate from the next step on without touching slots', () => {
    const optimizer = createOptimizer({ type: 'sgd', lr: 0.1 });
    optimizer.setLearningRate({ type: 'exponential', lr: 1, gamma: 0.5 });
    expect(optimizer.learningRateAt(2)).toBe(0.25);
    expect(optimizer.spec).toMatchObject({ lr: { type: 'exponential', lr: 1, gamma: 0.5 } });
  });
});
