import * as tf from '@tensorflow/tfjs-core';
import { MnistLoaderOptionError } from './mnist-loader-error.js';
import type { PreparedDataset, PreparedSplit } from './prepare-dataset.js';
import { createSeededRandom, epochSeed, shuffleInPlace } from './seeded-random.js';
import { featureTable } from './split-features.js';

/** One batch of tensors, ready for a training step. */
export interface Batch {
  /** float32 `[size, ...featureShape]`. */
  readonly inputs: tf.Tensor;
  /** float32 one-hot `[size, classCount]`, or int32 class indices `[size]`. */
  readonly targets: tf.Tensor;
  /** Number of examples (the last batch may be smaller unless `dropRemainder`). */
  readonly size: number;
  /** Position of the batch in its epoch, from 0. */
  readonly index: number;
}

/** Options of {@link createBatcher}. */
export interface BatcherOptions {
  /** Which split to batch; default `train`. */
  readonly split?: 'train' | 'validation' | 'test';
  /** Examples per batch, an integer ≥ 1. */
  readonly batchSize: number;
  /** Shuffle each epoch (default true for `train`, false otherwise). */
  readonly shuffle?: boolean;
  /** Seed of the shuffles; default the prepared dataset's seed. Epoch `e` uses its own derived seed. */
  readonly seed?: number;
  /** Leave out the last, smaller batch; default false. */
  readonly dropRemainder?: boolean;
}

/** Produces an epoch's batches from typed arrays (see {@link createBatcher}). */
export interface Batcher {
  readonly split: PreparedSplit;
  readonly batchSize: number;
  /** Batches per epoch. */
  readonly batchCount: number;
  /** The order in which epoch `epoch` visits the split's items (a fresh array each call). */
  order(epoch: number): Uint32Array;
  /**
   * Yields the batches of epoch `epoch`, each built just before it is yielded. A batch's tensors are
   * disposed when the next batch is requested and when the loop ends (also on `break` or a throw):
   * use them inside the loop body, or `clone()` what must outlive it.
   */
  batches(epoch?: number): Generator<Batch, void, undefined>;
}

/**
 * Batches one split of a prepared dataset for speed: each epoch is a seeded permutation of the
 * split; each batch is filled from the dataset's pixel bytes (converted through a 256-entry lookup
 * table into a fresh float32 array) and becomes one tensor, with no per-batch `gather` on a
 * dataset-sized tensor (measured here: such a gather costs ~5× the training step). The dataset
 * stays once in memory as bytes; at most one batch of tensors is alive at a time, so the tensor
 * count is the same after every epoch.
 *
 * @throws MnistLoaderOptionError for an invalid batch size or seed.
 */
export function createBatcher(prepared: PreparedDataset, options: BatcherOptions): Batcher {
  const splitName = options.split ?? 'train';
  const split = prepared[splitName];
  const { batchSize } = options;
  if (!(Number.isInteger(batchSize) && batchSize >= 1)) {
    throw new MnistLoaderOptionError('batchSize', 'an integer ≥ 1', batchSize);
  }
  const seed = options.seed ?? prepared.seed;
  if (!Number.isInteger(seed)) throw new MnistLoaderOptionError('seed', 'an integer', seed);
  const shuffle = options.shuffle ?? splitName === 'train';
  const dropRemainder = options.dropRemainder ?? false;
  const batchCount = dropRemainder ? Math.floor(split.count / batchSize) : Math.ceil(split.count / batchSize);
  const pixelCount = split.images.rows * split.images.columns;
  const table = featureTable(prepared.scaling);
  const classCount = prepared.classCount;
  const oneHot = prepared.labelEncoding === 'one-hot';

  const order = (epoch: number): Uint32Array => {
    const items = new Uint32Array(split.count);
    for (let item = 0; item < items.length; item += 1) items[item] = item;
    return shuffle ? shuffleInPlace(items, createSeededRandom(epochSeed(seed, epoch))) : items;
  };

  const build = (items: Uint32Array, index: number): Batch => {
    const start = index * batchSize;
    const size = Math.min(batchSize, split.count - start);
    const features = new Float32Array(size * pixelCount);
    const targets = oneHot ? new Float32Array(size * classCount) : new Int32Array(size);
    const pixels = split.images.pixels;
    for (let position = 0; position < size; position += 1) {
      const item = items[start + position] ?? 0;
      const source = (split.indices[item] ?? 0) * pixelCount;
      const target = position * pixelCount;
      for (let pixel = 0; pixel < pixelCount; pixel += 1) {
        features[target + pixel] = table[pixels[source + pixel] ?? 0] ?? 0;
      }
      const label = split.labels[item] ?? 0;
      if (oneHot) targets[position * classCount + label] = 1;
      else targets[position] = label;
    }
    return {
      inputs: tf.tensor(features, [size, ...prepared.featureShape], 'float32'),
      targets: oneHot
        ? tf.tensor(targets, [size, classCount], 'float32')
        : tf.tensor(targets, [size], 'int32'),
      size,
      index,
    };
  };

  return {
    split,
    batchSize,
    batchCount,
    order,
    *batches(epoch = 0) {
      const items = order(epoch);
      let current: Batch | undefined;
      try {
        for (let index = 0; index < batchCount; index += 1) {
          if (current !== undefined) tf.dispose([current.inputs, current.targets]);
          current = build(items, index);
          yield current;
        }
      } finally {
        if (current !== undefined) tf.dispose([current.inputs, current.targets]);
      }
    },
  };
}
