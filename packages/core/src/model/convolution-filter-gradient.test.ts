import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { smallDataset } from '../test-support/small-dataset.js';
import { useConvolutionFilterGradient } from './convolution-filter-gradient.js';

/** dW[i, j, c, o] = Σ_{b,y,x} xPadded[b, y·s + i, x·s + j, c] · dy[b, y, x, o], by loops. */
function referenceFilterGradient(
  x: tf.Tensor4D,
  dy: tf.Tensor4D,
  filterShape: [number, number, number, number],
  stride: number,
  padTop: number,
  padLeft: number,
): Float32Array {
  const [batch, height, width, channels] = x.shape;
  const [, outHeight, outWidth, outChannels] = dy.shape;
  const [filterHeight, filterWidth] = filterShape;
  const xs = x.dataSync();
  const dys = dy.dataSync();
  const result = new Float32Array(filterHeight * filterWidth * channels * outChannels);
  for (let i = 0; i < filterHeight; i += 1)
    for (let j = 0; j < filterWidth; j += 1)
      for (let c = 0; c < channels; c += 1)
        for (let o = 0; o < outChannels; o += 1) {
          let sum = 0;
          for (let b = 0; b < batch; b += 1)
            for (let y = 0; y < outHeight; y += 1)
              for (let z = 0; z < outWidth; z += 1) {
                const row = y * stride + i - padTop;
                const column = z * stride + j - padLeft;
                if (row < 0 || row >= height || column < 0 || column >= width) continue;
                sum +=
                  (xs[((b * height + row) * width + column) * channels + c] ?? 0) *
                  (dys[((b * outHeight + y) * outWidth + z) * outChannels + o] ?? 0);
              }
          result[((i * filterWidth + j) * channels + c) * outChannels + o] = sum;
        }
  return result;
}

describe('useConvolutionFilterGradient', () => {
  it.each([
    ['valid, stride 1', 'valid', 1],
    ['valid, stride 2', 'valid', 2],
    ['same, stride 1', 'same', 1],
    ['same, stride 2 (odd size)', 'same', 2],
  ] as const)('gives the filter gradient of conv2d by its definition (%s)', async (_, pad, stride) => {
    await smallDataset(100);
    useConvolutionFilterGradient('cpu');
    const before = tf.memory().numTensors;
    const x = tf.randomNormal([3, 9, 9, 2], 0, 1, 'float32', 1) as tf.Tensor4D;
    const filter = tf.randomNormal([3, 3, 2, 4], 0, 1, 'float32', 2) as tf.Tensor4D;
    const y = tf.conv2d(x, filter, stride, pad);
    const dy = tf.randomNormal(y.shape, 0, 1, 'float32', 3) as tf.Tensor4D;
    const gradient = tf.grad((weights: tf.Tensor) =>
      tf.sum(tf.mul(tf.conv2d(x, weights as tf.Tensor4D, stride, pad), dy)),
    )(filter);
    const outSize = y.shape[1] as number;
    const total = Math.max(0, (outSize - 1) * stride + 3 - 9);
    const padTop = pad === 'same' ? Math.floor(total / 2) : 0;
    const expected = referenceFilterGradient(x, dy, [3, 3, 2, 4], stride, padTop, padTop);
    const actual = gradient.dataSync();
    expect(gradient.shape).toEqual([3, 3, 2, 4]);
    for (let index = 0; index < expected.length; index += 1)
      expect(actual[index]).toBeCloseTo(expected[index] ?? Number.NaN, 3);
    tf.dispose([x, filter, y, dy, gradient]);
    expect(tf.memory().numTensors).toBe(before);
  });
});
