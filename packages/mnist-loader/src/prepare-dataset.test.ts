import { describe, expect, it } from 'vitest';
import { loadEmbeddedMnist } from './embedded-mnist.js';
import { labelHistogram } from './mnist-dataset.js';
import { MnistLoaderOptionError } from './mnist-loader-error.js';
import { prepareDataset } from './prepare-dataset.js';

describe('prepareDataset', async () => {
  const dataset = await loadEmbeddedMnist();

  it('holds out a seeded validation share of the training split, without copying pixels', () => {
    const prepared = prepareDataset(dataset);
    expect([prepared.train.count, prepared.validation.count, prepared.test.count]).toEqual([
      7079, 1416, 1505,
    ]);
    expect(prepared.train.images.pixels).toBe(dataset.train.pixels);
    const all = new Set([...prepared.train.indices, ...prepared.validation.indices]);
    expect(all.size).toBe(8495);
    expect(prepared).toMatchObject({
      featureShape: [784],
      classCount: 10,
      labelEncoding: 'one-hot',
      scaling: { offset: 0, scale: 1 },
    });
  });

  it('is deterministic for a seed and different across seeds', () => {
    const first = prepareDataset(dataset, { seed: 7 }).validation.indices;
    expect(prepareDataset(dataset, { seed: 7 }).validation.indices).toEqual(first);
    expect(prepareDataset(dataset, { seed: 8 }).validation.indices).not.toEqual(first);
  });

  it('keeps a class subset and remaps it to 0..k − 1 for a new head', () => {
    const prepared = prepareDataset(dataset, { classes: [5, 6, 7, 8, 9], validationFraction: 0 });
    expect(prepared.classCount).toBe(5);
    expect(prepared.classes).toEqual([5, 6, 7, 8, 9]);
    expect(prepared.classNames).toEqual(['5', '6', '7', '8', '9']);
    expect(labelHistogram(prepared.train.labels, 5)).toEqual([733, 861, 909, 802, 831]);
    expect(labelHistogram(prepared.test.labels, 5)).toEqual([130, 153, 161, 142, 147]);
    const first = prepared.train.indices[0] ?? 0;
    expect(dataset.train.labels[first]).toBe((prepared.train.labels[0] ?? 0) + 5);
  });

  it('keeps original labels when asked not to remap', () => {
    const prepared = prepareDataset(dataset, {
      classes: [0, 1, 2, 3, 4],
      remapLabels: false,
      testLimit: 100,
    });
    expect(prepared.classCount).toBe(10);
    expect(Math.max(...prepared.test.labels)).toBe(4);
    expect(prepared.test.count).toBe(100);
  });

  it('standardises with the training mean and standard deviation', () => {
    const prepared = prepareDataset(dataset, { standardize: true, validationFraction: 0 });
    expect(prepared.scaling.offset).toBeCloseTo(33.4377 / 255, 5);
    const { pixels } = dataset.train;
    let sum = 0;
    let squares = 0;
    for (const byte of pixels) {
      const feature = (byte / 255 - prepared.scaling.offset) * prepared.scaling.scale;
      sum += feature;
      squares += feature * feature;
    }
    expect(sum / pixels.length).toBeCloseTo(0, 6);
    expect(squares / pixels.length).toBeCloseTo(1, 6);
  });

  it('rejects bad options in one line', () => {
    expect(() => prepareDataset(dataset, { classes: [3, 3] })).toThrow(MnistLoaderOptionError);
    expect(() => prepareDataset(dataset, { classes: [10] })).toThrow(
      'classes must be distinct integers in 0..9; got [10]',
    );
    expect(() => prepareDataset(dataset, { validationFraction: 1 })).toThrow(
      'validationFraction must be a number in [0, 1); got 1',
    );
    expect(() => prepareDataset(dataset, { trainLimit: 0 })).toThrow(
      'trainLimit must be an integer ≥ 1; got 0',
    );
  });
});
