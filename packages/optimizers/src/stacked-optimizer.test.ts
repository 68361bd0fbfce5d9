import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createOptimizerFromJson } from './create-optimizer.js';
import type { OptimizerState } from './optimizer-state.js';
import { modelSlice, StackedOptimizer, type StackedParameter } from './stacked-optimizer.js';
import { useCpuBackend } from './test-support/use-cpu-backend.js';

beforeAll(useCpuBackend);

/** Deterministic pseudo-random values in [−scale, scale) (xorshift), the same in every run. */
function values(count: number, seed: number, scale = 1): Float32Array {
  let state = seed * 2654435761 + 1;
  const result = new Float32Array(count);
  for (let index = 0; index < count; index += 1) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    result[index] = (((state >>> 0) % 20001) / 10000 - 1) * scale;
  }
  return result;
}

/** One model's parameters: a kernel [3, 4] (`dense/kernel`) and a bias [4] (`head/bias`). */
const names = ['dense/kernel', 'head/bias'] as const;
const shapes: Record<string, number[]> = { 'dense/kernel': [3, 4], 'head/bias': [4] };

/** Stacks K models' values of a parameter along `axis` (blocks of shape[axis] each). */
function stack(perModel: readonly Float32Array[], shape: readonly number[], axis: number): tf.Tensor {
  const tensors = perModel.map((data) => tf.tensor(data, [...shape]));
  const stacked = tf.concat(tensors, axis);
  tf.dispose(tensors);
  return stacked;
}

interface Outcome {
  readonly weights: Float32Array[][];
  readonly states: OptimizerState[];
}

/** K optimizers one at a time: parameters after `steps` steps and the exported states. */
function oneAtATime(specs: readonly unknown[], steps: number, options = {}): Outcome {
  const weights: Float32Array[][] = [];
  const states: OptimizerState[] = [];
  specs.forEach((spec, model) => {
    const optimizer = createOptimizerFromJson(spec, options);
    const variables = Object.fromEntries(
      names.map((name, index) => [
        name,
        tf.variable(tf.tensor(values(sizeOf(name), 100 + index), shapes[name] as number[])),
      ]),
    );
    for (let step = 0; step < steps; step += 1) {
      const gradients = Object.fromEntries(
        names.map((name, index) => [
          name,
          tf.tensor(gradientValues(name, index, step, model), shapes[name] as number[]),
        ]),
      );
      optimizer.applyGradients(gradients, variables);
      tf.dispose(Object.values(gradients));
    }
    weights.push(names.map((name) => (variables[name] as tf.Variable).dataSync() as Float32Array));
    states.push(optimizer.exportState());
    optimizer.dispose();
    tf.dispose(Object.values(variables));
  });
  return { weights, states };
}

const sizeOf = (name: string) => (shapes[name] as number[]).reduce((product, size) => product * size, 1);
const gradientValues = (name: string, index: number, step: number, model: number) =>
  values(sizeOf(name), 1000 * step + 10 * index + model + 7, name === 'head/bias' ? 5 : 0.5);

/** Steps [from, to) of a stack of `models` (their gradients as in {@link oneAtATime}). */
function applySteps(
  optimizer: StackedOptimizer,
  parameters: readonly StackedParameter[],
  models: readonly number[],
  from: number,
  to: number,
): void {
  for (let step = from; step < to; step += 1) {
    const gradients = parameters.map((parameter, index) =>
      stack(
        models.map((model) => gradientValues(parameter.name, index, step, model)),
        parameter.modelShape,
        parameter.modelAxis,
      ),
    );
    optimizer.applyGradients(gradients);
    tf.dispose(gradients);
  }
}

/** The same K models stacked (kernel along `kernelAxis`, bias along 0) and one StackedOptimizer. */
function stacked(specs: readonly unknown[], steps: number, kernelAxis: number, options = {}): Outcome {
  const count = specs.length;
  const parameters: StackedParameter[] = names.map((name, index) => {
    const shape = shapes[name] as number[];
    const axis = name === 'dense/kernel' ? kernelAxis : 0;
    const initial = stack(
      specs.map(() => values(sizeOf(name), 100 + index)),
      shape,
      axis,
    );
    const variable = tf.variable(initial);
    initial.dispose();
    return { name, variable, modelAxis: axis, modelShape: shape };
  });
  const optimizer = new StackedOptimizer(specs, parameters, options);
  applySteps(
    optimizer,
    parameters,
    specs.map((_, model) => model),
    0,
    steps,
  );
  const weights = specs.map((_, model) =>
    parameters.map((parameter) =>
      modelSlice(parameter.variable.dataSync(), parameter.variable.shape, parameter.modelAxis, count, model),
    ),
  );
  const states = optimizer.exportStates(specs.map((_, model) => model));
  optimizer.dispose();
  tf.dispose(parameters.map((parameter) => parameter.variable));
  return { weights, states };
}

function expectSame(specs: readonly unknown[], steps = 6, options = {}) {
  const expected = oneAtATime(specs, steps, options);
  for (const kernelAxis of [0, 1]) {
    const actual = stacked(specs, steps, kernelAxis, options);
    // Bit for bit: the same rule code on the same float32 values in the same order.
    expect(actual.weights).toEqual(expected.weights);
    expect(actual.states).toEqual(expected.states);
  }
}

