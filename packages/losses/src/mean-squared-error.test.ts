import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { meanSquaredError } from './mean-squared-error.js';
import { NonFiniteLossError } from './non-finite-loss-error.js';
import { logSumExp } from './test-support/log-sum-exp.js';
import { useCpuBackend } from './test-support/use-cpu-backend.js';

beforeAll(useCpuBackend);

describe('meanSquaredError', () => {
  it('sums (softmax(z)_k − y_k)² over classes and averages over examples', () => {
    const logits = tf.tensor2d([
      [0, 0],
      [1, 2],
    ]);
    // Example 1: p = (½, ½), y = (1, 0) → ¼ + ¼ = ½. Example 2: p = softmax(1, 2), y = (0, 1).
    const p = [1, 2].map((z) => Math.exp(z - logSumExp([1, 2])));
    const second = p[0]! ** 2 + (p[1]! - 1) ** 2;
    const loss = meanSquaredError(logits, tf.tensor1d([0, 1]));
    expect(loss.dataSync()[0]).toBeCloseTo((0.5 + second) / 2, 6);
    const sum = meanSquaredError(
      logits,
      tf.tensor2d([
        [1, 0],
        [0, 1],
      ]),
      { reduction: 'sum' },
    );
    expect(sum.dataSync()[0]).toBeCloseTo(0.5 + second, 6);
  });

  it('uses the inputs as probabilities when fromLogits is false', () => {
    const loss = meanSquaredError(tf.tensor2d([[0.2, 0.8]]), tf.tensor1d([1]), { fromLogits: false });
    expect(loss.dataSync()[0]).toBeCloseTo(0.04 + 0.04, 6);
  });

  it('stays finite at logits ±1000 (softmax saturates to one-hot)', () => {
    const loss = meanSquaredError(tf.tensor2d([[1000, -1000]]), tf.tensor1d([1]));
    expect(loss.dataSync()[0]).toBeCloseTo(2, 6);
  });

  it('throws NonFiniteLossError for NaN inputs', () => {
    expect(() => meanSquaredError(tf.tensor2d([[Number.NaN, 0]]), tf.tensor1d([0]))).toThrow(
      NonFiniteLossError,
    );
  });
});
