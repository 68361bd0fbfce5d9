import { ScheduleSpecError } from '../errors.js';
import type { ScheduleDefinition } from '../types.js';
import {
  learningRateParameter,
  nonNegativeNumber,
  positiveInteger,
  positiveNumber,
  unitInterval,
} from './parameter-presets.js';

// Closed forms of PyTorch's torch.optim.lr_scheduler classes. PyTorch counts t as the number of
// scheduler.step() calls; the rate during step t is read before the t-th step().

/** Number of elements of a sorted list that are ≤ t (bisect_right). */
export function countAtOrBelow(sorted: readonly number[], t: number): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((sorted[middle] as number) <= t) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** `constant`: η(t) = lr. */
export const constantSchedule: ScheduleDefinition = {
  description: 'η(t) = lr',
  parameters: { lr: learningRateParameter },
  create: ({ lr }) => ({ value: () => lr as number }),
};

/** `step`: η(t) = lr·γ^⌊t/stepSize⌋ (PyTorch StepLR). */
export const stepSchedule: ScheduleDefinition = {
  description: 'η(t) = lr·gamma^floor(t/stepSize)',
  reference: 'PyTorch StepLR',
  parameters: {
    lr: learningRateParameter,
    stepSize: positiveInteger('steps between decays'),
    gamma: positiveNumber('multiplicative decay per stepSize steps', 0.1),
  },
  create: (parameters) => {
    const lr = parameters.lr as number;
    const stepSize = parameters.stepSize as number;
    const gamma = parameters.gamma as number;
    return { value: (t) => lr * gamma ** Math.floor(t / stepSize) };
  },
};

/** `multiStep`: η(t) = lr·γ^(number of milestones ≤ t) (PyTorch MultiStepLR; repeats count twice). */
export const multiStepSchedule: ScheduleDefinition = {
  description: 'η(t) = lr·gamma^(number of milestones ≤ t)',
  reference: 'PyTorch MultiStepLR',
  parameters: {
    lr: learningRateParameter,
    milestones: {
      kind: 'numbers',
      integer: true,
      min: 0,
      order: 'nondecreasing',
      description:
        'steps at which the rate is multiplied by gamma (a repeated milestone applies gamma twice)',
    },
    gamma: positiveNumber('multiplicative decay at each milestone', 0.1),
  },
  create: (parameters) => {
    const lr = parameters.lr as number;
    const milestones = parameters.milestones as number[];
    const gamma = parameters.gamma as number;
    return { value: (t) => lr * gamma ** countAtOrBelow(milestones, t) };
  },
};

/** `constantFactor`: η(t) = lr·(factor if t < totalIters else 1) (PyTorch ConstantLR). */
export const constantFactorSchedule: ScheduleDefinition = {
  description: 'η(t) = lr·factor for t < totalIters, then lr',
  reference: 'PyTorch ConstantLR',
  parameters: {
    lr: learningRateParameter,
    factor: unitInterval('factor applied before totalIters', 1 / 3),
    totalIters: positiveInteger('steps the factor lasts', 5),
  },
  create: (parameters) => {
    const lr = parameters.lr as number;
    const factor = parameters.factor as number;
    const totalIters = parameters.totalIters as number;
    return { value: (t) => lr * (t < totalIters ? factor : 1) };
  },
};

/** `linear`: η(t) = lr·(s + (e − s)·min(T, t)/T) (PyTorch LinearLR). */
export const linearSchedule: ScheduleDefinition = {
  description: 'η(t) = lr·(startFactor + (endFactor − startFactor)·min(totalIters, t)/totalIters)',
  reference: 'PyTorch LinearLR',
  parameters: {
    lr: learningRateParameter,
    startFactor: { ...unitInterval('factor at t = 0', 1 / 3), minInclusive: false },
    endFactor: unitInterval('factor from t = totalIters on', 1),
    totalIters: positiveInteger('steps of the linear change', 5),
  },
  create: (parameters) => {
    const lr = parameters.lr as number;
    const start = parameters.startFactor as number;
    const end = parameters.endFactor as number;
    const total = parameters.totalIters as number;
    return { value: (t) => lr * (start + ((end - start) * Math.min(total, t)) / total) };
  },
};

