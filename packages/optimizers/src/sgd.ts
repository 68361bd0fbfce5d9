import * as tf from '@tensorflow/tfjs-core';
import { sgdSpec } from './sgd-spec.js';
import type { UpdateRule } from './update-rule.js';

/**
 * `sgd`: stochastic gradient descent with optional momentum, dampening and Nesterov, equal to
 * PyTorch `torch.optim.SGD`. With g ← g + λp (weightDecay λ):
 * - `momentumForm: "pytorch"` (default): b₁ = g, b_t = μ·b_{t−1} + (1 − dampening)·g;
 *   nesterov: d = g + μ·b_t, else d = b_t; p ← p − lr·d (without momentum: p ← p − lr·g).
 * - `momentumForm: "sutskever"` (Keras, Caffe, Sutskever et al. 2013): v ← μ·v − lr·g;
 *   nesterov: p ← p + μ·v − lr·g, else p ← p + v. Equal to the PyTorch form for a constant rate,
 *   different once the rate is scheduled (the velocity keeps the old rates). Needs dampening 0.
 *
 * Fields (defaults): lr (required), momentum (0), dampening (0), nesterov (false), weightDecay (0),
 * momentumForm ("pytorch"). Nesterov needs momentum > 0 and dampening 0 (as in PyTorch). A cycling
 * schedule (cyclic, oneCycle) replaces `momentum` at every step.
 */
export const sgdRule: UpdateRule = {
  ...sgdSpec,
  initSlots({ parameter, hyperparameters, momentumIsCycled }) {
    if ((hyperparameters.momentum as number) === 0 && !momentumIsCycled) return {};
    const name = hyperparameters.momentumForm === 'sutskever' ? 'velocity' : 'momentumBuffer';
    return { [name]: tf.zerosLike(parameter) };
  },
  update({ parameter, gradient, slots, hyperparameters, step, coefficient }) {
    const nesterov = hyperparameters.nesterov === true;
    const learningRate = coefficient((values) => values.learningRate);
    const velocity = slots.velocity;
    if (velocity !== undefined) {
      const momentum = coefficient((values) => values.hyperparameters.momentum as number);
      const newVelocity = tf.sub(tf.mul(velocity, momentum), tf.mul(gradient, learningRate));
      const change = nesterov
        ? tf.sub(tf.mul(newVelocity, momentum), tf.mul(gradient, learningRate))
        : newVelocity;
      return { parameter: tf.add(parameter, change), slots: { velocity: newVelocity } };
    }
    const buffer = slots.momentumBuffer;
    if (buffer === undefined) {
      return { parameter: tf.sub(parameter, tf.mul(gradient, learningRate)), slots: {} };
    }
    const momentum = coefficient((values) => values.hyperparameters.momentum as number);
    const newBuffer =
      step === 1
        ? tf.clone(gradient)
        : tf.add(
            tf.mul(buffer, momentum),
            tf.mul(
              gradient,
              coefficient((values) => 1 - (values.hyperparameters.dampening as number)),
            ),
          );
    const direction = nesterov ? tf.add(gradient, tf.mul(newBuffer, momentum)) : newBuffer;
    return {
      parameter: tf.sub(parameter, tf.mul(direction, learningRate)),
      slots: { momentumBuffer: newBuffer },
    };
  },
};
