import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { NonFiniteLossError } from './non-finite-loss-error.js';
import { softmaxCrossEntropy } from './softmax-cross-entropy.js';
import { logSumExp } from './test-support/log-sum-exp.js';
import { useCpuBackend } from './test-support/use-cpu-backend.js';

beforeAll(useCpuBackend);

describe('softmaxCrossEntropy', () => {
  it("takes stacked models' logits [models, batch, classes]: per model and example the same numbers as one model", () => {
    const first = tf.tensor2d([
      [1, 2, 3],
      [0.5, -1, 0],
    ]);
    const second = tf.tensor2d([
      [-2, 0, 4],
      [3, 3, -3],
    ]);
    const stacked = tf.stack([first, second]);
    const labels = tf.tensor1d([2, 0], 'int32');
    const perModel = softmaxCrossEntropy(stacked, labels, { reduction: 'none' });
    expect(perModel.shape).toEqual([2, 2]);
    const alone = [first, second].map((logits) => softmaxCrossEntropy(logits, labels, { reduction: 'none' }));
    expect(Array.from(perModel.dataSync())).toEqual([
      ...Array.from((alone[0] as tf.Tensor).dataSync()),
      ...Array.from((alone[1] as tf.Tensor).dataSync()),
    ]);
    expect(Array.from(perModel.dataSync())[2]).toBeCloseTo(logSumExp([-2, 0, 4]) - 4, 6);
    expect(() => softmaxCrossEntropy(tf.zeros([1, 1, 2, 3]), labels)).toThrow(
      /\[batch, classes\] or \[models, batch, classes\]; got shape \[1, 1, 2, 3\]/,
    );
    tf.dispose([first, second, stacked, labels, perModel, ...alone]);
  });

  it('equals −log softmax(z)_label for class indices, averaged over the batch', () => {
    const logits = tf.tensor2d([
      [1, 2, 3],
      [0.5, -1, 0],
    ]);
    const labels = tf.tensor1d([2, 0], 'int32');
    // Hand values: 3.4076059644443806 − 3 and LSE(0.5, −1, 0) − 0.5.
    const first = logSumExp([1, 2, 3]) - 3;
    const second = logSumExp([0.5, -1, 0]) - 0.5;
    expect(first).toBeCloseTo(0.4076059644443806, 15);
    const loss = softmaxCrossEntropy(logits, labels);
    expect(loss.shape).toEqual([]);
    expect(loss.dataSync()[0]).toBeCloseTo((first + second) / 2, 6);
    const sum = softmaxCrossEntropy(logits, labels, { reduction: 'sum' });
    expect(sum.dataSync()[0]).toBeCloseTo(first + second, 6);
    const none = softmaxCrossEntropy(logits, labels, { reduction: 'none' });
    expect(Array.from(none.dataSync())).toEqual([expect.closeTo(first, 6), expect.closeTo(second, 6)]);
  });

  it('gives the same value for one-hot labels and for soft labels Σ y_k (LSE − z_k)', () => {
    const logits = tf.tensor2d([[1, 2, 3]]);
    const oneHot = softmaxCrossEntropy(logits, tf.tensor2d([[0, 0, 1]]));
    expect(oneHot.dataSync()[0]).toBeCloseTo(0.4076059644443806, 6);
    const soft = softmaxCrossEntropy(logits, tf.tensor2d([[0.25, 0.25, 0.5]]));
    const lse = logSumExp([1, 2, 3]);
    expect(soft.dataSync()[0]).toBeCloseTo(0.25 * (lse - 1) + 0.25 * (lse - 2) + 0.5 * (lse - 3), 6);
  });

  it('does not overflow for logits of ±1000', () => {
    const logits = tf.tensor2d([
      [1000, 0, -1000],
      [1000, 0, -1000],
      [1000, 0, -1000],
      [-1000, 1000, 1000],
    ]);
    const perExample = softmaxCrossEntropy(logits, tf.tensor1d([0, 1, 2, 0]), { reduction: 'none' });
    // −log softmax: 0 (e^−1000 vanishes), 1000, 2000, 2000 + log 2.
    const values = Array.from(perExample.dataSync());
    expect(values[0]).toBe(0);
    expect(values[1]).toBeCloseTo(1000, 3);
    expect(values[2]).toBeCloseTo(2000, 3);
    expect(values[3]).toBeCloseTo(2000 + Math.LN2, 3);
  });

  it('has gradient softmax(z) − y with respect to the logits (mean: divided by the batch)', () => {
    const logits = tf.tensor2d([
      [1, 2, 3],
      [1000, -1000, 0],
    ]);
    const labels = tf.tensor1d([0, 0], 'int32');
    const gradient = tf.grad((z: tf.Tensor) => softmaxCrossEntropy(z, labels))(logits);
    const softmaxFirst = [1, 2, 3].map((z) => Math.exp(z - logSumExp([1, 2, 3])));
    const expected = [softmaxFirst[0]! - 1, softmaxFirst[1]!, softmaxFirst[2]!, 0, 0, 0].map(
      (value) => value / 2,
    );
    const actual = Array.from(gradient.dataSync());
    for (let index = 0; index < expected.length; index += 1) {
      expect(actual[index]).toBeCloseTo(expected[index]!, 6);
    }
    expect(actual.every(Number.isFinite)).toBe(true);
  });

  it('throws NonFiniteLossError naming the examples whose loss is NaN or infinite', () => {
    const logits = tf.tensor2d([
      [1, 2],
      [Number.NaN, 0],
      [Number.POSITIVE_INFINITY, 0],
    ]);
    const before = tf.memory().numTensors;
    let caught: unknown;
    try {
      softmaxCrossEntropy(logits, tf.tensor1d([0, 0, 1]));
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(NonFiniteLossError);
    expect((caught as NonFiniteLossError).indices).toEqual([1, 2]);
    expect((caught as NonFiniteLossError).message).toBe(
      'softmaxCrossEntropy: 2 non-finite value(s) at index 1, 2',
    );
    // Only the labels tensor created in the call remains.
    expect(tf.memory().numTensors).toBe(before + 1);
    const ignored = softmaxCrossEntropy(logits, tf.tensor1d([0, 0, 1]), { nonFinite: 'ignore' });
    expect(Number.isNaN(ignored.dataSync()[0])).toBe(true);
  });

  it('rejects out-of-range class indices and mismatched shapes with one-line errors', () => {
    const logits = tf.tensor2d([[1, 2, 3]]);
    expect(() => softmaxCrossEntropy(logits, tf.tensor1d([3]))).toThrow(
      'softmaxCrossEntropy: labels[0] must be an integer class index in [0, 2]; got 3',
    );
    expect(() => softmaxCrossEntropy(logits, tf.tensor1d([0, 1]))).toThrow(/must hold 1 class indices/);
    expect(() => softmaxCrossEntropy(tf.tensor1d([1, 2]), tf.tensor1d([0]))).toThrow(
      /logits must have shape/,
    );
    expect(() => softmaxCrossEntropy(logits, tf.tensor1d([0]), { reduction: 'max' as 'mean' })).toThrow(
      /"reduction" must be one of mean, sum, none/,
    );
  });
});
