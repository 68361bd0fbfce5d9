import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { classificationError } from './classification-error.js';
import { NonFiniteLossError } from './non-finite-loss-error.js';
import { useCpuBackend } from './test-support/use-cpu-backend.js';

beforeAll(useCpuBackend);

const logits = tf.tensor2d([
  [1, 2],
  [3, 0],
  [0, 5],
  [7, 7],
]);

describe('classificationError', () => {
  it('is the fraction of examples whose argmax differs from the label (first index on ties)', () => {
    // Predicted 1, 0, 1, 0 (tie → first) against labels 1, 1, 1, 1: two wrong.
    expect(classificationError(logits, tf.tensor1d([1, 1, 1, 1]))).toBe(0.5);
    expect(classificationError(logits, tf.tensor1d([1, 1, 1, 1]), { reduction: 'sum' })).toBe(2);
    expect(
      classificationError(
        logits,
        tf.tensor2d([
          [0, 1],
          [1, 0],
          [0, 1],
          [1, 0],
        ]),
      ),
    ).toBe(0);
  });

  it('detects non-finite logits', () => {
    expect(() => classificationError(tf.tensor2d([[Number.NaN, 1]]), tf.tensor1d([0]))).toThrow(
      NonFiniteLossError,
    );
  });
});
