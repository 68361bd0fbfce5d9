import * as tf from '@tensorflow/tfjs-core';
import { rmspropSpec } from './rmsprop-spec.js';
import type { UpdateRule } from './update-rule.js';

/**
 * `rmsprop`, equal to PyTorch `torch.optim.RMSprop`: with g ← g + λp,
 * v ← αv + (1 − α)g²; centered: ḡ ← αḡ + (1 − α)g, v' = v − ḡ², else v' = v;
 * d = √v' + ε (epsilon outside the root, unlike TensorFlow);
 * momentum μ > 0: b ← μb + g/d, p ← p − lr·b; else p ← p − lr·g/d.
 *
 * Fields (defaults): lr (0.01), alpha (0.99), epsilon (1e-8), weightDecay (0), momentum (0),
 * centered (false). A cycling schedule replaces `momentum` at every step (as PyTorch's
 * CyclicLR/OneCycleLR do). Reference: Hinton, lecture 6e; Graves 2013 (centered).
 */
export const rmspropRule: UpdateRule = {
  ...rmspropSpec,
  initSlots({ parameter, hyperparameters, momentumIsCycled }) {
    const slots: Record<string, tf.Tensor> = { squareAverage: tf.zerosLike(parameter) };
    if ((hyperparameters.momentum as number) > 0 || momentumIsCycled)
      slots.momentumBuffer = tf.zerosLike(parameter);
    if (hyperparameters.centered === true) slots.gradientAverage = tf.zerosLike(parameter);
    return slots;
  },
  update({ parameter, gradient, slots, coefficient }) {
    const alpha = coefficient((values) => values.hyperparameters.alpha as number);
    const oneMinusAlpha = coefficient((values) => 1 - (values.hyperparameters.alpha as number));
    const epsilon = coefficient((values) => values.hyperparameters.epsilon as number);
    const learningRate = coefficient((values) => values.learningRate);
    const squareAverage = tf.add(
      tf.mul(slots.squareAverage as tf.Tensor, alpha),
      tf.mul(tf.square(gradient), oneMinusAlpha),
    );
    const newSlots: Record<string, tf.Tensor> = { squareAverage };
    let variance = squareAverage;
    if (slots.gradientAverage !== undefined) {
      const gradientAverage = tf.add(tf.mul(slots.gradientAverage, alpha), tf.mul(gradient, oneMinusAlpha));
      newSlots.gradientAverage = gradientAverage;
      variance = tf.sub(squareAverage, tf.square(gradientAverage));
    }
    const denominator = tf.add(tf.sqrt(variance), epsilon);
    if (slots.momentumBuffer !== undefined) {
      const momentum = coefficient((values) => values.hyperparameters.momentum as number);
      const buffer = tf.add(tf.mul(slots.momentumBuffer, momentum), tf.div(gradient, denominator));
      newSlots.momentumBuffer = buffer;
      return { parameter: tf.sub(parameter, tf.mul(buffer, learningRate)), slots: newSlots };
    }
    return {
      parameter: tf.sub(parameter, tf.mul(tf.div(gradient, denominator), learningRate)),
      slots: newSlots,
    };
  },
};
