import type { JsonValue, Schedule, ScheduleSpec } from '@contour/schedules';
import * as tf from '@tensorflow/tfjs-core';
import { applyUpdateRule } from './apply-rule.js';
import { clipByGlobalNorm, clipByValue, gradientsAreFinite } from './clip-gradients.js';
import type { OptimizerType } from './optimizer-rule-specs.js';
import { optimizerRules } from './optimizer-rules.js';
import {
  buildLearningRateSchedule,
  type CreateOptimizerOptions,
  type OptimizerSpec,
  validateOptimizerSpec,
} from './optimizer-spec.js';
import { OptimizerStateError } from './optimizer-spec-error.js';
import type { OptimizerState, SavedTensor } from './optimizer-state.js';
import { findParameterGroup, type ParameterGroup } from './parameter-groups.js';
import type { Hyperparameters } from './spec-fields.js';
import type { StepValues, UpdateRule } from './update-rule.js';

export type {
  AdamOptions,
  CreateOptimizerOptions,
  LearningRate,
  OptimizerOptions,
  OptimizerSpec,
  OptimizerSpecOf,
  OptimizerSpecWithoutRate,
  SharedOptimizerOptions,
} from './optimizer-spec.js';

/** Gradients by parameter name: a tfjs `NamedTensorMap` or `NamedTensor[]`. */
export type NamedGradients =
  | Readonly<Record<string, tf.Tensor>>
  | ReadonlyArray<{ name: string; tensor: tf.Tensor }>;

/** Variables by name; default: tfjs's registry of variables (what tfjs optimizers use). */
export type NamedVariables = Readonly<Record<string, tf.Variable>> | readonly tf.Variable[];

/** What `applyGradients` did. */
export interface StepReport {
  /** `applied`; `skipped` (non-finite gradients, nothing changed); `diverged` (a skip beyond the limit). */
  readonly status: 'applied' | 'skipped' | 'diverged';
  /** Applied steps so far (after this call). */
  readonly step: number;
  /** The scheduled base rate of this step (before lrMult). */
  readonly learningRate: number;
  /** Steps skipped so far, and in a row. */
  readonly skippedSteps: number;
  readonly consecutiveSkips: number;
  /** Names of the parameters whose gradient was not finite (empty when applied). */
  readonly nonFiniteParameters: readonly string[];
}

interface ParameterState {
  step: number;
  readonly slots: Map<string, tf.Variable>;
}

/**
 * Builds an optimizer from a typed spec, validating every field at once.
 *
 * @example
 * const optimizer = createOptimizer({ type: 'sgd', lr: { type: 'step', lr: 0.1, stepSize: 30 }, momentum: 0.9 });
 * const { grads } = tf.variableGrads(loss);
 * optimizer.applyGradients(grads);
 *
 * @throws UnknownOptimizerTypeError (lists the known types); OptimizerSpecError naming the field and
 *   what it accepts (schedule errors in `lr` are reported as `lr.<field>`).
 */
export function createOptimizer(spec: OptimizerSpec, options: CreateOptimizerOptions = {}): ContourOptimizer {
  return new ContourOptimizer(spec, options);
}

/**
 * Builds an optimizer from JSON read at run time (a file, a command-line flag, a saved model):
 * any value, validated exactly as `createOptimizer` validates a typed spec.
 *
 * @example createOptimizerFromJson(JSON.parse('{"type": "adam", "lr": 0.001}'))
 */
export function createOptimizerFromJson(
  json: unknown,
  options: CreateOptimizerOptions = {},
): ContourOptimizer {
  return new ContourOptimizer(json, options);
}

/**
 * An optimizer built from a spec: one update rule plus the shared machinery (schedules, parameter
 * groups, clipping, weight decay, non-finite skips, exact state export). Parameters are updated in
 * place with `variable.assign` inside `tf.tidy`; slots are tfjs variables created at a parameter's
 * first update. The schedule's t counts applied steps (skipped steps do not advance it).
 */
