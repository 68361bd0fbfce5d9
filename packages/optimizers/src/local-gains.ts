import * as tf from '@tensorflow/tfjs-core';
import { clamp } from './coefficients.js';
import { localGainsSpec } from './local-gains-spec.js';
import type { UpdateRule } from './update-rule.js';

/**
 * `localGains`: per-weight adaptive gains (Jacobs 1988, "delta-bar-delta"; Hinton, Neural Networks
 * for Machine Learning, lecture 6d). Each weight has a gain (starting at 1) and a direction buffer
 * b (starting at 0): with a = g·b_prev per element,
 * gain ← gain + increase if a > 0 (the gradient keeps its sign), gain·decrease if a < 0 (it flips),
 * unchanged if a = 0 (e.g. the first step); gain ← clamp(gain, minGain, maxGain);
 * b ← μ·b + gain·g; p ← p − lr·b. With momentum μ = 0, b is gain·g, so the test compares the
 * gradient's sign with the previous gradient's; with momentum it compares it with the velocity's
 * (the lecture's advice). Use full or large batches.
 *
 * Fields (defaults): lr (required), increase (0.05), decrease (0.95, in (0, 1]), minGain (0.1),
 * maxGain (10), momentum (0; a cycling schedule replaces it at every step).
 */
export const localGainsRule: UpdateRule = {
  ...localGainsSpec,
  initSlots({ parameter }) {
    return { gain: tf.onesLike(parameter), direction: tf.zerosLike(parameter) };
  },
  update({ parameter, gradient, slots, coefficient }) {
    const number = (name: string) => coefficient((values) => values.hyperparameters[name] as number);
    const gain = slots.gain as tf.Tensor;
    const agreement = tf.mul(gradient, slots.direction as tf.Tensor);
    const raised = tf.add(gain, number('increase'));
    const lowered = tf.mul(gain, number('decrease'));
    const newGain = clamp(
      tf.where(tf.greater(agreement, 0), raised, tf.where(tf.less(agreement, 0), lowered, gain)),
      number('minGain'),
      number('maxGain'),
    );
    const direction = tf.add(
      tf.mul(slots.direction as tf.Tensor, number('momentum')),
      tf.mul(newGain, gradient),
    );
    return {
      parameter: tf.sub(
        parameter,
        tf.mul(
          direction,
          coefficient((values) => values.learningRate),
        ),
      ),
      slots: { gain: newGain, direction },
    };
  },
};
