import {
  type Schedule,
  type ScheduleRegistry,
  type ScheduleSpec,
  ScheduleSpecError,
  toSchedule,
} from '@contour/schedules';
import { type OptimizerType, optimizerRuleSpecs, optimizerTypes } from './optimizer-rule-specs.js';
import { OptimizerSpecError, UnknownOptimizerTypeError } from './optimizer-spec-error.js';
import { type ParameterGroup, type ParameterGroupSpec, readParameterGroups } from './parameter-groups.js';
import type { UpdateRuleSpec } from './rule-spec.js';
import { type Hyperparameters, readField } from './spec-fields.js';

/** A learning rate: a number, or a schedule spec (`{ type: 'cosine', lr: 0.1, tMax: 100 }`). */
export type LearningRate = number | ScheduleSpec;

/** Fields every optimizer spec accepts besides its rule's own. */
export interface SharedOptimizerOptions {
  /** Parameter groups (`match`/`layer` globs, `lrMult`, `weightDecay`, `frozen`). */
  readonly groups?: readonly ParameterGroupSpec[];
  /** Rescale gradients to this global L2 norm at most (PyTorch `clip_grad_norm_`). */
  readonly clipGlobalNorm?: number;
  /** Clip every gradient element to [−clipValue, clipValue] (applied before the norm clip). */
  readonly clipValue?: number;
  /** Skip a step whose gradients hold NaN/±∞, parameters and slots unchanged (default true). */
  readonly skipNonFinite?: boolean;
  /** More consecutive skipped steps than this declares the run diverged (default 10). */
  readonly maxConsecutiveSkips?: number;
}

/** The fields of Adam and AdamW (see adam.ts for formulas and defaults). */
export interface AdamOptions {
  lr?: LearningRate;
  beta1?: number;
  beta2?: number;
  epsilon?: number;
  weightDecay?: number;
  amsgrad?: boolean;
}

/**
 * Each rule's own fields (see the rule for formulas and defaults). `lr` is required where PyTorch
 * requires it (sgd, localGains) and defaults to the rule's usual rate elsewhere.
 */
export interface OptimizerOptions {
  sgd: {
    lr: LearningRate;
    momentum?: number;
    dampening?: number;
    nesterov?: boolean;
    weightDecay?: number;
    momentumForm?: 'pytorch' | 'sutskever';
  };
  adagrad: {
    lr?: LearningRate;
    lrDecay?: number;
    weightDecay?: number;
    initialAccumulatorValue?: number;
    epsilon?: number;
  };
  rmsprop: {
    lr?: LearningRate;
    alpha?: number;
    epsilon?: number;
    weightDecay?: number;
    momentum?: number;
    centered?: boolean;
  };
  adadelta: { lr?: LearningRate; rho?: number; epsilon?: number; weightDecay?: number };
  adam: AdamOptions;
  /** Adam's options; `weightDecay` is decoupled (AdamW) instead of added to the gradient. */
  adamw: AdamOptions;
  rprop: { lr?: LearningRate; etaMinus?: number; etaPlus?: number; stepMin?: number; stepMax?: number };
  localGains: {
    lr: LearningRate;
    increase?: number;
    decrease?: number;
    minGain?: number;
    maxGain?: number;
    momentum?: number;
  };
}

/** The spec of one optimizer type. */
export type OptimizerSpecOf<Type extends OptimizerType> = { readonly type: Type } & SharedOptimizerOptions &
  Readonly<OptimizerOptions[Type]>;

/**
 * An optimizer spec, e.g. `{ type: 'sgd', lr: 0.1, momentum: 0.9 }`: a union discriminated by
 * `type`, so a misspelt type or field, or a string where a number belongs, does not compile. JSON
 * read at run time goes through `createOptimizerFromJson`, which validates it the same way.
 */
export type OptimizerSpec = { [Type in OptimizerType]: OptimizerSpecOf<Type> }[OptimizerType];

/**
 * An optimizer spec whose `lr` may be left out because the caller sets it (a learning-rate range
 * test, a search): e.g. `{ type: 'sgd', momentum: 0.9 }`.
 */
export type OptimizerSpecWithoutRate = OptimizerSpec extends infer Spec
  ? Spec extends OptimizerSpec
    ? Omit<Spec, 'lr'> & { readonly lr?: LearningRate }
    : never
  : never;

/** Options of createOptimizer that are not part of the JSON spec. */
export interface CreateOptimizerOptions {
  /** Registry that builds `lr` schedule specs (plugin types); default: the built-in schedules. */
  readonly scheduleRegistry?: ScheduleRegistry;
  /**
   * Batches per epoch: needed when the `lr` schedule counts epochs (`unit: "epoch"`); its t is then
   * ⌊applied steps / stepsPerEpoch⌋.
   */
  readonly stepsPerEpoch?: number;
}

/**
 * An optimizer spec checked field by field, every default filled in: what `ContourOptimizer`'s
 * constructor reads, and what a caller gets that only needs to know a spec is good.
 */
export interface ValidatedOptimizerSpec {
  readonly type: OptimizerType;
  /** The rule's fields, defaults and checks (its tensor update is `optimizerRules[type]`). */
  readonly ruleSpec: UpdateRuleSpec;
  /** The rule's hyperparameters with defaults filled in. */
  readonly hyperparameters: Hyperparameters;
  readonly groups: readonly ParameterGroup[];
  readonly clipGlobalNorm: number | undefined;
  readonly clipValue: number | undefined;
  readonly skipNonFinite: boolean;
  readonly maxConsecutiveSkips: number;
  /** `lr` as given (or the rule's default): a number or a schedule spec. */
  readonly learningRate: number | ScheduleSpec;
  /** The schedule built from `learningRate`. */
  readonly schedule: Schedule;
}