/** `exponential`: η(t) = lr·γ^t (PyTorch ExponentialLR). */
export const exponentialSchedule: ScheduleDefinition = {
  description: 'η(t) = lr·gamma^t',
  reference: 'PyTorch ExponentialLR',
  parameters: {
    lr: learningRateParameter,
    gamma: positiveNumber('multiplicative decay per step'),
  },
  create: (parameters) => {
    const lr = parameters.lr as number;
    const gamma = parameters.gamma as number;
    return { value: (t) => lr * gamma ** t };
  },
};

/** `polynomial`: η(t) = lr·(1 − min(T, t)/T)^power (PyTorch PolynomialLR). */
export const polynomialSchedule: ScheduleDefinition = {
  description: 'η(t) = lr·(1 − min(totalIters, t)/totalIters)^power',
  reference: 'PyTorch PolynomialLR',
  parameters: {
    lr: learningRateParameter,
    totalIters: positiveInteger('steps until the rate reaches 0', 5),
    power: nonNegativeNumber('power of the polynomial', 1),
  },
  create: (parameters) => {
    const lr = parameters.lr as number;
    const total = parameters.totalIters as number;
    const power = parameters.power as number;
    return { value: (t) => lr * (1 - Math.min(total, t) / total) ** power };
  },
};

/** `cosine`: η(t) = η_min + (lr − η_min)(1 + cos(πt/T_max))/2, periodic past T_max (PyTorch CosineAnnealingLR). */
export const cosineSchedule: ScheduleDefinition = {
  description: 'η(t) = etaMin + (lr − etaMin)·(1 + cos(π·t/tMax))/2 (keeps going, periodic, past tMax)',
  reference: 'PyTorch CosineAnnealingLR (closed form)',
  parameters: {
    lr: learningRateParameter,
    tMax: positiveInteger('steps of one half cosine period'),
    etaMin: nonNegativeNumber('minimum rate', 0),
  },
  create: (parameters) => {
    const lr = parameters.lr as number;
    const tMax = parameters.tMax as number;
    const etaMin = parameters.etaMin as number;
    return { value: (t) => etaMin + ((lr - etaMin) * (1 + Math.cos((Math.PI * t) / tMax))) / 2 };
  },
};

/** Position inside the current restart period: T_cur and T_i (PyTorch CosineAnnealingWarmRestarts). */
export function warmRestartPosition(
  t: number,
  t0: number,
  tMult: number,
): { current: number; period: number } {
  if (tMult === 1) return { current: t % t0, period: t0 };
  let current = t;
  let period = t0;
  while (current >= period) {
    current -= period;
    period *= tMult;
  }
  return { current, period };
}

/** `cosineWarmRestarts`: cosine annealing restarted every T_i steps, T_i = t0·tMult^i (SGDR). */
export const cosineWarmRestartsSchedule: ScheduleDefinition = {
  description:
    'η(t) = etaMin + (lr − etaMin)·(1 + cos(π·T_cur/T_i))/2; when T_cur ≥ T_i: T_cur −= T_i, T_i ·= tMult',
  reference: 'PyTorch CosineAnnealingWarmRestarts',
  parameters: {
    lr: learningRateParameter,
    t0: positiveInteger('steps of the first period'),
    tMult: {
      kind: 'number',
      integer: true,
      min: 1,
      minInclusive: true,
      default: 1,
      description: 'period growth factor',
    },
    etaMin: nonNegativeNumber('minimum rate', 0),
  },
  create: (parameters) => {
    const lr = parameters.lr as number;
    const t0 = parameters.t0 as number;
    const tMult = parameters.tMult as number;
    const etaMin = parameters.etaMin as number;
    return {
      value: (t) => {
        const { current, period } = warmRestartPosition(t, t0, tMult);
        return etaMin + ((lr - etaMin) * (1 + Math.cos((Math.PI * current) / period))) / 2;
      },
    };
  },
};

