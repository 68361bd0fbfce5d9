import * as tf from '@tensorflow/tfjs-core';
import { type CreateOptimizerOptions, createOptimizerFromJson } from '../create-optimizer.js';

/**
 * Runs an optimizer from `initial` with the gradients `gradientAt(step, parameter)` (float64 in,
 * float32 on the tensors) and returns the parameter after every step (float32 values as numbers).
 */
export function runOptimizer(
  spec: unknown,
  initial: readonly number[],
  gradientAt: (step: number, parameter: readonly number[]) => readonly number[],
  steps: number,
  options?: CreateOptimizerOptions,
): number[][] {
  const optimizer = createOptimizerFromJson(spec, options);
  const variable = tf.variable(tf.tensor1d(initial as number[]));
  const trajectory: number[][] = [];
  for (let step = 0; step < steps; step += 1) {
    const current = Array.from(variable.dataSync());
    const gradient = tf.tensor1d(gradientAt(step, current) as number[]);
    optimizer.applyGradients({ parameter: gradient }, { parameter: variable });
    gradient.dispose();
    trajectory.push(Array.from(variable.dataSync()));
  }
  optimizer.dispose();
  variable.dispose();
  return trajectory;
}
