import { ScheduleSpecError } from '../errors.js';
import type { ScheduleDefinition } from '../types.js';
import {
  learningRateParameter,
  nonNegativeNumber,
  positiveNumber,
  unitInterval,
} from './parameter-presets.js';

// Keras 3 keras.optimizers.schedules, evaluated in float64 at the step t.

const staircaseParameter = {
  kind: 'boolean',
  default: false,
  description: 'decay in discrete intervals: floor(t/decaySteps)',
} as const;

/** `exponentialDecay`: η(t) = lr·decayRate^(t/decaySteps), floored when staircase (Keras ExponentialDecay). */
export const exponentialDecaySchedule: ScheduleDefinition = {
  description: 'η(t) = lr·decayRate^(t/decaySteps) (exponent floored when staircase)',
  reference: 'Keras ExponentialDecay',
  parameters: {
    lr: learningRateParameter,
    decaySteps: positiveNumber('steps over which the rate is multiplied by decayRate'),
    decayRate: positiveNumber('decay per decaySteps'),
    staircase: staircaseParameter,
  },
  create: (parameters) => {
    const lr = parameters.lr as number;
    const decaySteps = parameters.decaySteps as number;
    const decayRate = parameters.decayRate as number;
    const staircase = parameters.staircase as boolean;
    return {
      value: (t) => {
        const progress = t / decaySteps;
        return lr * decayRate ** (staircase ? Math.floor(progress) : progress);
      },
    };
  },
};

/** `inverseTimeDecay`: η(t) = lr/(1 + decayRate·t/decaySteps) (Keras InverseTimeDecay). */
export const inverseTimeDecaySchedule: ScheduleDefinition = {
  description: 'η(t) = lr/(1 + decayRate·t/decaySteps) (t/decaySteps floored when staircase)',
  reference: 'Keras InverseTimeDecay',
  parameters: {
    lr: learningRateParameter,
    decaySteps: positiveNumber('steps per unit of decay'),
    decayRate: nonNegativeNumber('decay rate'),
    staircase: staircaseParameter,
  },
  create: (parameters) => {
    const lr = parameters.lr as number;
    const decaySteps = parameters.decaySteps as number;
    const decayRate = parameters.decayRate as number;
    const staircase = parameters.staircase as boolean;
    return {
      value: (t) => {
        const progress = t / decaySteps;
        return lr / (1 + decayRate * (staircase ? Math.floor(progress) : progress));
      },
    };
  },
};

/** `polynomialDecay`: η(t) = (lr − endLr)(1 − t/D)^power + endLr, t clipped to D or D cycled (Keras PolynomialDecay). */
export const polynomialDecaySchedule: ScheduleDefinition = {
  description:
    'η(t) = (lr − endLr)·(1 − min(t, D)/D)^power + endLr; with cycle D becomes D·ceil(t/D) (1 at t = 0)',
  reference: 'Keras PolynomialDecay',
  parameters: {
    lr: learningRateParameter,
    decaySteps: positiveNumber('steps to reach endLr'),
    endLr: nonNegativeNumber('final rate', 1e-4),
    power: nonNegativeNumber('power of the polynomial', 1),
    cycle: { kind: 'boolean', default: false, description: 'restart the decay past decaySteps' },
  },
  create: (parameters) => {
    const lr = parameters.lr as number;
    const decaySteps = parameters.decaySteps as number;
    const endLr = parameters.endLr as number;
    const power = parameters.power as number;
    const cycle = parameters.cycle as boolean;
    return {
      value: (t) => {
        let steps = decaySteps;
        let step = t;
        if (cycle) steps = decaySteps * (t === 0 ? 1 : Math.ceil(t / decaySteps));
        else step = Math.min(t, decaySteps);
        return (lr - endLr) * (1 - step / steps) ** power + endLr;
      },
    };
  },
};

/** `piecewiseConstant`: values[i] for boundaries[i−1] < t ≤ boundaries[i] (Keras PiecewiseConstantDecay). */
export const piecewiseConstantSchedule: ScheduleDefinition = {
  description:
    'values[0] for t ≤ boundaries[0], values[i] for boundaries[i−1] < t ≤ boundaries[i], last value after',
  reference: 'Keras PiecewiseConstantDecay (switches after a boundary, t > b)',
  parameters: {
    boundaries: {
      kind: 'numbers',
      min: 0,
      order: 'increasing',
      minLength: 1,
      description: 'steps after which the next value applies',
    },
    values: { kind: 'numbers', min: 0, minLength: 2, description: 'rates, one more than boundaries' },
  },
  create: (parameters) => {
    const boundaries = parameters.boundaries as number[];
    const values = parameters.values as number[];
    if (values.length !== boundaries.length + 1) {
      throw new ScheduleSpecError(
        'values',
        `an array of exactly boundaries.length + 1 = ${boundaries.length + 1} rates`,
        values,
        'piecewiseConstant',
      );
    }
    return {
      baseLearningRate: values[0] as number,
      // Keras switches after a boundary: the index is the number of boundaries strictly below t.
      value: (t) => {
        let index = 0;
        while (index < boundaries.length && t > (boundaries[index] as number)) index += 1;
        return values[index] as number;
      },
    };
  },
};