/** `cyclic`: PyTorch CyclicLR (triangular, triangular2, expRange) with inverse momentum cycling. */
export const cyclicSchedule: ScheduleDefinition = {
  description:
    'cycle = floor(1 + t/(up+down)), x = 1 + t/(up+down) − cycle, scale = x/ratio or (x−1)/(ratio−1); η = baseLr + (maxLr − baseLr)·scale·f',
  reference: 'PyTorch CyclicLR',
  parameters: {
    baseLr: nonNegativeNumber('lower rate of the cycle'),
    maxLr: nonNegativeNumber('upper rate of the cycle'),
    stepSizeUp: positiveInteger('steps of the increasing half', 2000),
    stepSizeDown: {
      ...positiveInteger('steps of the decreasing half (default: stepSizeUp)'),
      optional: true,
    },
    mode: {
      kind: 'choice',
      choices: ['triangular', 'triangular2', 'expRange'],
      default: 'triangular',
      description: 'amplitude policy: constant, halved each cycle, or gamma^t',
    },
    gamma: positiveNumber('decay of expRange: amplitude·gamma^t', 1),
    cycleMomentum: { kind: 'boolean', default: true, description: 'cycle momentum inversely to the rate' },
    baseMomentum: nonNegativeNumber('momentum at the peak rate', 0.8),
    maxMomentum: nonNegativeNumber('momentum at the base rate', 0.9),
  },
  create: (parameters) => {
    const baseLr = parameters.baseLr as number;
    const maxLr = parameters.maxLr as number;
    const up = parameters.stepSizeUp as number;
    const down = (parameters.stepSizeDown as number | undefined) ?? up;
    const mode = parameters.mode as string;
    const gamma = parameters.gamma as number;
    const baseMomentum = parameters.baseMomentum as number;
    const maxMomentum = parameters.maxMomentum as number;
    const total = up + down;
    const ratio = up / total;
    const position = (t: number) => {
      const cycle = Math.floor(1 + t / total);
      const x = 1 + t / total - cycle;
      const scale = x <= ratio ? x / ratio : (x - 1) / (ratio - 1);
      const amplitude =
        mode === 'triangular' ? 1 : mode === 'triangular2' ? 1 / 2 ** (cycle - 1) : gamma ** t;
      return { scale, amplitude };
    };
    const behaviour = {
      baseLearningRate: baseLr,
      value: (t: number) => {
        const { scale, amplitude } = position(t);
        return baseLr + (maxLr - baseLr) * scale * amplitude;
      },
    };
    if (!(parameters.cycleMomentum as boolean)) return behaviour;
    return {
      ...behaviour,
      momentum: (t: number) => {
        const { scale, amplitude } = position(t);
        return maxMomentum - (maxMomentum - baseMomentum) * scale * amplitude;
      },
    };
  },
};

interface OneCyclePhase {
  readonly endStep: number;
  readonly startRate: number;
  readonly endRate: number;
  readonly startMomentum: number;
  readonly endMomentum: number;
}

