import { useCpuBackend } from '@contour/backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createModel, denseLayer } from './model.js';
import { parseModelSpec } from './model-spec.js';

beforeAll(useCpuBackend);

/** Seeded values in [−1, 1) (a linear congruential generator), so every run checks the same numbers. */
function randomValues(count: number, seed: number): Float32Array {
  let state = seed >>> 0;
  const values = new Float32Array(count);
  for (let index = 0; index < count; index += 1) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    values[index] = state / 2 ** 31 - 1;
  }
  return values;
}

const random = (shape: number[], seed: number) =>
  tf.tensor(
    randomValues(
      shape.reduce((product, size) => product * size, 1),
      seed,
    ),
    shape,
  );

/** ‖a − b‖ / max(‖a‖, ‖b‖), in float64 from the float32 values. */
function relativeError(actual: tf.Tensor, expected: tf.Tensor): number {
  const a = actual.dataSync();
  const b = expected.dataSync();
  expect(actual.shape).toEqual(expected.shape);
  let difference = 0;
  let normA = 0;
  let normB = 0;
  for (let index = 0; index < a.length; index += 1) {
    difference += ((a[index] as number) - (b[index] as number)) ** 2;
    normA += (a[index] as number) ** 2;
    normB += (b[index] as number) ** 2;
  }
  return Math.sqrt(difference) / Math.max(Math.sqrt(normA), Math.sqrt(normB), Number.MIN_VALUE);
}

/**
 * Gradients of Σ(f(args)·weights) with respect to every argument, for the hand-written layer and
 * for the same function built from tfjs ops whose gradients tfjs derives itself.
 */
function compareGradients(
  handWritten: (...args: tf.Tensor[]) => tf.Tensor,
  reference: (...args: tf.Tensor[]) => tf.Tensor,
  args: tf.Tensor[],
  outputShape: number[],
): number[] {
  const weights = random(outputShape, 99);
  const objective =
    (f: (...inputs: tf.Tensor[]) => tf.Tensor) =>
    (...inputs: tf.Tensor[]) =>
      tf.sum(tf.mul(f(...inputs), weights));
  const actual = tf.grads(objective(handWritten))(args);
  const expected = tf.grads(objective(reference))(args);
  const errors = actual.map((gradient, index) => relativeError(gradient, expected[index] as tf.Tensor));
  tf.dispose([weights, ...actual, ...expected]);
  return errors;
}

describe('denseLayer', () => {
  it('has the gradient of inputs·kernel + bias with respect to kernel and bias (tfjs autodiff)', () => {
    const inputs = random([7, 5], 1);
    const kernel = random([5, 3], 2);
    const bias = random([3], 3);
    const errors = compareGradients(
      (k, b) => denseLayer(inputs, k as tf.Tensor, b as tf.Tensor, false),
      (k, b) => tf.add(tf.matMul(inputs, k as tf.Tensor2D), b as tf.Tensor),
      [kernel, bias],
      [7, 3],
    );
    expect(errors).toHaveLength(2);
    for (const error of errors) expect(error).toBeLessThan(1e-6);
    tf.dispose([inputs, kernel, bias]);
  });

  it('also has the gradient with respect to the inputs when asked for it', () => {
    const inputs = random([6, 4], 4);
    const kernel = random([4, 5], 5);
    const bias = random([5], 6);
    const errors = compareGradients(
      (x, k, b) => denseLayer(x as tf.Tensor, k as tf.Tensor, b as tf.Tensor, true),
      (x, k, b) => tf.add(tf.matMul(x as tf.Tensor2D, k as tf.Tensor2D), b as tf.Tensor),
      [inputs, kernel, bias],
      [6, 5],
    );
    expect(errors).toHaveLength(3);
    for (const error of errors) expect(error).toBeLessThan(1e-6);
    tf.dispose([inputs, kernel, bias]);
  });

  it('has the gradient of the stacked form [K, batch, in]·[K, in, out] + [K, 1, out]', () => {
    const inputs = random([3, 6, 4], 7);
    const kernel = random([3, 4, 2], 8);
    const bias = random([3, 1, 2], 9);
    const errors = compareGradients(
      (x, k, b) => denseLayer(x as tf.Tensor, k as tf.Tensor, b as tf.Tensor, true),
      (x, k, b) => tf.add(tf.matMul(x as tf.Tensor3D, k as tf.Tensor3D), b as tf.Tensor),
      [inputs, kernel, bias],
      [3, 6, 2],
    );
    for (const error of errors) expect(error).toBeLessThan(1e-6);
    tf.dispose([inputs, kernel, bias]);
  });
});

/** The activations by name, as tfjs ops (the reference network is built from plain ops). */
const activationOps = { relu: tf.relu, tanh: tf.tanh, sigmoid: tf.sigmoid } as const;

describe('Model', () => {
  for (const activation of ['relu', 'tanh', 'sigmoid'] as const) {
    it(`backpropagates through an MLP (${activation}) as tfjs autodiff of the same network does`, () => {
      const model = createModel(parseModelSpec({ type: 'mlp', hidden: [6, 5], activation }), {
        inputSize: 8,
        outputSize: 4,
        seed: 3,
      });
      const inputs = random([9, 8], 11);
      const names = model.parameterNames;
      const parameters = names.map((name) => model.variables[name] as tf.Variable);
      const plain = (...values: tf.Tensor[]) => {
        let activations: tf.Tensor = inputs;
        model.layers.forEach((layer, index) => {
          activations = tf.add(
            tf.matMul(activations as tf.Tensor2D, values[index * 2] as tf.Tensor2D),
            values[index * 2 + 1] as tf.Tensor,
          );
          if (layer.name !== 'head') activations = activationOps[activation](activations);
        });
        return activations;
      };
      const weights = random([9, 4], 99);
      const { value, grads } = tf.variableGrads(
        () => tf.sum(tf.mul(model.forward(inputs), weights)) as tf.Scalar,
        parameters,
      );
      const expected = tf.grads((...values: tf.Tensor[]) => tf.sum(tf.mul(plain(...values), weights)))(
        parameters,
      );
      const errors = parameters.map((parameter, index) =>
        relativeError(grads[parameter.name] as tf.Tensor, expected[index] as tf.Tensor),
      );
      tf.dispose([value, weights, ...Object.values(grads), ...expected]);
      expect(errors).toHaveLength(names.length);
      for (const error of errors) expect(error).toBeLessThan(1e-6);
      inputs.dispose();
      model.dispose();
    });
  }
});
