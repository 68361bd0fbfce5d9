import * as tf from '@tensorflow/tfjs-core';
import type { Coefficient } from './update-rule.js';

/**
 * A tensor shaped like `parameter` holding the coefficient (each stacked model's value over its
 * slice). Equal to `tf.fill(parameter.shape, value)` for a number.
 */
export function fillLike(parameter: tf.Tensor, value: Coefficient): tf.Tensor {
  return typeof value === 'number'
    ? tf.fill(parameter.shape, value, 'float32')
    : tf.broadcastTo(value, parameter.shape);
}

/**
 * Clamps every element to [minimum, maximum]. With numbers this is `tf.clipByValue`; with
 * per-model tensors, `tf.minimum(tf.maximum(x, minimum), maximum)`, which gives the same float32
 * values (clipByValue compares with the unrounded bounds and writes the rounded ones; the nearest
 * float32 of a bound orders every float32 value the same way).
 */
export function clamp(values: tf.Tensor, minimum: Coefficient, maximum: Coefficient): tf.Tensor {
  if (typeof minimum === 'number' && typeof maximum === 'number')
    return tf.clipByValue(values, minimum, maximum);
  return tf.minimum(tf.maximum(values, minimum), maximum);
}
