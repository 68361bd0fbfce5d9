import { classificationError, meanSquaredError, softmaxCrossEntropy } from '@contour/losses';
import type { SplitMetrics } from '@contour/metrics-logger';
import { createBatcher, type PreparedDataset } from '@contour/mnist-loader';
import * as tf from '@tensorflow/tfjs-core';
import type { TrainableModel } from '../model/trainable-model.js';
import type { LossName } from './training-config.js';

export type { LossName } from './training-config.js';

/**
 * Metrics of a split with the model in evaluation mode (no dropout), in chunks of `batchSize`:
 * mean softmax cross entropy, classification error, and the objective itself when it is MSE.
 * Non-finite values are reported as NaN/Infinity, never averaged away.
 */
export function evaluateSplit(
  model: TrainableModel,
  dataset: PreparedDataset,
  split: 'train' | 'validation' | 'test',
  loss: LossName,
  batchSize = 1000,
): SplitMetrics | undefined {
  const count = dataset[split].count;
  if (count === 0) return undefined;
  const batcher = createBatcher(dataset, { split, batchSize, shuffle: false });
  let crossEntropySum = 0;
  let squaredErrorSum = 0;
  let wrong = 0;
  for (const batch of batcher.batches(0)) {
    const sums = tf.tidy(() => {
      const logits = model.forward(batch.inputs);
      const crossEntropy = softmaxCrossEntropy(logits, batch.targets, {
        reduction: 'sum',
        nonFinite: 'ignore',
      });
      const squared =
        loss === 'mse'
          ? meanSquaredError(logits, batch.targets, { reduction: 'sum', nonFinite: 'ignore' })
          : tf.scalar(0);
      return { values: tf.stack([crossEntropy, squared]), logits: tf.keep(logits) };
    });
    const [crossEntropy = Number.NaN, squared = Number.NaN] = sums.values.dataSync();
    crossEntropySum += crossEntropy;
    squaredErrorSum += squared;
    wrong += classificationError(sums.logits, batch.targets, { reduction: 'sum', nonFinite: 'ignore' });
    sums.values.dispose();
    sums.logits.dispose();
  }
  const metrics: { crossEntropy: number; classificationError: number; loss?: number } = {
    crossEntropy: crossEntropySum / count,
    classificationError: wrong / count,
  };
  if (loss === 'mse') metrics.loss = squaredErrorSum / count;
  return metrics;
}
