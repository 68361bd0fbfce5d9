import * as tf from '@tensorflow/tfjs-core';
import { adagradSpec } from './adagrad-spec.js';
import { fillLike } from './coefficients.js';
import type { UpdateRule } from './update-rule.js';

/**
 * `adagrad`, equal to PyTorch `torch.optim.Adagrad`: with g ← g + λp,
 * s ← s + g², p ← p − lr̃·g/(√s + ε), lr̃ = lr/(1 + (t − 1)·lrDecay), s₀ = initialAccumulatorValue.
 *
 * Fields (defaults): lr (0.01), lrDecay (0), weightDecay (0), initialAccumulatorValue (0),
 * epsilon (1e-10). Reference: Duchi, Hazan & Singer 2011.
 */
export const adagradRule: UpdateRule = {
  ...adagradSpec,
  initSlots({ parameter, coefficient }) {
    return {
      sum: fillLike(
        parameter,
        coefficient((values) => values.hyperparameters.initialAccumulatorValue as number),
      ),
    };
  },
  update({ parameter, gradient, slots, coefficient }) {
    const decayedRate = coefficient(
      (values) => values.learningRate / (1 + (values.step - 1) * (values.hyperparameters.lrDecay as number)),
    );
    const sum = tf.add(slots.sum as tf.Tensor, tf.square(gradient));
    const denominator = tf.add(
      tf.sqrt(sum),
      coefficient((values) => values.hyperparameters.epsilon as number),
    );
    return {
      parameter: tf.sub(parameter, tf.mul(tf.div(gradient, denominator), decayedRate)),
      slots: { sum },
    };
  },
};
