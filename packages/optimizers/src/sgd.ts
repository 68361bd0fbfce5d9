import * as tf from '@tensorflow/tfjs-core';
import { nonNegative, weightDecayField } from './common-fields.js';
import { OptimizerSpecError } from './optimizer-spec-error.js';
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
  type: 'sgd',
  description: 'p ← p − lr·b, b = μb + (1 − dampening)g (nesterov: g + μb); or v = μv − lr·g, p ← p + v',
  reference: 'PyTorch torch.optim.SGD; Keras SGD for momentumForm "sutskever"',
  fields: {
    momentum: nonNegative('momentum factor μ', 0),
    dampening: nonNegative('dampening of the gradient in the momentum buffer', 0),
    nesterov: { kind: 'boolean', description: 'Nesterov momentum', default: false },
    weightDecay: weightDecayField(0, 'L2: added to the gradient as λp'),
    momentumForm: {
      kind: 'choice',
      description: 'pytorch: b = μb + g, p −= lr·b; sutskever: v = μv − lr·g, p += v',
      choices: ['pytorch', 'sutskever'],
      default: 'pytorch',
    },
  },
  weightDecay: 'coupled',
  cycledMomentumField: 'momentum',
  validate(hyperparameters) {
    const { momentum, dampening, nesterov, momentumForm } = hyperparameters;
    if (nesterov === true && ((momentum as number) <= 0 || dampening !== 0)) {
      throw new OptimizerSpecError(
        'nesterov',
        'false unless momentum > 0 and dampening = 0',
        nesterov,
        'sgd',
      );
    }
    if (momentumForm === 'sutskever' && dampening !== 0) {
      throw new OptimizerSpecError('dampening', '0 with momentumForm "sutskever"', dampening, 'sgd');
    }
  },
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
