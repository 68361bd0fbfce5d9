import { meanSquaredError, softmaxCrossEntropy } from '@contour/losses';
import type { SplitMetrics } from '@contour/metrics-logger';
import type { PreparedDataset } from '@contour/mnist-loader';
import * as tf from '@tensorflow/tfjs-core';
import type { TrainableModel } from '../model/trainable-model.js';
import { DatasetTensors, type SplitChunk } from './dataset-tensors.js';
import { evaluateSplit, type LossName } from './evaluate.js';

/** Largest split (float32 feature bytes) evaluated by {@link CachedEvaluator} rather than `evaluateSplit`. */
export const maximumCachedSplitBytes = 256 * 2 ** 20;

/**
 * Largest split (float32 feature bytes) whose evaluation chunks stay on the device between epochs;
 * a larger one is uploaded again chunk by chunk at each evaluation, each chunk freed once its sums
 * are taken. On wasm the device is the module's heap, which never shrinks: the embedded sample's
 * training split (6,796 images, 21 MB) kept there stayed resident until the process ended, beside
 * the decoded copy in JavaScript. Uploading it again costs a copy per epoch (a few ms), against
 * tens of ms for the chunks' forward passes.
 */
export const maximumDeviceResidentSplitBytes = 8 * 2 ** 20;

/**
 * Per-epoch evaluation for a training run: the same numbers as {@link evaluateSplit} (the same
 * chunks of 1000 items, the same loss functions, sums added in the same order), but each split's
 * chunks are uploaded once per run and reused every epoch, and a split's metrics are read back
 * in one go instead of once per chunk. Splits larger than {@link maximumDeviceResidentSplitBytes}
 * are uploaded again at each evaluation (see there); splits larger than
 * {@link maximumCachedSplitBytes} are evaluated by `evaluateSplit` as before.
 */
export class CachedEvaluator {
  readonly #dataset: PreparedDataset;
  readonly #tensors: DatasetTensors;
  readonly #inputSize: number;
  // A chunk's class indices by split, chunk index and model count (see #labels).
  readonly #chunkLabels = new Map<string, tf.Tensor>();

  constructor(dataset: PreparedDataset, tensors: DatasetTensors = new DatasetTensors(dataset)) {
    this.#dataset = dataset;
    this.#tensors = tensors;
    this.#inputSize = dataset.featureShape.reduce((product, size) => product * size, 1);
  }

  /** Metrics of a split with the model in evaluation mode (undefined for an empty split). */
  evaluate(
    model: TrainableModel,
    split: 'train' | 'validation' | 'test',
    loss: LossName,
  ): SplitMetrics | undefined {
    const count = this.#dataset[split].count;
    if (count === 0) return undefined;
    if (count * this.#inputSize * 4 > maximumCachedSplitBytes)
      return evaluateSplit(model, this.#dataset, split, loss);
    return this.#metrics((inputs) => model.forward(inputs), split, loss, 1)[0];
  }

  /**
   * Cross entropy and classification error of a split for each of K stacked models (a forward
   * pass giving logits [K, batch, classes]): for each model the same numbers as {@link evaluate}
   * gives for it alone. Empty split: undefined.
   */
  evaluateStacked(
    forward: (inputs: tf.Tensor) => tf.Tensor,
    count: number,
    split: 'train' | 'validation' | 'test',
  ): SplitMetrics[] | undefined {
    if (this.#dataset[split].count === 0) return undefined;
    return this.#metrics(forward, split, 'cross-entropy', count);
  }

  /** Chunk sums on the device (one read-back), added per model in chunk order. */
  #metrics(
    forward: (inputs: tf.Tensor) => tf.Tensor,
    split: 'train' | 'validation' | 'test',
    loss: LossName,
    models: number,
  ): SplitMetrics[] {
    const count = this.#dataset[split].count;
    const chunkSize = 1000;
    const resident = count * this.#inputSize * 4 <= maximumDeviceResidentSplitBytes;
    const chunkCount = Math.ceil(count / chunkSize);
    const residentChunks = resident ? this.#tensors.chunks(split, chunkSize) : undefined;
    const chunkSums = (chunk: SplitChunk, index: number) =>
      tf.tidy(() => {
        // Logits [batch, classes], or [K, batch, classes] for stacked models.
        const logits = forward(chunk.inputs);
        const classAxis = logits.rank - 1;
        const crossEntropy = tf.sum(
          softmaxCrossEntropy(logits, chunk.targets, { reduction: 'none', nonFinite: 'ignore' }),
          -1,
        );
        const squared =
          loss === 'mse'
            ? meanSquaredError(logits, chunk.targets, { reduction: 'sum', nonFinite: 'ignore' })
            : tf.zerosLike(crossEntropy);
        const wrong = tf.sum(
          tf.cast(
            tf.notEqual(tf.argMax(logits, classAxis), this.#labels(chunk, `${split}/${index}`, logits.shape)),
            'float32',
          ),
          -1,
        );
        return tf.stack([crossEntropy, squared, wrong]);
      });
    const perChunk: tf.Tensor[] = [];
    let sums: tf.Tensor;
    try {
      for (let index = 0; index < chunkCount; index += 1) {
        const kept = residentChunks?.[index];
        if (kept !== undefined) perChunk.push(chunkSums(kept, index));
        else {
          const uploaded = this.#tensors.uploadChunk(split, index * chunkSize, chunkSize);
          try {
            perChunk.push(chunkSums(uploaded, index));
          } finally {
            tf.dispose([uploaded.inputs, uploaded.targets]);
          }
        }
      }
      sums = tf.stack(perChunk);
    } finally {
      tf.dispose(perChunk);
    }
    const values = sums.dataSync();
    sums.dispose();
    return Array.from({ length: models }, (_, model) => {
      let crossEntropySum = 0;
      let squaredErrorSum = 0;
      let wrong = 0;
      for (let chunk = 0; chunk < chunkCount; chunk += 1) {
        const base = chunk * 3 * models + model;
        crossEntropySum += values[base] ?? Number.NaN;
        squaredErrorSum += values[base + models] ?? Number.NaN;
        wrong += values[base + 2 * models] ?? Number.NaN;
      }
      const metrics: { crossEntropy: number; classificationError: number; loss?: number } = {
        crossEntropy: crossEntropySum / count,
        classificationError: wrong / count,
      };
      if (loss === 'mse') metrics.loss = squaredErrorSum / count;
      return metrics;
    });
  }

  /**
   * The chunk's class indices shaped like the argMax of `logitsShape` ([batch], or [K, batch] for
   * stacked models: repeated per model, once per run — the wasm backend's broadcasting NotEqual
   * costs more than the whole forward pass of a chunk).
   */
  #labels(chunk: SplitChunk, key: string, logitsShape: readonly number[]): tf.Tensor {
    const models = logitsShape.length === 3 ? (logitsShape[0] as number) : 1;
    const modelsKey = `${key}/${models}/${logitsShape.length}`;
    let labels = this.#chunkLabels.get(modelsKey);
    if (labels === undefined) {
      labels = tf.keep(
        tf.tidy(() => {
          const indices = tf.argMax(chunk.targets, 1);
          return models === 1 && logitsShape.length < 3
            ? indices
            : tf.tile(tf.expandDims(indices, 0), [models, 1]);
        }),
      );
      this.#chunkLabels.set(modelsKey, labels);
    }
    return labels;
  }

  /** Frees the cached chunks. */
  dispose(): void {
    tf.dispose([...this.#chunkLabels.values()]);
    this.#chunkLabels.clear();
    this.#tensors.dispose();
  }
}