/** `oneCycle`: PyTorch OneCycleLR, two or three phases, cosine or linear annealing, momentum cycled. */
export const oneCycleSchedule: ScheduleDefinition = {
  description:
    'rate from maxLr/divFactor up to maxLr until pctStart·totalSteps − 1, then down to initial/finalDivFactor at totalSteps − 1',
  reference: 'PyTorch OneCycleLR (past the end, where PyTorch raises, the final rate is held)',
  parameters: {
    maxLr: nonNegativeNumber('peak rate'),
    totalSteps: positiveInteger('steps in the cycle'),
    pctStart: unitInterval('fraction of the cycle spent increasing', 0.3),
    annealStrategy: {
      kind: 'choice',
      choices: ['cos', 'linear'],
      default: 'cos',
      description: 'annealing curve',
    },
    divFactor: positiveNumber('initial rate = maxLr/divFactor', 25),
    finalDivFactor: positiveNumber('final rate = initial rate/finalDivFactor', 1e4),
    threePhase: {
      kind: 'boolean',
      default: false,
      description: "fastai's three phases: up, back down, annihilate",
    },
    cycleMomentum: { kind: 'boolean', default: true, description: 'cycle momentum inversely to the rate' },
    baseMomentum: nonNegativeNumber('momentum at the peak rate', 0.85),
    maxMomentum: nonNegativeNumber('momentum at the start and end', 0.95),
  },
  create: (parameters) => {
    const maxLr = parameters.maxLr as number;
    const totalSteps = parameters.totalSteps as number;
    const pctStart = parameters.pctStart as number;
    const initialRate = maxLr / (parameters.divFactor as number);
    const minimumRate = initialRate / (parameters.finalDivFactor as number);
    const baseMomentum = parameters.baseMomentum as number;
    const maxMomentum = parameters.maxMomentum as number;
    const phases: OneCyclePhase[] = (parameters.threePhase as boolean)
      ? [
          {
            endStep: pctStart * totalSteps - 1,
            startRate: initialRate,
            endRate: maxLr,
            startMomentum: maxMomentum,
            endMomentum: baseMomentum,
          },
          {
            endStep: 2 * pctStart * totalSteps - 2,
            startRate: maxLr,
            endRate: initialRate,
            startMomentum: baseMomentum,
            endMomentum: maxMomentum,
          },
          {
            endStep: totalSteps - 1,
            startRate: initialRate,
            endRate: minimumRate,
            startMomentum: maxMomentum,
            endMomentum: maxMomentum,
          },
        ]
      : [
          {
            endStep: pctStart * totalSteps - 1,
            startRate: initialRate,
            endRate: maxLr,
            startMomentum: maxMomentum,
            endMomentum: baseMomentum,
          },
          {
            endStep: totalSteps - 1,
            startRate: maxLr,
            endRate: minimumRate,
            startMomentum: baseMomentum,
            endMomentum: maxMomentum,
          },
        ];
    let previousEnd = 0;
    for (const [index, phase] of phases.entries()) {
      // A phase of zero or negative length would divide by zero (PyTorch gives NaN there).
      if (!(phase.endStep > previousEnd)) {
        throw new ScheduleSpecError(
          'pctStart',
          `such that every phase has at least one step (phase ${index + 1} ends at step ${phase.endStep}, after step ${previousEnd})`,
          pctStart,
          'oneCycle',
        );
      }
      previousEnd = phase.endStep;
    }
    const anneal =
      parameters.annealStrategy === 'cos'
        ? (start: number, end: number, pct: number) =>
            end + ((start - end) / 2) * (1 + Math.cos(Math.PI * pct))
        : (start: number, end: number, pct: number) => (end - start) * pct + start;
    const locate = (t: number) => {
      const step = Math.min(t, totalSteps - 1);
      let startStep = 0;
      for (const [index, phase] of phases.entries()) {
        if (step <= phase.endStep || index === phases.length - 1) {
          return { phase, pct: (step - startStep) / (phase.endStep - startStep) };
        }
        startStep = phase.endStep;
      }
      throw new Error('unreachable: the last phase always matches');
    };
    const behaviour = {
      baseLearningRate: initialRate,
      value: (t: number) => {
        const { phase, pct } = locate(t);
        return anneal(phase.startRate, phase.endRate, pct);
      },
    };
    if (!(parameters.cycleMomentum as boolean)) return behaviour;
    return {
      ...behaviour,
      momentum: (t: number) => {
        const { phase, pct } = locate(t);
        return anneal(phase.startMomentum, phase.endMomentum, pct);
      },
    };
  },
};
