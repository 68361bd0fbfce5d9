import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { binaryCrossEntropy } from './binary-cross-entropy.js';
import { NonFiniteLossError } from './non-finite-loss-error.js';
import { useCpuBackend } from './test-support/use-cpu-backend.js';

beforeAll(useCpuBackend);

/** −y log σ(z) − (1 − y) log(1 − σ(z)) in float64, written the direct way. */
function direct(z: number, y: number): number {
  const sigma = 1 / (1 + Math.exp(-z));
  return -y * Math.log(sigma) - (1 - y) * Math.log(1 - sigma);
}

describe('binaryCrossEntropy', () => {
  it('equals −y log σ(z) − (1 − y) log(1 − σ(z)) element-wise, mean over all elements', () => {
    const z = [0, 2, -1.5, 0.3];
    const y = [1, 0, 1, 0.25];
    const elements = binaryCrossEntropy(tf.tensor2d(z, [2, 2]), tf.tensor2d(y, [2, 2]), {
      reduction: 'none',
    });
    expect(elements.shape).toEqual([2, 2]);
    const values = Array.from(elements.dataSync());
    z.forEach((zValue, index) => {
      expect(values[index]).toBeCloseTo(direct(zValue, y[index]!), 6);
    });
    expect(values[0]).toBeCloseTo(Math.LN2, 6);
    const mean = binaryCrossEntropy(tf.tensor2d(z, [2, 2]), tf.tensor2d(y, [2, 2]));
    expect(mean.dataSync()[0]).toBeCloseTo(
      z.reduce((total, zValue, index) => total + direct(zValue, y[index]!), 0) / 4,
      6,
    );
  });

  it('does not overflow for logits of ±1000', () => {
    const values = binaryCrossEntropy(tf.tensor1d([1000, 1000, -1000, -1000]), tf.tensor1d([1, 0, 1, 0]), {
      reduction: 'none',
    }).dataSync();
    expect(Array.from(values)).toEqual([0, 1000, 1000, 0]);
  });

  it('throws for NaN logits and for shape mismatches', () => {
    expect(() => binaryCrossEntropy(tf.tensor1d([Number.NaN]), tf.tensor1d([1]))).toThrow(NonFiniteLossError);
    expect(() => binaryCrossEntropy(tf.tensor1d([1, 2]), tf.tensor1d([1]))).toThrow(
      'binaryCrossEntropy: labels must have the shape of logits [2]; got [1]',
    );
  });
});
