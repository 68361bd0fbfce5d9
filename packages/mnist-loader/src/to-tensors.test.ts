import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createBatcher } from './create-batcher.js';
import { loadEmbeddedMnist } from './embedded-mnist.js';
import { MnistLoaderOptionError } from './mnist-loader-error.js';
import { prepareDataset } from './prepare-dataset.js';
import { toTensors } from './to-tensors.js';

describe('toTensors', async () => {
  beforeAll(() => tf.setBackend('cpu'));
  const dataset = await loadEmbeddedMnist();
  const prepared = prepareDataset(dataset, {
    trainLimit: 500,
    testLimit: 120,
    validationFraction: 0.2,
    seed: 5,
  });

  /** The source bytes of item `item` of a split, from the dataset itself. */
  const sourceBytes = (split: 'train' | 'validation' | 'test', item: number): Uint8Array => {
    const { images, indices } = prepared[split];
    const row = indices[item] ?? -1;
    return images.pixels.subarray(row * 784, (row + 1) * 784);
  };

  it('gives the training split as float32 [n, 784] in [0, 1] and one-hot float32 [n, 10], byte for byte', () => {
    const { x, y, count } = toTensors(prepared);
    expect(count).toBe(400);
    expect(x.shape).toEqual([400, 784]);
    expect(x.dtype).toBe('float32');
    expect(y.shape).toEqual([400, 10]);
    expect(y.dtype).toBe('float32');
    const features = x.dataSync();
    const targets = y.dataSync();
    for (const item of [0, 1, 217, 399]) {
      expect(Array.from(features.subarray(item * 784, (item + 1) * 784))).toEqual(
        Array.from(sourceBytes('train', item), (byte) => Math.fround(byte / 255)),
      );
      const label = dataset.train.labels[prepared.train.indices[item] ?? -1] ?? -1;
      expect(Array.from(targets.subarray(item * 10, (item + 1) * 10))).toEqual(
        Array.from({ length: 10 }, (_, k) => (k === label ? 1 : 0)),
      );
    }
    // every row one-hot: the targets sum to n, and argMax gives the prepared labels
    expect(tf.sum(y).dataSync()[0]).toBe(400);
    expect(Array.from(tf.argMax(y, 1).dataSync())).toEqual(Array.from(prepared.train.labels));
    expect(tf.min(x).dataSync()[0]).toBe(0);
    expect(tf.max(x).dataSync()[0]).toBe(1);
    tf.dispose([x, y]);
  });

  it('lays images out as [n, 28, 28, 1] for a CNN, pixel (r, c) of item i at x[i, r, c, 0]', () => {
    const { x } = toTensors(prepared, { split: 'test', layout: 'image' });
    expect(x.shape).toEqual([120, 28, 28, 1]);
    const image = x.arraySync() as number[][][][];
    const bytes = sourceBytes('test', 37);
    for (const [row, column] of [
      [0, 0],
      [14, 9],
      [20, 15],
      [27, 27],
    ] as const) {
      expect(image[37]?.[row]?.[column]?.[0]).toBe(Math.fround((bytes[row * 28 + column] ?? -1) / 255));
    }
    tf.dispose(x);
  });

  it('follows the prepared layout and label encoding unless told otherwise', () => {
    const image = prepareDataset(dataset, { trainLimit: 60, layout: 'image', labelEncoding: 'index' });
    const defaults = toTensors(image);
    expect(defaults.x.shape).toEqual([50, 28, 28, 1]);
    expect(defaults.y.shape).toEqual([50]);
    const flatOneHot = toTensors(image, { layout: 'flat', labelEncoding: 'one-hot' });
    expect(flatOneHot.x.shape).toEqual([50, 784]);
    expect(flatOneHot.y.shape).toEqual([50, 10]);
    expect(flatOneHot.x.dataSync()).toEqual(defaults.x.dataSync());
    tf.dispose([defaults.x, defaults.y, flatOneHot.x, flatOneHot.y]);
  });

  it('gives float32 class indices [n] for sparse categorical cross entropy, remapped with classes', () => {
    const subset = prepareDataset(dataset, { classes: [7, 3], trainLimit: 300, validationFraction: 0.5 });
    const { y, count } = toTensors(subset, { split: 'validation', labelEncoding: 'index' });
    // float32: tfjs-layers' sparseCategoricalCrossentropy floors its targets, and floor refuses int32
    expect(y.dtype).toBe('float32');
    expect(y.shape).toEqual([count]);
    const original = Array.from(subset.validation.indices, (row) => dataset.train.labels[row]);
    expect(new Set(original)).toEqual(new Set([7, 3]));
    expect(Array.from(y.dataSync())).toEqual(original.map((label) => (label === 7 ? 0 : 1)));
    tf.dispose(y);
  });

  it('scales standardised data with the training mean and deviation, as the batcher does', () => {
    const standardized = prepareDataset(dataset, { trainLimit: 300, standardize: true, seed: 2 });
    const { offset, scale } = standardized.scaling;
    expect(offset).toBeGreaterThan(0.05);
    const { x } = toTensors(standardized);
    const bytes = standardized.train.images.pixels;
    const row = standardized.train.indices[3] ?? -1;
    const expected = Array.from(bytes.subarray(row * 784, (row + 1) * 784), (byte) =>
      Math.fround((byte / 255 - offset) * scale),
    );
    expect(Array.from(x.dataSync().subarray(3 * 784, 4 * 784))).toEqual(expected);
    // the training features have mean 0 and standard deviation 1 (float32 rounding aside)
    const moments = tf.moments(x);
    expect(moments.mean.dataSync()[0]).toBeCloseTo(0, 5);
    expect(Math.sqrt(moments.variance.dataSync()[0] ?? -1)).toBeCloseTo(1, 5);
    tf.dispose([x, moments.mean, moments.variance]);
  });

  it('holds exactly what an unshuffled batcher yields, in the same order', () => {
    const { x, y } = toTensors(prepared, { split: 'validation' });
    const batcher = createBatcher(prepared, { split: 'validation', batchSize: 32 });
    const inputs: number[] = [];
    const targets: number[] = [];
    for (const batch of batcher.batches(0)) {
      inputs.push(...batch.inputs.dataSync());
      targets.push(...batch.targets.dataSync());
    }
    expect(Array.from(x.dataSync())).toEqual(inputs);
    expect(Array.from(y.dataSync())).toEqual(targets);
    tf.dispose([x, y]);
  });

  it('creates exactly two tensors, owned by the caller', () => {
    const before = tf.memory().numTensors;
    const { x, y } = toTensors(prepared, { split: 'test' });
    expect(tf.memory().numTensors - before).toBe(2);
    tf.dispose([x, y]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses unknown options and empty splits in one line, creating no tensor', () => {
    const before = tf.memory().numTensors;
    const call =
      (options: object, data = prepared) =>
      () =>
        toTensors(data, options as never);
    expect(call({ split: 'valid' })).toThrow(MnistLoaderOptionError);
    expect(call({ split: 'valid' })).toThrow("split must be 'train', 'validation' or 'test'; got \"valid\"");
    expect(call({ labelEncoding: 'sparse' })).toThrow(
      "labelEncoding must be 'one-hot' or 'index'; got \"sparse\"",
    );
    expect(call({ layout: 'nhwc' })).toThrow("layout must be 'flat' or 'image'; got \"nhwc\"");
    const noValidation = prepareDataset(dataset, { trainLimit: 50, validationFraction: 0 });
    expect(call({ split: 'validation' }, noValidation)).toThrow(
      'split must be a split holding examples (prepareDataset left \'validation\' empty); got "validation"',
    );
    expect(tf.memory().numTensors).toBe(before);
  });
});
