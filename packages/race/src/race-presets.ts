import { RaceSpecError } from './race-spec-error.js';
import type { Racer } from './racer.js';

/** The names `racePreset` accepts. */
export type RacePresetName = 'classic-race';

/** Every preset name. */
export const racePresetNames: readonly RacePresetName[] = ['classic-race'];

/** Rates of the classic race per surface: plain/momentum SGD, the adaptive methods, Adadelta. */
interface ClassicRates {
  readonly sgd: number;
  readonly adaptive: number;
  readonly adadelta: number;
}

/**
 * Rates chosen so that on each surface every racer moves visibly in a few hundred steps and the
 * first-order methods stay stable from the classic start (measured with 300 steps).
 */
const classicRates: Readonly<Record<string, ClassicRates>> = {
  rosenbrock: { sgd: 0.001, adaptive: 0.05, adadelta: 10 },
  beale: { sgd: 0.005, adaptive: 0.05, adadelta: 10 },
  booth: { sgd: 0.01, adaptive: 0.1, adadelta: 50 },
  himmelblau: { sgd: 0.002, adaptive: 0.05, adadelta: 10 },
  saddle: { sgd: 0.01, adaptive: 0.01, adadelta: 1 },
  quadratic: { sgd: 0.01, adaptive: 0.05, adadelta: 10 },
};

const fallbackRates: ClassicRates = { sgd: 0.001, adaptive: 0.01, adadelta: 1 };

/**
 * The racers of a preset for a surface. `classic-race`: sgd, momentum (μ 0.9), nesterov (μ 0.9),
 * adagrad (10× the adaptive rate, since its steps shrink as 1/√t), adadelta, rmsprop and adam,
 * with per-surface rates (unknown surfaces get conservative ones).
 *
 * @throws RaceSpecError listing the preset names for an unknown preset.
 */
export function racePreset(name: string, surfaceName: string): Racer[] {
  if (name !== 'classic-race')
    throw new RaceSpecError('preset', `one of ${racePresetNames.join(', ')}`, name);
  const rates = classicRates[surfaceName] ?? fallbackRates;
  return [
    { label: 'sgd', spec: { type: 'sgd', lr: rates.sgd } },
    { label: 'momentum', spec: { type: 'sgd', lr: rates.sgd, momentum: 0.9 } },
    { label: 'nesterov', spec: { type: 'sgd', lr: rates.sgd, momentum: 0.9, nesterov: true } },
    { label: 'adagrad', spec: { type: 'adagrad', lr: 10 * rates.adaptive } },
    { label: 'adadelta', spec: { type: 'adadelta', lr: rates.adadelta } },
    { label: 'rmsprop', spec: { type: 'rmsprop', lr: rates.adaptive } },
    { label: 'adam', spec: { type: 'adam', lr: rates.adaptive } },
  ];
}