const sharedFieldNames = [
  'type',
  'lr',
  'groups',
  'clipGlobalNorm',
  'clipValue',
  'skipNonFinite',
  'maxConsecutiveSkips',
];

/**
 * Checks an optimizer spec (JSON read at run time, or a typed one) exactly as `createOptimizer`
 * does, without building an optimizer and without loading TensorFlow.js: for a caller that
 * validates a config long before it trains (the CLI before its first line).
 *
 * @example validateOptimizerSpec({ type: 'sgd', lr: 0.1, momentum: 0.9 }).hyperparameters.dampening // 0
 *
 * @throws UnknownOptimizerTypeError (lists the known types); OptimizerSpecError naming the field and
 *   what it accepts (schedule errors in `lr` are reported as `lr.<field>`).
 */
export function validateOptimizerSpec(
  spec: unknown,
  options: CreateOptimizerOptions = {},
): ValidatedOptimizerSpec {
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) {
    throw new OptimizerSpecError('spec', 'a JSON object like {"type": "sgd", "lr": 0.1}', spec);
  }
  const raw = spec as Record<string, unknown>;
  // Own keys only: "constructor", "toString" and "__proto__" are "in" every object.
  if (typeof raw.type !== 'string' || !Object.hasOwn(optimizerRuleSpecs, raw.type)) {
    throw new UnknownOptimizerTypeError(raw.type, optimizerTypes);
  }
  const type = raw.type as OptimizerType;
  const ruleSpec = optimizerRuleSpecs[type];
  const allowedFields = [...sharedFieldNames, ...Object.keys(ruleSpec.fields)];
  for (const key of Object.keys(raw)) {
    if (!allowedFields.includes(key)) {
      throw new OptimizerSpecError(
        key,
        `absent ("${type}" accepts ${allowedFields.join(', ')})`,
        raw[key],
        type,
      );
    }
  }
  const hyperparameters: Record<string, number | boolean | string> = {};
  for (const [name, field] of Object.entries(ruleSpec.fields)) {
    hyperparameters[name] = readField(field, raw[name], name, type);
  }
  ruleSpec.validate?.(hyperparameters);
  const groups = readParameterGroups(raw.groups, type, ruleSpec.weightDecay !== 'none');
  const clipGlobalNorm = readOptionalPositive(raw.clipGlobalNorm, 'clipGlobalNorm', type);
  const clipValue = readOptionalPositive(raw.clipValue, 'clipValue', type);
  const skipNonFinite = readField(
    { kind: 'boolean', description: '', default: true },
    raw.skipNonFinite,
    'skipNonFinite',
    type,
  ) as boolean;
  const maxConsecutiveSkips = readField(
    { kind: 'number', description: '', default: 10, integer: true, min: 0 },
    raw.maxConsecutiveSkips,
    'maxConsecutiveSkips',
    type,
  ) as number;
  const learningRate = raw.lr ?? ruleSpec.defaultLearningRate;
  const schedule = buildLearningRateSchedule(learningRate, type, options);
  return {
    type,
    ruleSpec,
    hyperparameters,
    groups,
    clipGlobalNorm,
    clipValue,
    skipNonFinite,
    maxConsecutiveSkips,
    learningRate: learningRate as number | ScheduleSpec,
    schedule,
  };
}

/**
 * Builds the schedule of an optimizer's `lr` (a number, a schedule spec or a Schedule), checked
 * as a spec's `lr` is: errors name `lr` or `lr.<field>` of optimizer `type`.
 */
export function buildLearningRateSchedule(
  learningRate: unknown,
  type: string,
  options: CreateOptimizerOptions = {},
): Schedule {
  if (learningRate === undefined) {
    throw new OptimizerSpecError(
      'lr',
      'a number ≥ 0 or a schedule spec like {"type": "step", ...}',
      undefined,
      type,
    );
  }
  if (typeof learningRate === 'number' && (!Number.isFinite(learningRate) || learningRate < 0)) {
    throw new OptimizerSpecError('lr', 'a finite number ≥ 0 or a schedule spec', learningRate, type);
  }
  if (typeof learningRate !== 'number' && (typeof learningRate !== 'object' || learningRate === null)) {
    throw new OptimizerSpecError('lr', 'a finite number ≥ 0 or a schedule spec', learningRate, type);
  }
  let schedule: Schedule;
  try {
    const registry = options.scheduleRegistry;
    schedule = toSchedule(learningRate as number | ScheduleSpec, registry === undefined ? {} : { registry });
  } catch (error) {
    if (error instanceof ScheduleSpecError) {
      throw new OptimizerSpecError(
        error.field === 'spec' ? 'lr' : `lr.${error.field}`,
        error.allowed,
        error.received,
        type,
      );
    }
    throw error;
  }
  if (schedule.unit === 'epoch') {
    const stepsPerEpoch = options.stepsPerEpoch;
    if (stepsPerEpoch === undefined || !Number.isInteger(stepsPerEpoch) || stepsPerEpoch <= 0) {
      throw new OptimizerSpecError(
        'lr.unit',
        '"step", or "epoch" when createOptimizer gets an integer stepsPerEpoch > 0',
        'epoch',
        type,
      );
    }
  }
  return schedule;
}

function readOptionalPositive(value: unknown, field: string, type: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new OptimizerSpecError(field, 'a finite number > 0', value, type);
  }
  return value;
}
