import { describeValue, ScheduleValueError } from '../errors.js';
import type { JsonValue, ScheduleDefinition } from '../types.js';
import { learningRateParameter, nonNegativeNumber } from './parameter-presets.js';

/** Plain-data state of `reduceOnPlateau`; `best` is null until the first metric (PyTorch: ±inf). */
export interface PlateauState {
  readonly learningRate: number;
  readonly best: number | null;
  readonly badEpochs: number;
  readonly cooldownCounter: number;
  readonly observed: number;
}

function isPlateauState(value: unknown): value is PlateauState {
  if (typeof value !== 'object' || value === null) return false;
  const state = value as Record<string, unknown>;
  return (
    typeof state.learningRate === 'number' &&
    (state.best === null || typeof state.best === 'number') &&
    Number.isInteger(state.badEpochs) &&
    Number.isInteger(state.cooldownCounter) &&
    Number.isInteger(state.observed)
  );
}

/**
 * `reduceOnPlateau`: PyTorch ReduceLROnPlateau. Each observed metric either improves on the best
 * (rel/min: a < best·(1 − threshold); abs/min: a < best − threshold; mirrored for max) or counts a
 * bad epoch; bad epochs reset during cooldown; when bad epochs > patience the rate becomes
 * max(rate·factor, minLr), applied only if the change exceeds eps, and cooldown starts.
 */
export const reduceOnPlateauSchedule: ScheduleDefinition = {
  description: 'rate ×factor after more than `patience` observed metrics without improvement (stateful)',
  reference: 'PyTorch ReduceLROnPlateau',
  parameters: {
    lr: learningRateParameter,
    mode: {
      kind: 'choice',
      choices: ['min', 'max'],
      default: 'min',
      description: 'whether lower or higher metrics are better',
    },
    factor: { kind: 'number', min: 0, max: 1, default: 0.1, description: 'rate multiplier on a plateau' },
    patience: {
      kind: 'number',
      integer: true,
      min: 0,
      minInclusive: true,
      default: 10,
      description: 'bad metrics tolerated',
    },
    threshold: nonNegativeNumber('minimum relative or absolute improvement', 1e-4),
    thresholdMode: {
      kind: 'choice',
      choices: ['rel', 'abs'],
      default: 'rel',
      description: 'how threshold is applied',
    },
    cooldown: {
      kind: 'number',
      integer: true,
      min: 0,
      minInclusive: true,
      default: 0,
      description: 'metrics ignored after a reduction',
    },
    minLr: nonNegativeNumber('lower bound of the rate', 0),
    eps: nonNegativeNumber('smallest change applied', 1e-8),
  },
  create: (parameters) => {
    const initialRate = parameters.lr as number;
    const maximize = parameters.mode === 'max';
    const factor = parameters.factor as number;
    const patience = parameters.patience as number;
    const threshold = parameters.threshold as number;
    const relative = parameters.thresholdMode === 'rel';
    const cooldown = parameters.cooldown as number;
    const minLr = parameters.minLr as number;
    const eps = parameters.eps as number;
    let state: PlateauState = {
      learningRate: initialRate,
      best: null,
      badEpochs: 0,
      cooldownCounter: 0,
      observed: 0,
    };

    const isBetter = (metric: number, best: number | null): boolean => {
      const reference = best ?? (maximize ? -Infinity : Infinity);
      if (maximize) return relative ? metric > reference * (1 + threshold) : metric > reference + threshold;
      return relative ? metric < reference * (1 - threshold) : metric < reference - threshold;
    };

    return {
      baseLearningRate: initialRate,
      value: () => state.learningRate,
      state: {
        observe: (metric) => {
          let { learningRate, best, badEpochs, cooldownCounter } = state;
          // NaN is never better (as in PyTorch): it counts as a bad epoch.
          if (isBetter(metric, best)) {
            best = metric;
            badEpochs = 0;
          } else {
            badEpochs += 1;
          }
          if (cooldownCounter > 0) {
            cooldownCounter -= 1;
            badEpochs = 0;
          }
          if (badEpochs > patience) {
            const reduced = Math.max(learningRate * factor, minLr);
            if (learningRate - reduced > eps) learningRate = reduced;
            cooldownCounter = cooldown;
            badEpochs = 0;
          }
          state = { learningRate, best, badEpochs, cooldownCounter, observed: state.observed + 1 };
        },
        get: () => ({ ...state }) as unknown as JsonValue,
        set: (saved) => {
          if (!isPlateauState(saved)) {
            throw new ScheduleValueError(
              `reduceOnPlateau state must be {learningRate, best, badEpochs, cooldownCounter, observed}; got ${describeValue(saved)}`,
            );
          }
          state = { ...(saved as PlateauState) };
        },
      },
    };
  },
};
