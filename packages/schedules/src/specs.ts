/** What the step `t` counts: optimizer steps (batches) or epochs. */
export type ScheduleUnit = 'step' | 'epoch';

/** Fields every spec may carry. */
interface SpecBase {
  /** What t counts: "step" (default) or "epoch". */
  readonly unit?: ScheduleUnit;
}

/** Typed options of each built-in type (the JSON spec without `type`). */
export interface BuiltInScheduleOptions {
  constant: { lr: number };
  step: { lr: number; stepSize: number; gamma?: number };
  multiStep: { lr: number; milestones: readonly number[]; gamma?: number };
  constantFactor: { lr: number; factor?: number; totalIters?: number };
  linear: { lr: number; startFactor?: number; endFactor?: number; totalIters?: number };
  exponential: { lr: number; gamma: number };
  polynomial: { lr: number; totalIters?: number; power?: number };
  cosine: { lr: number; tMax: number; etaMin?: number };
  cosineWarmRestarts: { lr: number; t0: number; tMult?: number; etaMin?: number };
  cyclic: {
    baseLr: number;
    maxLr: number;
    stepSizeUp?: number;
    stepSizeDown?: number;
    mode?: 'triangular' | 'triangular2' | 'expRange';
    gamma?: number;
    cycleMomentum?: boolean;
    baseMomentum?: number;
    maxMomentum?: number;
  };
  oneCycle: {
    maxLr: number;
    totalSteps: number;
    pctStart?: number;
    annealStrategy?: 'cos' | 'linear';
    divFactor?: number;
    finalDivFactor?: number;
    threePhase?: boolean;
    cycleMomentum?: boolean;
    baseMomentum?: number;
    maxMomentum?: number;
  };
  exponentialDecay: { lr: number; decaySteps: number; decayRate: number; staircase?: boolean };
  inverseTimeDecay: { lr: number; decaySteps: number; decayRate: number; staircase?: boolean };
  polynomialDecay: { lr: number; decaySteps: number; endLr?: number; power?: number; cycle?: boolean };
  piecewiseConstant: { boundaries: readonly number[]; values: readonly number[] };
  cosineDecay: {
    lr: number;
    decaySteps: number;
    alpha?: number;
    warmupTarget?: number;
    warmupSteps?: number;
  };
  cosineDecayRestarts: { lr: number; firstDecaySteps: number; tMul?: number; mMul?: number; alpha?: number };
  caffe: {
    policy: 'fixed' | 'step' | 'exp' | 'inv' | 'multistep' | 'poly' | 'sigmoid';
    lr: number;
    gamma?: number;
    power?: number;
    stepSize?: number;
    stepValues?: readonly number[];
    maxIter?: number;
  };
  reduceOnPlateau: {
    lr: number;
    mode?: 'min' | 'max';
    factor?: number;
    patience?: number;
    threshold?: number;
    thresholdMode?: 'rel' | 'abs';
    cooldown?: number;
    minLr?: number;
    eps?: number;
  };
  warmup: { lr?: number; steps: number; startFactor?: number; schedule?: MemberSpec };
  sequential: { lr?: number; schedules: readonly MemberSpec[]; milestones: readonly number[] };
  chain: { lr: number; schedules: readonly MemberSpec[] };
  expr: { expr: string; lr?: number };
}

/**
 * Typed options of plugin schedule types, keyed by their namespaced id. Empty until a plugin
 * declares its types by declaration merging (its `.d.ts` then carries them to every user):
 *
 * @example
 * declare module '@contour/schedules' {
 *   interface PluginScheduleOptions {
 *     'acme:warmSine': { lr: number; steps: number };
 *   }
 * }
 */
// biome-ignore lint/suspicious/noEmptyInterface: filled by plugins through declaration merging.
export interface PluginScheduleOptions {}

/** Options of every type a spec may name: the built-ins and the plugin types declared so far. */
export type ScheduleOptions = BuiltInScheduleOptions & PluginScheduleOptions;

/** A type id a spec may name (built-in, or a plugin type declared in `PluginScheduleOptions`). */
export type ScheduleType = keyof ScheduleOptions & string;

/** The spec of one type: `{ type }`, `unit`, and that type's own options. */
export type ScheduleSpecOf<Type extends ScheduleType> = { readonly type: Type } & SpecBase &
  Readonly<ScheduleOptions[Type]>;

/**
 * A schedule spec, e.g. `{ type: 'step', lr: 0.1, stepSize: 30 }`: a union discriminated by
 * `type`, so a misspelt type or field, or a string where a number belongs, does not compile.
 * `unit` says whether `t` counts batches (`"step"`, the default) or epochs. Plugin types join the
 * union through `PluginScheduleOptions`; JSON read at run time goes through `createScheduleFromJson`.
 */
export type ScheduleSpec = { [Type in ScheduleType]: ScheduleSpecOf<Type> }[ScheduleType];

/** The JSON spec of a built-in type, e.g. `{"type": "step", "lr": 0.1, "stepSize": 30}`. */
export type BuiltInScheduleSpec = {
  [Type in keyof BuiltInScheduleOptions]: ScheduleSpecOf<Type>;
}[keyof BuiltInScheduleOptions];

/** A member of a combinator: any spec, whose `lr` may be omitted (it is inherited). */
export type MemberSpec = {
  [Type in ScheduleType]: 'lr' extends keyof ScheduleOptions[Type]
    ? { readonly type: Type } & SpecBase &
        Readonly<Omit<ScheduleOptions[Type], 'lr'>> & { readonly lr?: number }
    : ScheduleSpecOf<Type>;
}[ScheduleType];