export class ContourOptimizer {
  /** The rule's type id. */
  readonly type: OptimizerType;
  /** The update rule (its formula and fields). */
  readonly rule: UpdateRule;
  /** The rule's hyperparameters with defaults filled in. */
  readonly hyperparameters: Hyperparameters;
  /** The validated parameter groups. */
  readonly groups: readonly ParameterGroup[];
  readonly #options: CreateOptimizerOptions;
  readonly #clipGlobalNorm: number | undefined;
  readonly #clipValue: number | undefined;
  readonly #skipNonFinite: boolean;
  readonly #maxConsecutiveSkips: number;
  readonly #parameters = new Map<string, ParameterState>();
  #schedule: Schedule;
  #learningRate: number | ScheduleSpec;
  #step = 0;
  #skippedSteps = 0;
  #consecutiveSkips = 0;
  #diverged = false;

  constructor(spec: unknown, options: CreateOptimizerOptions = {}) {
    const validated = validateOptimizerSpec(spec, options);
    this.type = validated.type;
    this.rule = optimizerRules[validated.type];
    this.#options = options;
    this.hyperparameters = validated.hyperparameters;
    this.groups = validated.groups;
    this.#clipGlobalNorm = validated.clipGlobalNorm;
    this.#clipValue = validated.clipValue;
    this.#skipNonFinite = validated.skipNonFinite;
    this.#maxConsecutiveSkips = validated.maxConsecutiveSkips;
    this.#learningRate = validated.learningRate;
    this.#schedule = validated.schedule;
  }

  /** Applied steps so far (the schedule's t, for step-unit schedules). */
  get step(): number {
    return this.#step;
  }

  /** Steps skipped so far because their gradients were not finite. */
  get skippedSteps(): number {
    return this.#skippedSteps;
  }

  /** Skipped steps in a row (reset by an applied step). */
  get consecutiveSkips(): number {
    return this.#consecutiveSkips;
  }

  /** True once more than `maxConsecutiveSkips` steps in a row were skipped. */
  get diverged(): boolean {
    return this.#diverged;
  }

  /** The learning-rate schedule in effect (a constant schedule for a number). */
  get schedule(): Schedule {
    return this.#schedule;
  }

