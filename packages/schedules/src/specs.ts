import type { ScheduleUnit } from './types.js';

/** Fields every spec may carry. */
interface SpecBase {
  /** What t counts: "step" (default) or "epoch". */
  readonly unit?: ScheduleUnit;
}

/** A member of a combinator: any spec, `lr` may be omitted and is inherited. */
export type MemberSpec = {
  readonly type: string;
  readonly lr?: number;
  readonly [parameter: string]: unknown;
};

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

/** The JSON spec of a built-in type, e.g. `{"type": "step", "lr": 0.1, "stepSize": 30}`. */
export type BuiltInScheduleSpec = {
  [Type in keyof BuiltInScheduleOptions]: { readonly type: Type } & SpecBase &
    Readonly<BuiltInScheduleOptions[Type]>;
}[keyof BuiltInScheduleOptions];
