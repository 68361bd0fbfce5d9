import * as tf from '@tensorflow/tfjs-core';
import { clamp, fillLike } from './coefficients.js';
import { rpropSpec } from './rprop-spec.js';
import type { UpdateRule } from './update-rule.js';

/**
 * `rprop` (resilient backpropagation), equal to PyTorch `torch.optim.Rprop`: per element, with
 * s = g·g_prev: step ← clamp(step·η₊, stepMin, stepMax) if s > 0, clamp(step·η₋, …) if s < 0,
 * clamp(step, …) if s = 0; where s < 0 the gradient is treated as 0 (no move) and stored as 0;
 * p ← p − sign(g)·step; g_prev ← g. Steps start at lr (the rate at the parameter's first step,
 * times lrMult): as in PyTorch, a scheduled rate after that has no effect.
 *
 * Fields (defaults): lr (0.01), etaMinus (0.5), etaPlus (1.2), stepMin (1e-6), stepMax (50);
 * 0 < etaMinus < 1 < etaPlus and stepMin ≤ stepMax. Reference: Riedmiller & Braun 1993.
 */
export const rpropRule: UpdateRule = {
  ...rpropSpec,
  initSlots({ parameter, coefficient }) {
    return {
      previousGradient: tf.zerosLike(parameter),
      stepSize: fillLike(
        parameter,
        coefficient((values) => values.learningRate),
      ),
    };
  },
  update({ parameter, gradient, slots, coefficient }) {
    const etaPlus = coefficient((values) => values.hyperparameters.etaPlus as number);
    const etaMinus = coefficient((values) => values.hyperparameters.etaMinus as number);
    const agreement = tf.sign(tf.mul(gradient, slots.previousGradient as tf.Tensor));
    const ones = tf.onesLike(agreement);
    const factor = tf.where(
      tf.greater(agreement, 0),
      tf.mul(ones, etaPlus),
      tf.where(tf.less(agreement, 0), tf.mul(ones, etaMinus), ones),
    );
    const stepSize = clamp(
      tf.mul(slots.stepSize as tf.Tensor, factor),
      coefficient((values) => values.hyperparameters.stepMin as number),
      coefficient((values) => values.hyperparameters.stepMax as number),
    );
    const effectiveGradient = tf.where(tf.less(agreement, 0), tf.zerosLike(gradient), gradient);
    return {
      parameter: tf.sub(parameter, tf.mul(tf.sign(effectiveGradient), stepSize)),
      slots: { previousGradient: effectiveGradient, stepSize },
    };
  },
};
