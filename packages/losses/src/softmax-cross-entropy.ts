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

/**
 * Softmax cross entropy computed from logits, stable for any finite logits (±1000 included):
 * per example ℓ = Σ_k y_k·(LSE(z) − z_k), with LSE(z) = m + log Σ_j exp(z_j − m), m = max_j z_j
 * (log-sum-exp), so no exp ever overflows. For one-hot y this is −log softmax(z)_label.
 *
 * @param logits float tensor [batch, classes] (unnormalised scores), or [models, batch, classes]
 *   for several models' logits on the same batch (stacked models of a vectorised sweep).
 * @param labels class indices [batch] (integers in [0, classes)) or one-hot / probabilities [batch, classes].
 * @param options `reduction` (`mean` default, `sum`, `none` → [batch], or [models, batch]: reduce
 *   that per model yourself); `nonFinite` (`throw` default).
 * @returns a scalar (or [batch] for `none`), differentiable with respect to the logits.
 * @throws TypeError for shape mismatches or out-of-range class indices; NonFiniteLossError when a
 *   per-example loss is NaN or infinite (e.g. NaN logits) and `nonFinite` is `throw`.
 * @see PyTorch `torch.nn.CrossEntropyLoss`, TensorFlow `softmax_cross_entropy_with_logits`.
 */
export function softmaxCrossEntropy(
  logits: tf.Tensor,
  labels: tf.Tensor,
  options?: ScalarReduction<LossOptions>,
): tf.Scalar;
export function softmaxCrossEntropy(
  logits: tf.Tensor,
  labels: tf.Tensor,
  options: NoReduction<LossOptions>,
): tf.Tensor;
export function softmaxCrossEntropy(logits: tf.Tensor, labels: tf.Tensor, options?: LossOptions): tf.Tensor;
export function softmaxCrossEntropy(logits: tf.Tensor, labels: tf.Tensor, options?: LossOptions): tf.Tensor {
  const name = 'softmaxCrossEntropy';
  const { reduction, nonFinite } = resolveLossOptions(name, options);
  // Stacked models' logits [models, batch, classes] share the batch's targets (broadcast).
  const { batchSize, classes } = logitsShape(name, logits, true);
  const targets = toTargets(name, labels, batchSize, classes);
  const classAxis = logits.rank - 1;
  const perExample = tf.tidy(() => {
    const logSumExp = tf.logSumExp(logits, classAxis, true);
    return tf.sum(tf.mul(targets, tf.sub(logSumExp, logits)), classAxis);
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
