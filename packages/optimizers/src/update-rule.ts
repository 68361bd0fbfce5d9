import type * as tf from '@tensorflow/tfjs-core';
import type { UpdateRuleSpec } from './rule-spec.js';
import type { Hyperparameters } from './spec-fields.js';

export type { WeightDecayMode } from './rule-spec.js';

/** Per-parameter tensors a rule keeps between steps (momentum buffers, moment estimates, gains). */
export type Slots = Readonly<Record<string, tf.Tensor>>;

/**
 * The numbers of one model for one step, from which a rule derives its coefficients: the spec's
 * hyperparameters (a cycled momentum already replaces `momentum` / `beta1`), the effective rate
 * schedule(t)·lrMult, this parameter's weight decay (its group's, or the spec's) and the 1-based
 * count of updates of this parameter, this one included (PyTorch `state['step']`).
 */
export interface StepValues {
  readonly hyperparameters: Hyperparameters;
  readonly learningRate: number;
  readonly weightDecay: number;
  readonly step: number;
}

/**
 * A per-step coefficient: a number when one model is updated (or when every stacked model has
 * the same value), else a float32 tensor that broadcasts against the stacked parameter, each
 * model's value over its own slice. Either way it enters tfjs ops the same way (`tf.mul(x, c)`),
 * so one rule updates one model or K stacked models with the same float32 operations.
 */
export type Coefficient = number | tf.Tensor;

/**
 * Computes a coefficient from each model's {@link StepValues} in double precision (as a rule
 * for one model computes it from plain numbers) and rounds it to float32 once. Rules take every
 * numeric hyperparameter, rate, weight decay and step-dependent factor through this function.
 */
export type CoefficientOf = (compute: (values: StepValues) => number) => Coefficient;

/** Everything a rule needs to initialise one parameter's slots. */
export interface SlotInitContext {
  /** The parameter: one model's, or K models stacked. */
  readonly parameter: tf.Tensor;
  /**
   * Hyperparameters that decide the structure (which slots exist): booleans and choices, and
   * whether a number is zero. Models stacked together agree on the structure; read numbers for
   * tensor math through `coefficient`.
   */
  readonly hyperparameters: Hyperparameters;
  /** True when the rate schedule cycles momentum (cyclic, oneCycle). */
  readonly momentumIsCycled: boolean;
  /** Coefficients from the values of the parameter's first step (rate schedule(0)·lrMult). */
  readonly coefficient: CoefficientOf;
}

/** Everything a rule needs for one step of one parameter. Called inside `tf.tidy`. */
export interface UpdateContext {
  /** The parameter: one model's, or K models stacked. */
  readonly parameter: tf.Tensor;
  /** The gradient after clipping and, for `coupled` rules, after adding weightDecay·parameter. */
  readonly gradient: tf.Tensor;
  readonly slots: Slots;
  /**
   * Hyperparameters of this step that decide the structure (booleans, choices); numbers enter the
   * tensor math through `coefficient` only, so that stacked models may differ in them.
   */
  readonly hyperparameters: Hyperparameters;
  /** 1-based count of updates of this parameter, this one included (the same for stacked models). */
  readonly step: number;
  /** This step's coefficients: see {@link CoefficientOf}. */
  readonly coefficient: CoefficientOf;
}

/** What a step returns: the new parameter value and the new value of every slot. */
export interface UpdateResult {
  readonly parameter: tf.Tensor;
  readonly slots: Slots;
}

/**
 * One update rule (optax's `GradientTransformation`, specialised to tfjs): the fields its spec
 * accepts with their defaults, its slots, and a pure update from (parameter, gradient, slots) to
 * new values; its spec part (`UpdateRuleSpec`: fields, defaults, checks) is a tfjs-free module of its
 * own. The optimizer engine does everything shared — schedules, parameter groups,
 * clipping, coupled weight decay, non-finite checks, in-place assignment, state export — so a rule
 * is only its formula. A rule never reads a numeric hyperparameter directly in tensor math: it asks
 * `coefficient` for it, so the same rule updates one model or K models stacked along an axis
 * (vectorised sweeps; see `StackedOptimizer`), bit-identical on the cpu backend.
 */
export interface UpdateRule extends UpdateRuleSpec {
  /** Initial slots of one parameter (fresh tensors; the engine turns them into variables). */
  initSlots(context: SlotInitContext): Record<string, tf.Tensor>;
  /** One step; pure tensor math, run inside `tf.tidy`. */
  update(context: UpdateContext): UpdateResult;
}