  /** The spec with every default filled in: JSON that rebuilds this optimizer. */
  get spec(): JsonValue {
    const spec: Record<string, unknown> = {
      type: this.type,
      lr: typeof this.#learningRate === 'number' ? this.#learningRate : this.#schedule.spec,
      ...this.hyperparameters,
    };
    if (this.groups.length > 0) spec.groups = this.groups.map((group) => group.spec);
    if (this.#clipGlobalNorm !== undefined) spec.clipGlobalNorm = this.#clipGlobalNorm;
    if (this.#clipValue !== undefined) spec.clipValue = this.#clipValue;
    spec.skipNonFinite = this.#skipNonFinite;
    spec.maxConsecutiveSkips = this.#maxConsecutiveSkips;
    return spec as JsonValue;
  }

  /** The scheduled base rate (before lrMult) in effect for the next step. */
  get learningRate(): number {
    return this.learningRateAt(this.#step);
  }

  /**
   * The rate in effect during applied step `step` (0-based; default: the next step), times the
   * lrMult of `parameterName`'s group when a name is given.
   */
  learningRateAt(step: number = this.#step, parameterName?: string): number {
    const base = this.#schedule.value(this.#scheduleStep(step));
    if (parameterName === undefined) return base;
    return base * (findParameterGroup(this.groups, parameterName)?.learningRateMultiplier ?? 1);
  }

  /**
   * The momentum (sgd, rmsprop, localGains) or beta1 (adam, adamw) in effect during `step`: the
   * schedule's cycled momentum when it cycles one, else the spec's value; undefined for rules
   * without one.
   */
  momentumAt(step: number = this.#step): number | undefined {
    const field = this.rule.cycledMomentumField;
    if (field === undefined) return undefined;
    return this.#schedule.momentum(this.#scheduleStep(step)) ?? (this.hyperparameters[field] as number);
  }

  /**
   * The hyperparameters in effect during applied step `step` (0-based): the spec's, with the
   * schedule's cycled momentum in place of `momentum` / `beta1` when it cycles one.
   */
  hyperparametersAt(step: number = this.#step): Hyperparameters {
    const field = this.rule.cycledMomentumField;
    if (field === undefined || !this.#schedule.cyclesMomentum) return this.hyperparameters;
    const momentum = this.#schedule.momentum(this.#scheduleStep(step));
    return momentum === undefined ? this.hyperparameters : { ...this.hyperparameters, [field]: momentum };
  }

  /** The weight decay λ of a parameter: its group's, else the spec's (0 for rules without one). */
  weightDecayOf(parameterName: string): number {
    return (
      findParameterGroup(this.groups, parameterName)?.weightDecay ??
      (this.hyperparameters.weightDecay as number | undefined) ??
      0
    );
  }

  /** `clipValue` of the spec (undefined: no element-wise clipping). */
  get clipValue(): number | undefined {
    return this.#clipValue;
  }

  /** `clipGlobalNorm` of the spec (undefined: no norm clipping). */
  get clipGlobalNorm(): number | undefined {
    return this.#clipGlobalNorm;
  }

  /**
   * Replaces the learning rate (a number, a schedule spec or a Schedule) from the next step on,
   * without touching slots. The schedule reads the same t as before (applied steps).
   */
  setLearningRate(learningRate: number | ScheduleSpec | Schedule): void {
    this.#schedule = buildLearningRateSchedule(learningRate, this.type, this.#options);
    this.#learningRate = typeof learningRate === 'number' ? learningRate : this.#schedule.spec;
  }

  /** Feeds a metric to a stateful schedule (reduceOnPlateau); a no-op for pure schedules. */
  observe(metric: number): void {
    this.#schedule.observe(metric, this.#scheduleStep(this.#step));
  }

  /**
   * Applies one step. Gradients of parameters in frozen groups are ignored; parameters without a
   * gradient are left alone (their own step count does not advance, as in PyTorch). Order: the
   * non-finite check (one scalar read-back), clipByValue, clipByGlobalNorm, coupled weight decay
   * g + λp, the rule.
   *
   * @throws OptimizerStateError once the run was declared diverged, or when a gradient names no
   *   known variable or its shape differs from the variable's.
   */
  applyGradients(gradients: NamedGradients, variables?: NamedVariables): StepReport {
    if (this.#diverged) {
      throw new OptimizerStateError(
        `optimizer "${this.type}": the run diverged after ${this.#consecutiveSkips} consecutive non-finite steps; import a saved state to continue`,
      );
    }
    const entries = this.#resolveEntries(gradients, variables);
    const learningRate = this.learningRateAt(this.#step);
    if (this.#skipNonFinite && !gradientsAreFinite(entries.map((entry) => entry.gradient))) {
      this.#skippedSteps += 1;
      this.#consecutiveSkips += 1;
      if (this.#consecutiveSkips > this.#maxConsecutiveSkips) this.#diverged = true;
      return {
        status: this.#diverged ? 'diverged' : 'skipped',
        step: this.#step,
        learningRate,
        skippedSteps: this.#skippedSteps,
        consecutiveSkips: this.#consecutiveSkips,
        nonFiniteParameters: entries
          .filter((entry) => !gradientsAreFinite([entry.gradient]))
          .map((entry) => entry.name),
      };
    }
    const hyperparameters = this.hyperparametersAt(this.#step);
    const states = entries.map((entry) => this.#parameterState(entry, learningRate));
    tf.tidy(() => {
      let clipped = entries.map((entry) => entry.gradient);
      if (this.#clipValue !== undefined) clipped = clipByValue(clipped, this.#clipValue);
      if (this.#clipGlobalNorm !== undefined) clipped = clipByGlobalNorm(clipped, this.#clipGlobalNorm);
      entries.forEach((entry, index) => {
        const state = states[index] as ParameterState;
        const slots: Record<string, tf.Tensor> = {};
        for (const [name, slot] of state.slots) slots[name] = slot;
        const values: StepValues = {
          hyperparameters,
          learningRate: learningRate * (entry.group?.learningRateMultiplier ?? 1),
          weightDecay: this.weightDecayOf(entry.name),
          step: state.step + 1,
        };
        const result = applyUpdateRule(this.rule, {
          parameter: entry.variable,
          gradient: clipped[index] as tf.Tensor,
          slots,
          hyperparameters,
          step: values.step,
          coefficient: (compute) => compute(values),
        });
        if (result.parameter !== entry.variable) entry.variable.assign(result.parameter);
        for (const [name, slot] of state.slots) {
          const value = result.slots[name];
          if (value !== undefined && value !== slot) slot.assign(value);
        }
      });
    });
    for (const state of states) state.step += 1;
    this.#step += 1;
    this.#consecutiveSkips = 0;
    return {
      status: 'applied',
      step: this.#step,
      learningRate,
      skippedSteps: this.#skippedSteps,
      consecutiveSkips: 0,
      nonFiniteParameters: [],
    };
  }

  /**
   * Exports the whole state: step counts, skip counters, the rate (number or schedule spec), the
   * schedule's own state and every slot, so that `importState` on a fresh optimizer continues
   * bit-for-bit. `slots: 'arrays'` (default) gives JSON-serialisable float32 values (exact as JS
   * numbers); `slots: 'tensors'` gives fresh tensor copies the caller disposes (e.g. to save as
   * tfjs weights).
   */
  exportState(options: { readonly slots?: 'arrays' | 'tensors' } = {}): OptimizerState {
    const asTensors = options.slots === 'tensors';
    const parameters: Record<string, { step: number; slots: Record<string, SavedTensor | tf.Tensor> }> = {};
    for (const [name, state] of this.#parameters) {
      const slots: Record<string, SavedTensor | tf.Tensor> = {};
      for (const [slotName, slot] of state.slots) {
        slots[slotName] = asTensors
          ? tf.clone(slot)
          : { shape: [...slot.shape], dtype: 'float32', values: Array.from(slot.dataSync()) };
      }
      parameters[name] = { step: state.step, slots };
    }
    return {
      format: 'contour.optimizer-state',
      version: 1,
      type: this.type,
      learningRate:
        typeof this.#learningRate === 'number'
          ? this.#learningRate
          : (this.#schedule.spec as unknown as JsonValue),
      scheduleState: this.#schedule.getState(),
      step: this.#step,
      skippedSteps: this.#skippedSteps,
      consecutiveSkips: this.#consecutiveSkips,
      diverged: this.#diverged,
      parameters,
    };
  }

  /**
   * Restores a state from `exportState` (arrays or tensors; tensors are copied, the caller keeps
   * ownership). Replaces every slot, counter and the schedule.
   *
   * @throws OptimizerStateError when the state is malformed or was saved by another optimizer type.
   */
  importState(state: OptimizerState): void {
    if (
      typeof state !== 'object' ||
      state === null ||
      state.format !== 'contour.optimizer-state' ||
      state.version !== 1
    ) {
      throw new OptimizerStateError(
        'optimizer state: expected {"format": "contour.optimizer-state", "version": 1, ...}',
      );
    }
    if (state.type !== this.type) {
      throw new OptimizerStateError(
        `optimizer state: saved by "${String(state.type)}", cannot restore into "${this.type}"`,
      );
    }
    for (const key of ['step', 'skippedSteps', 'consecutiveSkips'] as const) {
      if (!Number.isInteger(state[key]) || state[key] < 0) {
        throw new OptimizerStateError(
          `optimizer state: "${key}" must be an integer ≥ 0; got ${String(state[key])}`,
        );
      }
    }
    const restored = new Map<string, ParameterState>();
    try {
      for (const [name, saved] of Object.entries(state.parameters ?? {})) {
        if (!Number.isInteger(saved?.step) || saved.step < 0) {
          throw new OptimizerStateError(`optimizer state: "parameters.${name}.step" must be an integer ≥ 0`);
        }
        const slots = new Map<string, tf.Variable>();
        restored.set(name, { step: saved.step, slots });
        for (const [slotName, value] of Object.entries(saved.slots ?? {})) {
          const tensor = toTensor(value, `parameters.${name}.slots.${slotName}`);
          slots.set(slotName, tf.variable(tensor, false));
          tensor.dispose();
        }
      }
    } catch (error) {
      for (const parameter of restored.values()) for (const slot of parameter.slots.values()) slot.dispose();
      throw error;
    }
    this.setLearningRate(state.learningRate as number | ScheduleSpec);
    this.#schedule.setState(state.scheduleState ?? null);
    this.#disposeSlots();
    for (const [name, parameter] of restored) this.#parameters.set(name, parameter);
    this.#step = state.step;
    this.#skippedSteps = state.skippedSteps;
    this.#consecutiveSkips = state.consecutiveSkips;
    this.#diverged = state.diverged === true;
  }

  /** Number of slot variables held (for leak checks and diagnostics). */
  get slotCount(): number {
    let count = 0;
    for (const state of this.#parameters.values()) count += state.slots.size;
    return count;
  }

  /** The slots of one parameter by name (undefined before its first update). Read-only views. */
  slotsOf(parameterName: string): Readonly<Record<string, tf.Tensor>> | undefined {
    const state = this.#parameters.get(parameterName);
    if (!state) return undefined;
    return Object.fromEntries(state.slots);
  }

  /** Disposes every slot variable. */
  dispose(): void {
    this.#disposeSlots();
  }

  #disposeSlots(): void {
    for (const state of this.#parameters.values()) for (const slot of state.slots.values()) slot.dispose();
    this.#parameters.clear();
  }

  #scheduleStep(step: number): number {
    return this.#schedule.unit === 'epoch'
      ? Math.floor(step / (this.#options.stepsPerEpoch as number))
      : step;
  }

  #parameterState(entry: { name: string; variable: tf.Variable }, learningRate: number): ParameterState {
    const existing = this.#parameters.get(entry.name);
    if (existing) return existing;
    const group = findParameterGroup(this.groups, entry.name);
    const values: StepValues = {
      hyperparameters: this.hyperparameters,
      learningRate: learningRate * (group?.learningRateMultiplier ?? 1),
      weightDecay: this.weightDecayOf(entry.name),
      step: 1,
    };
    const initial = tf.tidy(() =>
      this.rule.initSlots({
        parameter: entry.variable,
        hyperparameters: this.hyperparameters,
        momentumIsCycled: this.#schedule.cyclesMomentum,
        coefficient: (compute) => compute(values),
      }),
    );
    const slots = new Map<string, tf.Variable>();
    for (const [name, tensor] of Object.entries(initial)) {
      slots.set(name, tf.variable(tensor, false));
      tensor.dispose();
    }
    const state: ParameterState = { step: 0, slots };
    this.#parameters.set(entry.name, state);
    return state;
  }

  #resolveEntries(
    gradients: NamedGradients,
    variables: NamedVariables | undefined,
  ): Array<{ name: string; variable: tf.Variable; gradient: tf.Tensor; group: ParameterGroup | undefined }> {
    const pairs: Array<[string, tf.Tensor]> = Array.isArray(gradients)
      ? (gradients as ReadonlyArray<{ name: string; tensor: tf.Tensor }>).map(({ name, tensor }) => [
          name,
          tensor,
        ])
      : Object.entries(gradients as Readonly<Record<string, tf.Tensor>>);
    const byName: Readonly<Record<string, tf.Variable>> =
      variables === undefined
        ? tf.engine().registeredVariables
        : Array.isArray(variables)
          ? Object.fromEntries(
              (variables as readonly tf.Variable[]).map((variable) => [variable.name, variable]),
            )
          : (variables as Readonly<Record<string, tf.Variable>>);
    const entries = [];
    for (const [name, gradient] of pairs) {
      if (gradient === undefined || gradient === null) continue;
      const variable = byName[name];
      if (variable === undefined) {
        throw new OptimizerStateError(`applyGradients: no variable named "${name}"`);
      }
      if (gradient.shape.join(',') !== variable.shape.join(',')) {
        throw new OptimizerStateError(
          `applyGradients: gradient of "${name}" has shape [${gradient.shape.join(', ')}], the variable [${variable.shape.join(', ')}]`,
        );
      }
      const group = findParameterGroup(this.groups, name);
      if (group?.frozen) continue;
      entries.push({ name, variable, gradient, group });
    }
    return entries;
  }
}

function toTensor(value: SavedTensor | tf.Tensor, path: string): tf.Tensor {
  if (value instanceof tf.Tensor) return tf.clone(value);
  const saved = value as SavedTensor;
  if (
    typeof saved !== 'object' ||
    saved === null ||
    !Array.isArray(saved.shape) ||
    !Array.isArray(saved.values) ||
    saved.values.length !== saved.shape.reduce((product, size) => product * size, 1)
  ) {
    throw new OptimizerStateError(
      `optimizer state: "${path}" must be {"shape": [...], "values": [...]} with matching sizes`,
    );
  }
  return tf.tensor(saved.values, saved.shape, 'float32');
}
