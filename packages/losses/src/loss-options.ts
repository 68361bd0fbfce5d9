import * as tf from '@tensorflow/tfjs-core';
import { NonFiniteLossError } from './non-finite-loss-error.js';

/**
 * How per-example values are combined: `mean` (the default) averages them, `sum` adds them,
 * `none` returns one value per example (per element for element-wise losses).
 */
export type Reduction = 'mean' | 'sum' | 'none';

/**
 * What to do with non-finite values: `throw` (the default) reads the per-example values back
 * (one small sync) and throws NonFiniteLossError if any is NaN or ±Infinity; `ignore` returns the
 * tensor as computed.
 */
export type NonFinitePolicy = 'throw' | 'ignore';

/** Options every loss accepts. */
export interface LossOptions {
  /** Default `mean`. */
  readonly reduction?: Reduction;
  /** Default `throw`. */
  readonly nonFinite?: NonFinitePolicy;
}

const reductions: readonly Reduction[] = ['mean', 'sum', 'none'];
const policies: readonly NonFinitePolicy[] = ['throw', 'ignore'];

/** Reads and validates the options; throws TypeError naming the bad field. */
export function resolveLossOptions(
  lossName: string,
  options: LossOptions | undefined,
): { reduction: Reduction; nonFinite: NonFinitePolicy } {
  const reduction = options?.reduction ?? 'mean';
  const nonFinite = options?.nonFinite ?? 'throw';
  if (!reductions.includes(reduction)) {
    throw new TypeError(
      `${lossName}: "reduction" must be one of ${reductions.join(', ')}; got ${String(reduction)}`,
    );
  }
  if (!policies.includes(nonFinite)) {
    throw new TypeError(
      `${lossName}: "nonFinite" must be one of ${policies.join(', ')}; got ${String(nonFinite)}`,
    );
  }
  return { reduction, nonFinite };
}

/**
 * Throws NonFiniteLossError when any value of `values` is not finite. Costs one read of the
 * tensor's data.
 */
export function assertFiniteValues(lossName: string, values: tf.Tensor): void {
  const data = values.dataSync();
  const indices: number[] = [];
  let count = 0;
  for (let index = 0; index < data.length; index += 1) {
    if (!Number.isFinite(data[index])) {
      count += 1;
      if (indices.length < 20) indices.push(index);
    }
  }
  if (count > 0) throw new NonFiniteLossError(lossName, indices, count);
}

/** Options whose reduction gives one number (`mean`, the default, or `sum`): the loss is a `tf.Scalar`. */
export type ScalarReduction<Options extends LossOptions> = Options & { readonly reduction?: 'mean' | 'sum' };

/** Options that keep one value per example (`reduction: 'none'`): the loss is a tensor. */
export type NoReduction<Options extends LossOptions> = Options & { readonly reduction: 'none' };

/** Applies the reduction to per-example values (a float32 tensor). */
export function reduceValues(values: tf.Tensor, reduction: 'mean' | 'sum'): tf.Scalar {
  return reduction === 'sum' ? tf.sum(values) : tf.mean(values);
}

/**
 * Turns labels into float32 targets of shape [batch, classes]: a 1-D tensor of class indices
 * (integers in [0, classes)) becomes one-hot; a 2-D tensor (one-hot or class probabilities) is
 * used as is. Throws TypeError when the shapes do not match or an index is out of range.
 */
export function toTargets(
  lossName: string,
  labels: tf.Tensor,
  batchSize: number,
  classes: number,
): tf.Tensor2D {
  if (labels.rank === 1) {
    if (labels.shape[0] !== batchSize) {
      throw new TypeError(
        `${lossName}: labels must hold ${batchSize} class indices (one per row of logits); got shape [${labels.shape.join(', ')}]`,
      );
    }
    const data = labels.dataSync();
    for (let index = 0; index < data.length; index += 1) {
      const value = data[index] as number;
      if (!Number.isInteger(value) || value < 0 || value >= classes) {
        throw new TypeError(
          `${lossName}: labels[${index}] must be an integer class index in [0, ${classes - 1}]; got ${value}`,
        );
      }
    }
    return tf.tidy(() => tf.cast(tf.oneHot(tf.cast(labels, 'int32'), classes), 'float32') as tf.Tensor2D);
  }
  if (labels.rank === 2 && labels.shape[0] === batchSize && labels.shape[1] === classes) {
    return tf.cast(labels, 'float32') as tf.Tensor2D;
  }
  throw new TypeError(
    `${lossName}: labels must be class indices of shape [${batchSize}] or one-hot of shape [${batchSize}, ${classes}]; got shape [${labels.shape.join(', ')}]`,
  );
}

/**
 * Checks that logits are a 2-D tensor [batch, classes] (or, with `allowStacked`, also
 * [models, batch, classes]) and returns the batch and class sizes.
 */
export function logitsShape(
  lossName: string,
  logits: tf.Tensor,
  allowStacked = false,
): { batchSize: number; classes: number } {
  if (logits.rank !== 2 && !(allowStacked && logits.rank === 3)) {
    throw new TypeError(
      `${lossName}: logits must have shape [batch, classes]${allowStacked ? ' or [models, batch, classes]' : ''}; got shape [${logits.shape.join(', ')}]`,
    );
  }
  const rank = logits.rank;
  return { batchSize: logits.shape[rank - 2] as number, classes: logits.shape[rank - 1] as number };
}
