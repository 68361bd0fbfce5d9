import * as tf from '@tensorflow/tfjs-core';
import {
  assertFiniteValues,
  type LossOptions,
  type NoReduction,
  reduceValues,
  resolveLossOptions,
  type ScalarReduction,
} from './loss-options.js';

/**
 * Binary cross entropy computed from logits, stable for any finite logits: element-wise
 * ℓ = max(z, 0) − z·y + log(1 + exp(−|z|)), which equals −y·log σ(z) − (1 − y)·log(1 − σ(z)).
 * Reduced over all elements (`mean` by default, as PyTorch `BCEWithLogitsLoss`).
 *
 * @param logits float tensor of any shape.
 * @param labels targets in [0, 1], same shape as `logits`.
 * @param options `reduction` (`mean`; `none` keeps the element shape), `nonFinite` (`throw`).
 * @throws TypeError when shapes differ; NonFiniteLossError for NaN/infinite element losses.
 * @see TensorFlow `sigmoid_cross_entropy_with_logits`, PyTorch `BCEWithLogitsLoss`.
 */
export function binaryCrossEntropy(
  logits: tf.Tensor,
  labels: tf.Tensor,
  options?: ScalarReduction<LossOptions>,
): tf.Scalar;
export function binaryCrossEntropy(
  logits: tf.Tensor,
  labels: tf.Tensor,
  options: NoReduction<LossOptions>,
): tf.Tensor;
export function binaryCrossEntropy(logits: tf.Tensor, labels: tf.Tensor, options?: LossOptions): tf.Tensor;
export function binaryCrossEntropy(logits: tf.Tensor, labels: tf.Tensor, options?: LossOptions): tf.Tensor {
  const name = 'binaryCrossEntropy';
  const { reduction, nonFinite } = resolveLossOptions(name, options);
  if (logits.shape.join(',') !== labels.shape.join(',')) {
    throw new TypeError(
      `${name}: labels must have the shape of logits [${logits.shape.join(', ')}]; got [${labels.shape.join(', ')}]`,
    );
  }
  const elements = tf.tidy(() => {
    const targets = tf.cast(labels, 'float32');
    const positivePart = tf.relu(logits);
    const softplusOfNegativeAbs = tf.log1p(tf.exp(tf.neg(tf.abs(logits))));
    return tf.add(tf.sub(positivePart, tf.mul(logits, targets)), softplusOfNegativeAbs);
  });
  try {
    if (nonFinite === 'throw') assertFiniteValues(name, elements);
  } catch (error) {
    elements.dispose();
    throw error;
  }
  if (reduction === 'none') return elements;
  const reduced = reduceValues(elements, reduction);
  elements.dispose();
  return reduced;
}
