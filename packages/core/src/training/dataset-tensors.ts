import { createBatcher, type PreparedDataset, splitFeatures } from '@contour/mnist-loader';
import * as tf from '@tensorflow/tfjs-core';

/** One chunk of a split on the device: features [size, inputSize] and one-hot targets [size, classes]. */
export interface SplitChunk {
  readonly inputs: tf.Tensor2D;
  readonly targets: tf.Tensor2D;
  readonly size: number;
}

/** One training batch (disposed by the generator when the next one is requested). */
export interface EpochBatch {
  readonly inputs: tf.Tensor2D;
  readonly targets: tf.Tensor2D;
  /** The targets' values [size × classes] (for loss arithmetic done in JavaScript). */
  readonly targetValues: Float32Array;
  readonly index: number;
  readonly size: number;
}

/**
 * A prepared dataset's features decoded once per run, for training loops that read every split
 * every epoch. Measured here: rebuilding float32 features from bytes costs more than the steps of
 * a one-layer model, and on the wasm backend `tf.slice` of a large tensor copies the whole tensor
 * back to JavaScript, so neither a per-batch rebuild nor slicing one big tensor is cheap.
 * Instead each split's features are decoded once (`splitFeatures`, with the batcher's own byte → float
 * table, so values are exactly the batcher's); a training batch is a copy of its rows (typed-array `set`)
 * uploaded as one tensor; evaluation chunks are uploaded once and reused every epoch (`chunks`), or,
 * for a split too large to keep on the device, uploaded again at each evaluation (`uploadChunk`).
 */
export class DatasetTensors {
  readonly #dataset: PreparedDataset;
  readonly #inputSize: number;
  readonly #features = new Map<string, Float32Array>();
  readonly #chunks = new Map<string, SplitChunk[]>();
  #disposed = false;

  constructor(dataset: PreparedDataset) {
    this.#dataset = dataset;
    this.#inputSize = dataset.featureShape.reduce((product, size) => product * size, 1);
  }

  /** The split's features [count × inputSize] in item order, decoded at the first call. */
  features(name: 'train' | 'validation' | 'test'): Float32Array {
    const cached = this.#features.get(name);
    if (cached) return cached;
    const features = splitFeatures(this.#dataset, name);
    this.#features.set(name, features);
    return features;
  }

  /** One-hot targets of `size` items from `start`: items `order[start + i]`, or `start + i` without an order. */
  #oneHot(labels: Uint8Array, order: Uint32Array | undefined, start: number, size: number): Float32Array {
    const classes = this.#dataset.classCount;
    const targets = new Float32Array(size * classes);
    for (let position = 0; position < size; position += 1) {
      const item = order === undefined ? start + position : (order[start + position] ?? 0);
      targets[position * classes + (labels[item] ?? 0)] = 1;
    }
    return targets;
  }

  /**
   * The split in chunks of `chunkSize` items (in item order) as device tensors, uploaded at the
   * first call and kept until `dispose`; empty for an empty split.
   */
  chunks(name: 'train' | 'validation' | 'test', chunkSize = 1000): readonly SplitChunk[] {
    if (this.#disposed) throw new Error('DatasetTensors: used after dispose()');
    const key = `${name}/${chunkSize}`;
    const cached = this.#chunks.get(key);
    if (cached) return cached;
    const chunks: SplitChunk[] = [];
    for (let start = 0; start < this.#dataset[name].count; start += chunkSize)
      chunks.push(this.uploadChunk(name, start, chunkSize));
    this.#chunks.set(key, chunks);
    return chunks;
  }

  /**
   * The items `start`, `start + 1`, … of the split (at most `chunkSize`) uploaded as device
   * tensors that the caller disposes: the same values as the chunk of {@link chunks} from `start`.
   */
  uploadChunk(name: 'train' | 'validation' | 'test', start: number, chunkSize = 1000): SplitChunk {
    if (this.#disposed) throw new Error('DatasetTensors: used after dispose()');
    const split = this.#dataset[name];
    const features = this.features(name);
    const size = Math.min(chunkSize, split.count - start);
    return {
      inputs: tf.tensor2d(features.subarray(start * this.#inputSize, (start + size) * this.#inputSize), [
        size,
        this.#inputSize,
      ]),
      targets: tf.tensor2d(this.#oneHot(split.labels, undefined, start, size), [
        size,
        this.#dataset.classCount,
      ]),
      size,
    };
  }

  /**
   * The batches of training epoch `epoch`: the same items, order, sizes and values as
   * `createBatcher(dataset, { batchSize, seed }).batches(epoch)` (one-hot targets).
   */
  *epochBatches(epoch: number, batchSize: number, seed: number): Generator<EpochBatch, void, undefined> {
    if (this.#disposed) throw new Error('DatasetTensors: used after dispose()');
    const split = this.#dataset.train;
    const features = this.features('train');
    const order = createBatcher(this.#dataset, { batchSize, seed }).order(epoch);
    const width = this.#inputSize;
    let current: EpochBatch | undefined;
    try {
      for (let index = 0, start = 0; start < split.count; index += 1, start += batchSize) {
        if (current) tf.dispose([current.inputs, current.targets]);
        const size = Math.min(batchSize, split.count - start);
        const rows = new Float32Array(size * width);
        for (let position = 0; position < size; position += 1) {
          const item = order[start + position] ?? 0;
          rows.set(features.subarray(item * width, (item + 1) * width), position * width);
        }
        const targetValues = this.#oneHot(split.labels, order, start, size);
        current = {
          inputs: tf.tensor2d(rows, [size, width]),
          targets: tf.tensor2d(targetValues, [size, this.#dataset.classCount]),
          targetValues,
          index,
          size,
        };
        yield current;
      }
    } finally {
      if (current) tf.dispose([current.inputs, current.targets]);
    }
  }

  /** Frees every device tensor (the decoded features are left to the garbage collector). */
  dispose(): void {
    this.#disposed = true;
    for (const chunks of this.#chunks.values())
      for (const chunk of chunks) tf.dispose([chunk.inputs, chunk.targets]);
    this.#chunks.clear();
    this.#features.clear();
  }
}
