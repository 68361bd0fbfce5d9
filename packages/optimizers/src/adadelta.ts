import * as tf from '@tensorflow/tfjs-core';
import { adadeltaSpec } from './adadelta-spec.js';
import type { UpdateRule } from './update-rule.js';

/**
 * `adadelta`, equal to PyTorch `torch.optim.Adadelta`: with g ← g + λp,
 * v ← ρv + (1 − ρ)g², Δ = √(u + ε)/√(v + ε)·g, u ← ρu + (1 − ρ)Δ², p ← p − lr·Δ.
 *
 * Fields (defaults): lr (1), rho (0.9), epsilon (1e-6), weightDecay (0). Reference: Zeiler 2012.
 */
export const adadeltaRule: UpdateRule = {
  ...adadeltaSpec,
  initSlots({ parameter }) {
    return { squareAverage: tf.zerosLike(parameter), accumulatedDelta: tf.zerosLike(parameter) };
  },
  update({ parameter, gradient, slots, coefficient }) {
    const rho = coefficient((values) => values.hyperparameters.rho as number);
    const oneMinusRho = coefficient((values) => 1 - (values.hyperparameters.rho as number));
    const epsilon = coefficient((values) => values.hyperparameters.epsilon as number);
    const learningRate = coefficient((values) => values.learningRate);
    const squareAverage = tf.add(
      tf.mul(slots.squareAverage as tf.Tensor, rho),
      tf.mul(tf.square(gradient), oneMinusRho),
    );
    const standardDeviation = tf.sqrt(tf.add(squareAverage, epsilon));
    const delta = tf.mul(
      tf.div(tf.sqrt(tf.add(slots.accumulatedDelta as tf.Tensor, epsilon)), standardDeviation),
      gradient,
    );
    const accumulatedDelta = tf.add(
      tf.mul(slots.accumulatedDelta as tf.Tensor, rho),
      tf.mul(tf.square(delta), oneMinusRho),
    );
    return {
      parameter: tf.sub(parameter, tf.mul(delta, learningRate)),
      slots: { squareAverage, accumulatedDelta },
    };
  },
};
