import { ContourOptimizer } from '@contour/optimizers';
import type * as tf from '@tensorflow/tfjs-core';

/** What every tfjs optimizer and Contour's `toTfOptimizer` adapter look like to these helpers. */
type AnyOptimizer = tf.Optimizer & {
  learningRate?: number;
  setLearningRate?: (learningRate: number) => void;
  optimizer?: unknown;
};

/**
 * The Contour optimizer behind a `toTfOptimizer` adapter, or undefined for a plain tfjs optimizer.
 * (tfjs' `Optimizer[Symbol.hasInstance]` makes `instanceof` between optimizer classes answer true
 * for any optimizer, so the adapter is recognised by what it holds.)
 */
export function contourOptimizerOf(optimizer: tf.Optimizer): ContourOptimizer | undefined {
  const inner = (optimizer as AnyOptimizer).optimizer;
  return inner instanceof ContourOptimizer ? inner : undefined;
}

/**
 * The learning rate the optimizer will use for its next step: the `learningRate` field of tfjs'
 * own optimizers, the scheduled rate of a Contour optimizer.
 *
 * @throws TypeError for an optimizer without a readable rate.
 */
export function getLearningRate(optimizer: tf.Optimizer): number {
  const contour = contourOptimizerOf(optimizer);
  if (contour) return contour.learningRate;
  const value = (optimizer as AnyOptimizer).learningRate;
  if (typeof value !== 'number')
    throw new TypeError(`optimizer "${optimizer.getClassName()}" has no numeric learningRate`);
  return value;
}

/**
 * Sets the rate so that the next step really uses it, keeping the optimizer's state (moments,
 * accumulators, iterations):
 * - `tf.train.sgd` and `tf.train.momentum` cache −rate in a tensor at construction; only their own
 *   `setLearningRate` replaces it (assigning `learningRate` alone is silently ignored);
 * - `adam`, `adamax`, `rmsprop`, `adagrad`, `adadelta` read their `learningRate` field every step;
 * - a Contour optimizer (`toTfOptimizer`) gets the number as its rate (`ContourOptimizer.setLearningRate`),
 *   replacing a schedule it was built with; parameter groups' `lrMult` still multiply it.
 *
 * @throws TypeError for a rate that is not a finite number ≥ 0, or an optimizer without a rate.
 */
export function setLearningRate(optimizer: tf.Optimizer, learningRate: number): void {
  if (typeof learningRate !== 'number' || !Number.isFinite(learningRate) || learningRate < 0)
    throw new TypeError(`learning rate must be a finite number ≥ 0; got ${String(learningRate)}`);
  const contour = contourOptimizerOf(optimizer);
  if (contour) {
    contour.setLearningRate(learningRate);
    return;
  }
  const target = optimizer as AnyOptimizer;
  if (typeof target.setLearningRate === 'function') {
    target.setLearningRate(learningRate);
    return;
  }
  if (typeof target.learningRate !== 'number')
    throw new TypeError(`optimizer "${optimizer.getClassName()}" has no numeric learningRate`);
  target.learningRate = learningRate;
}

/**
 * How `learningRateScheduler` and `reduceLROnPlateau` share one optimizer without fighting: the
 * plateau callback's reductions are kept as a factor (the product of its reductions) and a floor
 * (its `minLr`), and the scheduler sets `max(schedule(t) × factor, floor)` (the floor only once a
 * reduction happened). Kept per optimizer, outside both callbacks, so their order in `callbacks`
 * does not matter.
 */
export interface PlateauScaling {
  /** Product of the reductions so far (1 before any). */
  readonly factor: number;
  /** The plateau callback's `minLr` (0 before any reduction). */
  readonly floor: number;
}

const plateauScalings = new WeakMap<tf.Optimizer, PlateauScaling>();

/** The plateau scaling recorded for this optimizer (factor 1, floor 0 before any reduction). */
export function plateauScalingOf(optimizer: tf.Optimizer): PlateauScaling {
  return plateauScalings.get(optimizer) ?? { factor: 1, floor: 0 };
}

/** Records the plateau scaling of an optimizer (see {@link plateauScalingOf}). */
export function setPlateauScaling(optimizer: tf.Optimizer, scaling: PlateauScaling): void {
  plateauScalings.set(optimizer, scaling);
}

/** A schedule's value with the optimizer's plateau scaling applied. */
export function scaledByPlateau(optimizer: tf.Optimizer, value: number): number {
  const { factor, floor } = plateauScalingOf(optimizer);
  return factor === 1 ? value : Math.max(value * factor, floor);
}
