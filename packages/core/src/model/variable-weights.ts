import * as tf from '@tensorflow/tfjs-core';
import type { WeightValues } from './trainable-model.js';

/**
 * Copies of the values of `variables` under `names` (a `TrainableModel`'s `getWeights`): dataSync
 * may return the backend's own buffer, so each is copied once and callers own their arrays.
 */
export function readVariables(
  variables: Readonly<Record<string, tf.Variable>>,
  names: readonly string[],
): Record<string, Float32Array> {
  return Object.fromEntries(
    names.map((name) => [name, Float32Array.from((variables[name] as tf.Variable).dataSync())]),
  );
}

/**
 * Overwrites `variables` from values by name (a `TrainableModel`'s `setWeights`; names not given
 * are left as they are).
 *
 * @throws Error naming the parameter for an unknown name or a wrong number of values.
 */
export function writeVariables(
  variables: Readonly<Record<string, tf.Variable>>,
  names: readonly string[],
  weights: WeightValues,
): void {
  for (const [name, values] of Object.entries(weights)) {
    const variable = variables[name];
    if (!variable) throw new Error(`model has no parameter "${name}" (it has ${names.join(', ')})`);
    if (values.length !== variable.size)
      throw new Error(
        `weights for "${name}" hold ${values.length} values; the parameter has ${variable.size}`,
      );
    const next = tf.tensor(values, variable.shape, 'float32');
    variable.assign(next);
    next.dispose();
  }
}
