import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createBatcher } from './create-batcher.js';
import { loadEmbeddedMnist } from './embedded-mnist.js';
import { prepareDataset } from './prepare-dataset.js';

describe('createBatcher', async () => {
  beforeAll(() => tf.setBackend('cpu'));
  const dataset = await loadEmbeddedMnist();
  const prepared = prepareDataset(dataset, { trainLimit: 1000, validationFraction: 0.2, seed: 3 });

  it('builds one-hot batches whose features are the scaled pixels of the items in epoch order', () => {
    const batcher = createBatcher(prepared, { batchSize: 64 });
    expect(batcher.batchCount).toBe(13);
    const order = batcher.order(0);
    const seen: number[] = [];
    for (const batch of batcher.batches(0)) {
      expect(batch.inputs.shape).toEqual([batch.size, 784]);
      expect(batch.targets.shape).toEqual([batch.size, 10]);
      if (batch.index === 0) {
        const features = batch.inputs.dataSync();
        const row = prepared.train.indices[order[1] ?? 0] ?? 0;
        const pixels = dataset.train.pixels.subarray(row * 784, row * 784 + 784);
        expect(Array.from(features.subarray(784, 1568))).toEqual(
          Array.from(pixels, (byte) => Math.fround(byte / 255)),
        );
        const targets = batch.targets.dataSync();
        const label = prepared.train.labels[order[1] ?? 0] ?? 0;
        expect(Array.from(targets.subarray(10, 20))).toEqual(
          Array.from({ length: 10 }, (_, k) => (k === label ? 1 : 0)),
        );
      }
      seen.push(batch.size);
    }
    expect(seen.reduce((sum, size) => sum + size, 0)).toBe(800);
    expect(seen.at(-1)).toBe(800 - 12 * 64);
  });

  it('shuffles with a seed: the same epoch repeats, epochs differ, every item once', () => {
    const batcher = createBatcher(prepared, { batchSize: 32, seed: 11 });
    expect(batcher.order(2)).toEqual(createBatcher(prepared, { batchSize: 32, seed: 11 }).order(2));
    expect(batcher.order(1)).not.toEqual(batcher.order(2));
    expect([...batcher.order(1)].sort((a, b) => a - b)).toEqual(
      Array.from({ length: 800 }, (_, item) => item),
    );
    expect(
      Array.from(createBatcher(prepared, { split: 'test', batchSize: 8 }).order(5).subarray(0, 4)),
    ).toEqual([0, 1, 2, 3]);
  });

  it('keeps the tensor count flat across epochs, also when a loop breaks early', () => {
    const batcher = createBatcher(prepared, { batchSize: 100 });
    const before = tf.memory().numTensors;
    const counts: number[] = [];
    for (let epoch = 0; epoch < 3; epoch += 1) {
      for (const batch of batcher.batches(epoch)) {
        expect(tf.memory().numTensors - before).toBe(2);
        tf.dispose(tf.tidy(() => tf.sum(tf.matMul(batch.inputs, tf.ones([784, 1])))));
      }
      counts.push(tf.memory().numTensors - before);
    }
    for (const batch of batcher.batches(3)) {
      if (batch.index === 2) break;
    }
    counts.push(tf.memory().numTensors - before);
    expect(counts).toEqual([0, 0, 0, 0]);
  });

  it('gives image layout, index labels, standardised features and drops the remainder', () => {
    const images = prepareDataset(dataset, {
      trainLimit: 100,
      validationFraction: 0,
      layout: 'image',
      labelEncoding: 'index',
      standardize: true,
      classes: [3, 4],
    });
    const batcher = createBatcher(images, { batchSize: 7, dropRemainder: true });
    expect(images.train.count).toBe(100);
    expect(batcher.batchCount).toBe(14);
    for (const batch of batcher.batches(0)) {
      expect(batch.inputs.shape).toEqual([7, 28, 28, 1]);
      expect(batch.targets.dtype).toBe('int32');
      expect(Math.max(...batch.targets.dataSync())).toBeLessThanOrEqual(1);
      expect(Math.min(...batch.inputs.dataSync())).toBeCloseTo(
        -images.scaling.offset * images.scaling.scale,
        5,
      );
      break;
    }
    const [escaped] = batcher.batches(0);
    expect(escaped?.inputs.isDisposed).toBe(true);
  });

  it('rejects a bad batch size in one line', () => {
    expect(() => createBatcher(prepared, { batchSize: 0 })).toThrow(
      'batchSize must be an integer ≥ 1; got 0',
    );
  });
});
