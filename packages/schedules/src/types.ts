import type { ScheduleSpec, ScheduleUnit } from './specs.js';

export type { ScheduleUnit } from './specs.js';

/** JSON values: what specs and schedule state are made of. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/**
 * A spec as the registry reads it at run time (JSON from a file, a flag or a plugin's example):
 * a type id and its fields, all still to be validated. Typed code writes `ScheduleSpec` instead.
 */
export interface ScheduleSpecRecord {
  readonly type: string;
  readonly unit?: ScheduleUnit;
  readonly [parameter: string]: unknown;
}

/**
 * A learning-rate schedule: a pure function of the 0-based step `t` (the number of steps already
 * taken), except for stateful schedules (`reduceOnPlateau`), whose rate moves when `observe` feeds
 * them a metric.
 */
export interface Schedule {
  /** The type id, e.g. `cosine` or `acme:warmSine`. */
  readonly type: string;
  /** What `t` counts. */
  readonly unit: ScheduleUnit;
  /** The spec with every default filled in: JSON that rebuilds this exact schedule. */
  readonly spec: ScheduleSpec;
  /** The schedule's own base rate (`lr`; `chain` divides by it to get a factor). */
  readonly baseLearningRate: number;
  /** True when the schedule holds state (`observe`, `getState`, `setState` matter). */
  readonly stateful: boolean;
  /** True when `momentum(t)` gives a cycled momentum (cyclic and one-cycle). */
  readonly cyclesMomentum: boolean;
  /** The learning rate in effect during step `t` (t ≥ 0; fractional t is allowed). */
  value(t: number): number;
  /** The momentum to use during step `t`, for schedules that cycle it; `undefined` otherwise. */
  momentum(t: number): number | undefined;
  /**
   * Feeds a metric measured after step `t` (e.g. validation loss after an epoch) to stateful
   * schedules; a no-op for pure ones.
   */
  observe(metric: number, t: number): void;
  /** JSON state of a stateful schedule (`null` for pure ones), to save mid-run. */
  getState(): JsonValue;
  /** Restores state saved by `getState`; the schedule then continues exactly as the saved one. */
  setState(state: JsonValue): void;
}

/** Parameter kinds a schedule definition can declare; they drive validation and `--list`. */
export type ParameterDescriptor =
  | NumberParameter
  | BooleanParameter
  | ChoiceParameter
  | NumberListParameter
  | StringParameter
  | ScheduleParameter
  | ScheduleListParameter;

interface ParameterBase {
  /** One line for `contour schedule --list` and docs. */
  readonly description: string;
  /** When true the parameter may be absent and has no default (e.g. Keras `warmupTarget`). */
  readonly optional?: boolean;
}

export interface NumberParameter extends ParameterBase {
  readonly kind: 'number';
  readonly default?: number;
  readonly integer?: boolean;
  /** Lower bound; exclusive unless `minInclusive`. */
  readonly min?: number;
  readonly minInclusive?: boolean;
  /** Upper bound; exclusive unless `maxInclusive`. */
  readonly max?: number;
  readonly maxInclusive?: boolean;
  /**
   * Marks the learning rate: members of `warmup`, `sequential` and `chain` may omit it and inherit
   * the parent's.
   */
  readonly inheritable?: boolean;
}

export interface BooleanParameter extends ParameterBase {
  readonly kind: 'boolean';
  readonly default?: boolean;
}

export interface ChoiceParameter extends ParameterBase {
  readonly kind: 'choice';
  readonly choices: readonly string[];
  readonly default?: string;
}

export interface NumberListParameter extends ParameterBase {
  readonly kind: 'numbers';
  readonly default?: readonly number[];
  readonly integer?: boolean;
  /** Every element must be ≥ this. */
  readonly min?: number;
  readonly minLength?: number;
  /** `increasing`: strictly; `nondecreasing`: repeats allowed (PyTorch MultiStepLR counts them). */
  readonly order?: 'increasing' | 'nondecreasing';
}

export interface StringParameter extends ParameterBase {
  readonly kind: 'string';
  readonly default?: string;
}

export interface ScheduleParameter extends ParameterBase {
  readonly kind: 'schedule';
}

export interface ScheduleListParameter extends ParameterBase {
  readonly kind: 'schedules';
  readonly minLength?: number;
}

/** The parameters of a definition, by name. */
export type ParameterDescriptors = Readonly<Record<string, ParameterDescriptor>>;

/** What a definition's `create` returns: the schedule's behaviour, before Contour wraps it. */
export interface ScheduleBehaviour {
  /** The rate during step t; Contour checks t and the result, so this may assume t ≥ 0. */
  value(t: number): number;
  /** The cycled momentum during step t, when the schedule cycles it (undefined where it does not). */
  momentum?(t: number): number | undefined;
  /** The base rate chain factors divide by; defaults to the `lr` parameter. */
  baseLearningRate?: number;
  /** Present on stateful schedules. */
  state?: ScheduleStateHandlers;
}

/** init / update / value with plain-data state (optax style), for stateful schedules. */
export interface ScheduleStateHandlers {
  observe(metric: number, t: number): void;
  get(): JsonValue;
  set(state: JsonValue): void;
}

/** Handed to `create`: builds member schedules (combinators) with inheritance applied. */
export interface ScheduleContext {
  /** The unit of the schedule being built; members share it. */
  readonly unit: ScheduleUnit;
  /**
   * Builds a member from its (validated) spec. `inheritedLearningRate` fills a missing `lr`;
   * `field` names the member in error messages, e.g. `schedules[1]`.
   */
  createMember(spec: unknown, field: string, inheritedLearningRate: number | undefined): Schedule;
}

/** Parameters after validation: defaults filled in, members still as specs. */
export type ResolvedParameters = Readonly<Record<string, unknown>>;

/**
 * One schedule type: its parameters (validated by Contour before `create` runs) and its factory.
 * Built-ins and plugin schedules are the same kind of object.
 */
export interface ScheduleDefinition {
  /** One-line summary with the formula. */
  readonly description: string;
  /** The reference implementation it equals, e.g. `PyTorch StepLR`. */
  readonly reference?: string;
  readonly parameters: ParameterDescriptors;
  /** Builds the behaviour from validated parameters; throws ScheduleSpecError for cross-field errors. */
  create(parameters: ResolvedParameters, context: ScheduleContext): ScheduleBehaviour;
}
