import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { accuracy } from './accuracy.js';
import { useCpuBackend } from './test-support/use-cpu-backend.js';

beforeAll(useCpuBackend);

describe('accuracy', () => {
  it('is the fraction of examples whose argmax equals the label', () => {
    const logits = tf.tensor2d([
      [1, 2, 0],
      [3, 0, 1],
      [0, 5, 9],
    ]);
    expect(accuracy(logits, tf.tensor1d([1, 1, 2]))).toBeCloseTo(2 / 3, 15);
    expect(accuracy(logits, tf.tensor1d([1, 1, 2]), { reduction: 'sum' })).toBe(2);
    expect(() => accuracy(tf.zeros([0, 3]), tf.tensor1d([]))).toThrow('accuracy: the batch is empty');
  });
});
