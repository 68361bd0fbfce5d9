import * as tf from '@tensorflow/tfjs-core';
import {
  assertFiniteValues,
  type LossOptions,
  logitsShape,
  type NoReduction,
  reduceValues,
  resolveLossOptions,
  type ScalarReduction,
  toTargets,
} from './loss-options.js';

/** Options of meanSquaredError. */
export interface MeanSquaredErrorOptions extends LossOptions {
  /**
   * When true (the default) the first argument holds logits and is passed through softmax first,
   * so the loss compares class probabilities with one-hot targets; when false it is used as is.
   */
  readonly fromLogits?: boolean;
}

/**
 * Squared error between class probabilities and one-hot targets, the classic alternative to
 * cross entropy: per example ℓ = Σ_k (p_k − y_k)² with p = softmax(z) (or p = the input when
 * `fromLogits` is false), summed over classes and then reduced over examples (`mean` by default).
 * Note: Keras `meanSquaredError` averages over classes too, i.e. gives ℓ/K.
 *
 * @param predictions logits (default) or probabilities, [batch, classes].
 * @param labels class indices [batch] or one-hot / probabilities [batch, classes].
 * @param options `fromLogits` (true), `reduction` (`mean`), `nonFinite` (`throw`).
 * @throws TypeError for shape mismatches; NonFiniteLossError for NaN/infinite per-example values.
 * @see Nielsen, "Neural Networks and Deep Learning", ch. 3 (quadratic cost vs cross entropy).
 */
export function meanSquaredError(
  predictions: tf.Tensor,
  labels: tf.Tensor,
  options?: ScalarReduction<MeanSquaredErrorOptions>,
): tf.Scalar;
export function meanSquaredError(
  predictions: tf.Tensor,
  labels: tf.Tensor,
  options: NoReduction<MeanSquaredErrorOptions>,
): tf.Tensor;
export function meanSquaredError(
  predictions: tf.Tensor,
  labels: tf.Tensor,
  options?: MeanSquaredErrorOptions,
): tf.Tensor;
export function meanSquaredError(
  predictions: tf.Tensor,
  labels: tf.Tensor,
  options?: MeanSquaredErrorOptions,
): tf.Tensor {
  const name = 'meanSquaredError';
  const { reduction, nonFinite } = resolveLossOptions(name, options);
  const fromLogits = options?.fromLogits ?? true;
  if (typeof fromLogits !== 'boolean') {
    throw new TypeError(`${name}: "fromLogits" must be true or false; got ${String(fromLogits)}`);
  }
  const { batchSize, classes } = logitsShape(name, predictions);
  const targets = toTargets(name, labels, batchSize, classes);
  const perExample = tf.tidy(() => {
    const probabilities = fromLogits ? tf.softmax(predictions) : predictions;
    return tf.sum(tf.square(tf.sub(probabilities, targets)), 1);
  });
  targets.dispose();
  try {
    if (nonFinite === 'throw') assertFiniteValues(name, perExample);
  } catch (error) {
    perExample.dispose();
    throw error;
  }
  if (reduction === 'none') return perExample;
  const reduced = reduceValues(perExample, reduction);
  perExample.dispose();
  return reduced;
}
