import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerChainedOperations } from './chained-operations.js';
import { useCpuBackend } from './use-cpu-backend.js';
import './index.js';

describe('registerChainedOperations', () => {
  beforeAll(useCpuBackend);

  it('gives tensors the chained methods tfjs-core main lacks', () => {
    const values = tf.tidy(() => {
      const x = tf.tensor2d([1, -2, 3, -4], [2, 2]);
      return {
        chained: x.add(1).relu().sum().dataSync()[0],
        mean: x.abs().mean(0).arraySync(),
        scalar: tf.tensor1d([7]).asScalar().shape,
        flattened: x.flatten().shape,
        concatenated: x.concat([x], 0).shape,
        floats: tf.tensor1d([1, 2], 'int32').toFloat().dtype,
      };
    });
    expect(values).toEqual({
      chained: 6,
      mean: [2, 3],
      scalar: [],
      flattened: [4],
      concatenated: [4, 2],
      floats: 'float32',
    });
  });

  it('adds nothing the second time', () => {
    expect(registerChainedOperations(tf)).toBe(0);
  });
});
