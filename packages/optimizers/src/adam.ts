import * as tf from '@tensorflow/tfjs-core';
import { adamSpec, adamwSpec } from './adam-spec.js';
import type { StepValues, UpdateContext, UpdateResult, UpdateRule } from './update-rule.js';

/** The bias-corrected Adam step shared by adam and adamw, on an already decayed parameter. */
function adamStep(context: UpdateContext, parameter: tf.Tensor): UpdateResult {
  const { gradient, slots, coefficient } = context;
  const beta1Of = (values: StepValues) => values.hyperparameters.beta1 as number;
  const beta2Of = (values: StepValues) => values.hyperparameters.beta2 as number;
  const firstMoment = tf.add(
    tf.mul(slots.firstMoment as tf.Tensor, coefficient(beta1Of)),
    tf.mul(
      gradient,
      coefficient((values) => 1 - beta1Of(values)),
    ),
  );
  const secondMoment = tf.add(
    tf.mul(slots.secondMoment as tf.Tensor, coefficient(beta2Of)),
    tf.mul(
      tf.square(gradient),
      coefficient((values) => 1 - beta2Of(values)),
    ),
  );
  const newSlots: Record<string, tf.Tensor> = { firstMoment, secondMoment };
  let second = secondMoment;
  if (slots.maxSecondMoment !== undefined) {
    second = tf.maximum(slots.maxSecondMoment, secondMoment);
    newSlots.maxSecondMoment = second;
  }
  const biasCorrection2Root = coefficient((values) => Math.sqrt(1 - beta2Of(values) ** values.step));
  const stepSize = coefficient((values) => values.learningRate / (1 - beta1Of(values) ** values.step));
  const denominator = tf.add(
    tf.div(tf.sqrt(second), biasCorrection2Root),
    coefficient((values) => values.hyperparameters.epsilon as number),
  );
  return {
    parameter: tf.sub(parameter, tf.mul(tf.div(firstMoment, denominator), stepSize)),
    slots: newSlots,
  };
}

function initAdamSlots({
  parameter,
  hyperparameters,
}: {
  parameter: tf.Tensor;
  hyperparameters: Record<string, unknown>;
}) {
  const slots: Record<string, tf.Tensor> = {
    firstMoment: tf.zerosLike(parameter),
    secondMoment: tf.zerosLike(parameter),
  };
  if (hyperparameters.amsgrad === true) slots.maxSecondMoment = tf.zerosLike(parameter);
  return slots;
}

/**
 * `adam`, equal to PyTorch `torch.optim.Adam`: with g ← g + λp (coupled L2),
 * m ← β₁m + (1 − β₁)g, v ← β₂v + (1 − β₂)g², amsgrad: v_max ← max(v_max, v) used for v;
 * p ← p − (lr/(1 − β₁ᵗ))·m/(√v/√(1 − β₂ᵗ) + ε).
 *
 * Fields (defaults): lr (0.001), beta1 (0.9), beta2 (0.999), epsilon (1e-8), weightDecay (0),
 * amsgrad (false). A cycling schedule replaces beta1 at every step (PyTorch's CyclicLR/OneCycleLR
 * with `betas`). Reference: Kingma & Ba 2015; Reddi et al. 2018 (AMSGrad).
 */
export const adamRule: UpdateRule = {
  ...adamSpec,
  initSlots: initAdamSlots,
  update: (context) => adamStep(context, context.parameter),
};

/**
 * `adamw`, equal to PyTorch `torch.optim.AdamW`: the parameter first decays, p ← p·(1 − lr·λ),
 * then takes the Adam step above on the raw gradient (decoupled weight decay).
 *
 * Fields (defaults): as adam, with weightDecay 0.01. Reference: Loshchilov & Hutter 2019.
 */
export const adamwRule: UpdateRule = {
  ...adamwSpec,
  initSlots: initAdamSlots,
  update: (context) => {
    const keep = context.coefficient((values) => 1 - values.learningRate * values.weightDecay);
    const decayed = keep === 1 ? context.parameter : tf.mul(context.parameter, keep);
    return adamStep(context, decayed);
  },
};