/** `cosineDecay`: Keras CosineDecay with optional linear warmup (decaySteps excludes warmup). */
export const cosineDecaySchedule: ScheduleDefinition = {
  description:
    'warmup: lr + (warmupTarget − lr)·t/warmupSteps; then from = warmupTarget ?? lr, s = min(t − warmupSteps, decaySteps): from·((1 − alpha)·(1 + cos(π·s/decaySteps))/2 + alpha)',
  reference: 'Keras CosineDecay',
  parameters: {
    lr: learningRateParameter,
    decaySteps: positiveNumber('steps of the cosine decay (warmup not included)'),
    alpha: unitInterval('final rate as a fraction of the rate decayed from', 0),
    warmupTarget: {
      ...nonNegativeNumber('rate reached at the end of warmup (no warmup when absent)'),
      optional: true,
    },
    warmupSteps: nonNegativeNumber('steps of linear warmup', 0),
  },
  create: (parameters) => {
    const lr = parameters.lr as number;
    const decaySteps = parameters.decaySteps as number;
    const alpha = parameters.alpha as number;
    const warmupTarget = parameters.warmupTarget as number | undefined;
    const warmupSteps = parameters.warmupSteps as number;
    const decay = (step: number, from: number) => {
      const cosineDecayed = 0.5 * (1 + Math.cos(Math.PI * (step / decaySteps)));
      return from * ((1 - alpha) * cosineDecayed + alpha);
    };
    if (warmupTarget === undefined) {
      return { value: (t) => decay(Math.min(t, decaySteps), lr) };
    }
    return {
      value: (t) => {
        const step = Math.min(t, decaySteps + warmupSteps);
        if (step < warmupSteps) return (warmupTarget - lr) * (step / warmupSteps) + lr;
        return decay(step - warmupSteps, warmupTarget);
      },
    };
  },
};

/**
 * Restart index and fraction inside the current period for SGDR with geometric periods: period i
 * lasts tMul^i (in units of firstDecaySteps). Computed by exact accumulation rather than Keras's
 * floor(log(...)/log(tMul)), which can land one period off at a boundary through rounding.
 */
export function restartPosition(completed: number, tMul: number): { restart: number; fraction: number } {
  if (tMul === 1) {
    const restart = Math.floor(completed);
    return { restart, fraction: completed - restart };
  }
  let restart = 0;
  let start = 0;
  let length = 1;
  while (completed >= start + length) {
    start += length;
    length *= tMul;
    restart += 1;
  }
  return { restart, fraction: (completed - start) / length };
}

/** `cosineDecayRestarts`: Keras CosineDecayRestarts (SGDR): periods ×tMul, amplitudes ×mMul. */
export const cosineDecayRestartsSchedule: ScheduleDefinition = {
  description:
    'period i lasts firstDecaySteps·tMul^i; inside it at fraction f: lr·((1 − alpha)·mMul^i·(1 + cos(π·f))/2 + alpha)',
  reference: 'Keras CosineDecayRestarts',
  parameters: {
    lr: learningRateParameter,
    firstDecaySteps: positiveNumber('steps of the first period'),
    tMul: { kind: 'number', min: 0, default: 2, description: 'period length factor per restart' },
    mMul: nonNegativeNumber('amplitude factor per restart', 1),
    alpha: unitInterval('minimum rate as a fraction of lr', 0),
  },
  create: (parameters) => {
    const lr = parameters.lr as number;
    const firstDecaySteps = parameters.firstDecaySteps as number;
    const tMul = parameters.tMul as number;
    const mMul = parameters.mMul as number;
    const alpha = parameters.alpha as number;
    if (tMul < 1) {
      // Keras computes log(1 − c·(1 − tMul)) which is undefined for large c when tMul < 1.
      throw new ScheduleSpecError('tMul', 'a finite number ≥ 1', tMul, 'cosineDecayRestarts');
    }
    return {
      value: (t) => {
        const { restart, fraction } = restartPosition(t / firstDecaySteps, tMul);
        const cosineDecayed = 0.5 * mMul ** restart * (1 + Math.cos(Math.PI * fraction));
        return lr * ((1 - alpha) * cosineDecayed + alpha);
      },
    };
  },
};
