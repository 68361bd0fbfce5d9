import * as tf from '@tensorflow/tfjs-core';
import { assertFiniteValues, logitsShape, type NonFinitePolicy } from './loss-options.js';

/** Options of classificationError and accuracy. */
export interface MetricOptions {
  /** `mean` (the default) gives a fraction in [0, 1]; `sum` gives a count of examples. */
  readonly reduction?: 'mean' | 'sum';
  /** `throw` (the default): NonFiniteLossError when a logit is NaN or infinite. */
  readonly nonFinite?: NonFinitePolicy;
}

/** Labels as class indices, from indices [batch] or one-hot [batch, classes] (argmax). */
function labelIndices(
  name: string,
  labels: tf.Tensor,
  batchSize: number,
  classes: number,
): ArrayLike<number> {
  if (labels.rank === 1 && labels.shape[0] === batchSize) return labels.dataSync();
  if (labels.rank === 2 && labels.shape[0] === batchSize && labels.shape[1] === classes) {
    const indices = tf.argMax(labels, 1);
    const data = indices.dataSync();
    indices.dispose();
    return data;
  }
  throw new TypeError(
    `${name}: labels must be class indices of shape [${batchSize}] or one-hot of shape [${batchSize}, ${classes}]; got shape [${labels.shape.join(', ')}]`,
  );
}

/** Counts examples whose predicted class (argmax of the logits, first on ties) equals the label. */
export function countCorrect(
  name: string,
  logits: tf.Tensor,
  labels: tf.Tensor,
  options?: MetricOptions,
): number {
  const { batchSize, classes } = logitsShape(name, logits);
  const reduction = options?.reduction ?? 'mean';
  if (reduction !== 'mean' && reduction !== 'sum') {
    throw new TypeError(`${name}: "reduction" must be one of mean, sum; got ${String(reduction)}`);
  }
  if ((options?.nonFinite ?? 'throw') === 'throw') assertFiniteValues(name, logits);
  const truth = labelIndices(name, labels, batchSize, classes);
  const predicted = tf.argMax(logits, 1);
  const predictedData = predicted.dataSync();
  predicted.dispose();
  let correct = 0;
  for (let index = 0; index < batchSize; index += 1) {
    if (predictedData[index] === truth[index]) correct += 1;
  }
  return correct;
}

/**
 * Classification error: the fraction of examples whose predicted class argmax_k z_k differs from
 * the label (`reduction: 'sum'` gives the count). A metric, not differentiable; returns a number.
 *
 * @param logits [batch, classes] (logits or probabilities: argmax is the same).
 * @param labels class indices [batch] or one-hot [batch, classes].
 * @throws TypeError for shape mismatches or an empty batch; NonFiniteLossError when a logit is not finite.
 */
export function classificationError(logits: tf.Tensor, labels: tf.Tensor, options?: MetricOptions): number {
  const name = 'classificationError';
  const batchSize = logitsShape(name, logits).batchSize;
  if (batchSize === 0) throw new TypeError(`${name}: the batch is empty`);
  const wrong = batchSize - countCorrect(name, logits, labels, options);
  return (options?.reduction ?? 'mean') === 'sum' ? wrong : wrong / batchSize;
}