describe('StackedOptimizer', () => {
  it('equals one optimizer per model for sgd with per-model rates, momenta, dampening, Nesterov and both momentum forms', () => {
    expectSame([
      { type: 'sgd', lr: 0.1 },
      { type: 'sgd', lr: 0.03, weightDecay: 0.01 },
      { type: 'sgd', lr: 0.05, momentum: 0.9, dampening: 0.1 },
      { type: 'sgd', lr: 0.2, momentum: 0.5, weightDecay: 1e-3 },
      { type: 'sgd', lr: 0.05, momentum: 0.9, nesterov: true },
      { type: 'sgd', lr: 0.01, momentum: 0.8, nesterov: true, weightDecay: 0.1 },
      {
        type: 'sgd',
        lr: { type: 'step', lr: 0.1, stepSize: 2, gamma: 0.5 },
        momentum: 0.7,
        momentumForm: 'sutskever',
      },
      { type: 'sgd', lr: 0.3, momentum: 0.6, nesterov: true, momentumForm: 'sutskever' },
      { type: 'sgd', lr: { type: 'oneCycle', maxLr: 0.3, totalSteps: 6 }, momentum: 0.9 },
    ]);
  });

  it('equals one optimizer per model for adagrad, rmsprop (centered, momentum) and adadelta', () => {
    expectSame([
      { type: 'adagrad', lr: 0.1 },
      {
        type: 'adagrad',
        lr: 0.05,
        lrDecay: 0.1,
        initialAccumulatorValue: 0.2,
        epsilon: 1e-6,
        weightDecay: 0.01,
      },
      { type: 'rmsprop', lr: 0.01 },
      { type: 'rmsprop', lr: 0.02, alpha: 0.9, epsilon: 1e-6, weightDecay: 0.01 },
      { type: 'rmsprop', lr: 0.01, centered: true, momentum: 0.5 },
      { type: 'rmsprop', lr: 0.005, centered: true, momentum: 0.9, alpha: 0.95 },
      { type: 'adadelta' },
      { type: 'adadelta', lr: 0.5, rho: 0.95, epsilon: 1e-5, weightDecay: 0.1 },
    ]);
  });

  it('equals one optimizer per model for adam, amsgrad, adamw (cycled beta1), rprop and localGains', () => {
    expectSame([
      { type: 'adam', lr: 0.01 },
      { type: 'adam', lr: 0.02, beta1: 0.8, beta2: 0.99, epsilon: 1e-6, weightDecay: 0.01 },
      { type: 'adam', lr: 0.01, amsgrad: true },
      { type: 'adam', lr: 0.03, amsgrad: true, beta2: 0.9 },
      { type: 'adamw', lr: 0.01 },
      { type: 'adamw', lr: { type: 'oneCycle', maxLr: 0.05, totalSteps: 6 }, weightDecay: 0 },
      { type: 'adamw', lr: 0.01, weightDecay: 0.2, beta1: 0.5 },
      { type: 'rprop', lr: 0.01 },
      { type: 'rprop', lr: 0.05, etaMinus: 0.3, etaPlus: 1.5, stepMin: 0.001, stepMax: 0.1 },
      { type: 'localGains', lr: 0.1 },
      { type: 'localGains', lr: 0.05, increase: 0.1, decrease: 0.8, minGain: 0.5, maxGain: 2, momentum: 0.9 },
    ]);
  });

  it('equals one optimizer per model with parameter groups (lrMult, weightDecay, frozen) and clipping', () => {
    expectSame([
      { type: 'sgd', lr: 0.1, momentum: 0.9, groups: [{ layer: 'head', lrMult: 10 }] },
      { type: 'sgd', lr: 0.1, momentum: 0.9, groups: [{ match: 'dense/*', weightDecay: 0.5 }] },
      { type: 'sgd', lr: 0.1, momentum: 0.9, groups: [{ layer: 'dense', frozen: true }] },
      { type: 'sgd', lr: 0.1, momentum: 0.9, clipGlobalNorm: 0.5 },
      { type: 'sgd', lr: 0.1, momentum: 0.9, clipValue: 0.2 },
      { type: 'adam', lr: 0.01, clipGlobalNorm: 1, groups: [{ layer: 'head', frozen: true }] },
      {
        type: 'adam',
        lr: 0.01,
        clipValue: 0.1,
        clipGlobalNorm: 0.3,
        groups: [{ layer: 'head', lrMult: 0.5 }],
      },
      { type: 'adamw', lr: 0.01, groups: [{ layer: 'dense', weightDecay: 0 }] },
    ]);
  });

  it('updates models of different rules interleaved (runs of one rule are sliced and joined)', () => {
    expectSame([
      { type: 'sgd', lr: 0.1 },
      { type: 'adam', lr: 0.01 },
      { type: 'sgd', lr: 0.2 },
      { type: 'rmsprop', lr: 0.01 },
      { type: 'sgd', lr: 0.05, momentum: 0.9 },
    ]);
  });

  it('zeroes the slots of reset models only, and frees every slot on dispose', () => {
    const before = tf.memory().numTensors;
    const initial = tf.ones([2, 3]);
    const variable = tf.variable(initial);
    initial.dispose();
    const optimizer = new StackedOptimizer(
      [
        { type: 'adam', lr: 0.1 },
        { type: 'adam', lr: 0.2 },
      ],
      [{ name: 'w', variable, modelAxis: 0, modelShape: [3] }],
    );
    const gradient = tf.ones([2, 3]);
    optimizer.applyGradients([gradient]);
    optimizer.resetModels([1]);
    const [first, second] = optimizer.exportStates([0, 1]);
    expect(first?.parameters.w?.slots.firstMoment).toMatchObject({
      values: [0.1, 0.1, 0.1].map(Math.fround),
    });
    expect(second?.parameters.w?.slots.firstMoment).toMatchObject({ values: [0, 0, 0] });
    optimizer.dispose();
    tf.dispose([variable, gradient]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('continues a smaller stack from exported states bit for bit (importStates)', () => {
    const specs = [
      { type: 'sgd', lr: 0.1, momentum: 0.9 },
      { type: 'adam', lr: { type: 'cosine', lr: 0.01, tMax: 9 } },
      { type: 'sgd', lr: 0.2 },
      { type: 'adam', lr: 0.02, amsgrad: true },
      { type: 'rmsprop', lr: 0.01, momentum: 0.5 },
    ];
    const kept = [1, 3, 4];
    for (const kernelAxis of [0, 1]) {
      const full = stacked(specs, 6, kernelAxis);
      // The same three steps, then a stack of the kept models only, from the first's weights and states.
      const before = tf.memory().numTensors;
      const makeParameters = (perModel: ReadonlyArray<readonly Float32Array[]>) =>
        names.map((name, index) => {
          const shape = shapes[name] as number[];
          const axis = name === 'dense/kernel' ? kernelAxis : 0;
          const initial = stack(
            perModel.map((weights) => weights[index] as Float32Array),
            shape,
            axis,
          );
          const variable = tf.variable(initial);
          initial.dispose();
          return { name, variable, modelAxis: axis, modelShape: shape };
        });
      const first = stacked(specs, 3, kernelAxis);
      const parameters = makeParameters(kept.map((model) => first.weights[model] as Float32Array[]));
      const optimizer = new StackedOptimizer(
        kept.map((model) => specs[model]),
        parameters,
      );
      optimizer.importStates(kept.map((model) => first.states[model] as OptimizerState));
      expect(optimizer.step).toBe(3);
      applySteps(optimizer, parameters, kept, 3, 6);
      const weights = kept.map((_, position) =>
        parameters.map((parameter) =>
          modelSlice(
            parameter.variable.dataSync(),
            parameter.variable.shape,
            parameter.modelAxis,
            kept.length,
            position,
          ),
        ),
      );
      expect(weights).toEqual(kept.map((model) => full.weights[model]));
      expect(optimizer.exportStates([0, 1, 2])).toEqual(kept.map((model) => full.states[model]));
      optimizer.dispose();
      tf.dispose(parameters.map((parameter) => parameter.variable));
      expect(tf.memory().numTensors).toBe(before);
    }
  });

  it('importStates refuses states of another type, step or count', () => {
    const variable = tf.variable(tf.zeros([2, 3]));
    const make = () =>
      new StackedOptimizer(
        [
          { type: 'adam', lr: 0.1 },
          { type: 'adam', lr: 0.2 },
        ],
        [{ name: 'w', variable, modelAxis: 0, modelShape: [3] }],
      );
    const source = make();
    const gradient = tf.ones([2, 3]);
    source.applyGradients([gradient]);
    const [first, second] = source.exportStates([0, 1]) as [OptimizerState, OptimizerState];
    source.dispose();
    const target = make();
    expect(() => target.importStates([first])).toThrow(/1 states for 2 models/);
    expect(() => target.importStates([first, { ...second, step: 2 }])).toThrow(/at step 2/);
    expect(() => target.importStates([first, { ...second, type: 'sgd' }])).toThrow(/sgd optimizer/);
    target.dispose();
    tf.dispose([variable, gradient]);
  });

  it('refuses stateful schedules and parameters that do not split into K models', () => {
    const variable = tf.variable(tf.zeros([3, 2]));
    expect(
      () =>
        new StackedOptimizer(
          [{ type: 'sgd', lr: { type: 'reduceOnPlateau', lr: 0.1 } }],
          [{ name: 'w', variable, modelAxis: 0, modelShape: [2] }],
        ),
    ).toThrow(/stateful schedule/);
    expect(
      () =>
        new StackedOptimizer(
          [
            { type: 'sgd', lr: 0.1 },
            { type: 'sgd', lr: 0.1 },
          ],
          [{ name: 'w', variable, modelAxis: 0, modelShape: [2] }],
        ),
    ).toThrow(/not a multiple of 2 models/);
    variable.dispose();
  });
});
