import type * as tf from '@tensorflow/tfjs-core';
import { countCorrect, type MetricOptions } from './classification-error.js';
import { logitsShape } from './loss-options.js';

/**
 * Accuracy: the fraction of examples whose predicted class argmax_k z_k equals the label
 * (`reduction: 'sum'` gives the count); 1 − classificationError. Returns a number.
 *
 * @throws TypeError for shape mismatches or an empty batch; NonFiniteLossError when a logit is not finite.
 */
export function accuracy(logits: tf.Tensor, labels: tf.Tensor, options?: MetricOptions): number {
  const name = 'accuracy';
  const batchSize = logitsShape(name, logits).batchSize;
  if (batchSize === 0) throw new TypeError(`${name}: the batch is empty`);
  const correct = countCorrect(name, logits, labels, options);
  return (options?.reduction ?? 'mean') === 'sum' ? correct : correct / batchSize;
}
