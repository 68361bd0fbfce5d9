import { meanSquaredError, softmaxCrossEntropy } from '@contour/losses';
import type { SplitMetrics } from '@contour/metrics-logger';
import type { PreparedDataset } from '@contour/mnist-loader';
import * as tf from '@tensorflow/tfjs-core';
import type { TrainableModel } from '../model/trainable-model.js';
import { DatasetTensors } from './dataset-tensors.js';
import { evaluateSplit, type LossName } from './evaluate.js';

/** Largest split (float32 feature bytes) whose evaluation chunks stay on the device between epochs. */
export const maximumCachedSplitBytes = 256 * 2 ** 20;

/**
 * Per-epoch evaluation for a training run: the same numbers as {@link evaluateSplit} (the same
 * chunks of 1000 items, the same loss functions, sums added in the same order), but each split's
 * chunks are uploaded once per run and reused every epoch, and a split's metrics are read back
 * in one go instead of once per chunk. Splits larger than {@link maximumCachedSplitBytes} are
 * evaluated by `evaluateSplit` as before.
 */
export class CachedEvaluator {
  readonly #dataset: PreparedDataset;
  readonly #tensors: DatasetTensors;
  readonly #inputSize: number;

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
    const chunks = this.#tensors.chunks(split, 1000);
    const sums = tf.tidy(() =>
      tf.stack(
        chunks.map((chunk) => {
          const logits = model.forward(chunk.inputs);
          const crossEntropy = softmaxCrossEntropy(logits, chunk.targets, {
            reduction: 'sum',
            nonFinite: 'ignore',
          });
          const squared =
            loss === 'mse'
              ? meanSquaredError(logits, chunk.targets, { reduction: 'sum', nonFinite: 'ignore' })
              : tf.scalar(0);
          const wrong = tf.sum(
            tf.cast(tf.notEqual(tf.argMax(logits, 1), tf.argMax(chunk.targets, 1)), 'float32'),
          );
          return tf.stack([crossEntropy, squared, wrong]);
        }),
      ),
    );
    const values = sums.dataSync();
    sums.dispose();
    let crossEntropySum = 0;
    let squaredErrorSum = 0;
    let wrong = 0;
    for (let chunk = 0; chunk < chunks.length; chunk += 1) {
      crossEntropySum += values[chunk * 3] ?? Number.NaN;
      squaredErrorSum += values[chunk * 3 + 1] ?? Number.NaN;
      wrong += values[chunk * 3 + 2] ?? Number.NaN;
    }
    const metrics: { crossEntropy: number; classificationError: number; loss?: number } = {
      crossEntropy: crossEntropySum / count,
      classificationError: wrong / count,
    };
    if (loss === 'mse') metrics.loss = squaredErrorSum / count;
    return metrics;
  }

  /** Frees the cached chunks. */
  dispose(): void {
    this.#tensors.dispose();
  }
}
