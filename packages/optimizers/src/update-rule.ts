import type * as tf from '@tensorflow/tfjs-core';
import type { Hyperparameters, SpecField } from './spec-fields.js';

/** Per-parameter tensors a rule keeps between steps (momentum buffers, moment estimates, gains). */
export type Slots = Readonly<Record<string, tf.Tensor>>;

/** How a rule's `weightDecay` enters: added to the gradient (PyTorch L2), decoupled (AdamW), or none. */
export type WeightDecayMode = 'coupled' | 'decoupled' | 'none';

/** Everything a rule needs to initialise one parameter's slots. */
export interface SlotInitContext {
  readonly parameter: tf.Tensor;
  readonly hyperparameters: Hyperparameters;
  /** The effective rate of this parameter at its first step (schedule(t)·lrMult). */
  readonly learningRate: number;
  /** True when the rate schedule cycles momentum (cyclic, oneCycle). */
  readonly momentumIsCycled: boolean;
}

/** Everything a rule needs for one step of one parameter. Called inside `tf.tidy`. */
export interface UpdateContext {
  readonly parameter: tf.Tensor;
  /** The gradient after clipping and, for `coupled` rules, after adding weightDecay·parameter. */
  readonly gradient: tf.Tensor;
  readonly slots: Slots;
  /** Hyperparameters of this step (a cycled momentum already replaces `momentum` / `beta1`). */
  readonly hyperparameters: Hyperparameters;
  /** The effective rate for this parameter during this step: schedule(t)·lrMult. */
  readonly learningRate: number;
  /** This parameter's weight decay (its group's, or the spec's). */
  readonly weightDecay: number;
  /** 1-based count of updates of this parameter, this one included (PyTorch `state['step']`). */
  readonly step: number;
}

/** What a step returns: the new parameter value and the new value of every slot. */
export interface UpdateResult {
  readonly parameter: tf.Tensor;
  readonly slots: Slots;
}

/**
 * One update rule (optax's `GradientTransformation`, specialised to tfjs): the fields its spec
 * accepts with their defaults, its slots, and a pure update from (parameter, gradient, slots) to
 * new values. The optimizer engine does everything shared — schedules, parameter groups,
 * clipping, coupled weight decay, non-finite checks, in-place assignment, state export — so a rule
 * is only its formula.
 */
export interface UpdateRule {
  readonly type: string;
  /** One line with the formula. */
  readonly description: string;
  /** The reference implementation it equals, e.g. `PyTorch torch.optim.SGD`. */
  readonly reference: string;
  /** Spec fields besides `type`, `lr` and the shared options, with defaults. */
  readonly fields: Readonly<Record<string, SpecField>>;
  /** Default `lr` (absent: `lr` is required). */
  readonly defaultLearningRate?: number;
  readonly weightDecay: WeightDecayMode;
  /** The hyperparameter a cycled momentum (cyclic/oneCycle schedules) replaces, if any. */
  readonly cycledMomentumField?: 'momentum' | 'beta1';
  /** Cross-field checks; throws OptimizerSpecError. */
  validate?(hyperparameters: Hyperparameters): void;
  /** Initial slots of one parameter (fresh tensors; the engine turns them into variables). */
  initSlots(context: SlotInitContext): Record<string, tf.Tensor>;
  /** One step; pure tensor math, run inside `tf.tidy`. */
  update(context: UpdateContext): UpdateResult;
}
