import type { ScheduleSpec } from '@contour/schedules';

/**
 * A starting spec per built-in schedule type, sized to be readable over the designer's default 200
 * steps. Picking a type in the designer starts from its template (plugins start from `{type}`).
 */
export const scheduleTemplates: Readonly<Record<string, ScheduleSpec>> = {
  constant: { type: 'constant', lr: 0.1 },
  step: { type: 'step', lr: 0.1, stepSize: 50, gamma: 0.5 },
  multiStep: { type: 'multiStep', lr: 0.1, milestones: [60, 120, 160], gamma: 0.2 },
  constantFactor: { type: 'constantFactor', lr: 0.1, factor: 1 / 3, totalIters: 50 },
  linear: { type: 'linear', lr: 0.1, startFactor: 1 / 3, endFactor: 1, totalIters: 100 },
  exponential: { type: 'exponential', lr: 0.1, gamma: 0.98 },
  polynomial: { type: 'polynomial', lr: 0.1, totalIters: 200, power: 2 },
  cosine: { type: 'cosine', lr: 0.1, tMax: 200, etaMin: 0.001 },
  cosineWarmRestarts: { type: 'cosineWarmRestarts', lr: 0.1, t0: 25, tMult: 2, etaMin: 0 },
  cyclic: { type: 'cyclic', baseLr: 0.001, maxLr: 0.1, stepSizeUp: 25, mode: 'triangular2' },
  oneCycle: { type: 'oneCycle', maxLr: 0.1, totalSteps: 200 },
  exponentialDecay: { type: 'exponentialDecay', lr: 0.1, decaySteps: 50, decayRate: 0.5, staircase: true },
  inverseTimeDecay: { type: 'inverseTimeDecay', lr: 0.1, decaySteps: 20, decayRate: 0.5 },
  polynomialDecay: { type: 'polynomialDecay', lr: 0.1, decaySteps: 150, endLr: 0.001, power: 2 },
  piecewiseConstant: { type: 'piecewiseConstant', boundaries: [50, 150], values: [0.1, 0.05, 0.01] },
  cosineDecay: { type: 'cosineDecay', lr: 0, decaySteps: 180, warmupTarget: 0.1, warmupSteps: 20 },
  cosineDecayRestarts: { type: 'cosineDecayRestarts', lr: 0.1, firstDecaySteps: 40 },
  caffe: { type: 'caffe', policy: 'inv', lr: 0.1, gamma: 0.01, power: 0.75 },
  reduceOnPlateau: { type: 'reduceOnPlateau', lr: 0.1, patience: 10 },
  warmup: { type: 'warmup', lr: 0.1, steps: 20, schedule: { type: 'cosine', tMax: 180, etaMin: 0.001 } },
  sequential: {
    type: 'sequential',
    lr: 0.1,
    schedules: [
      { type: 'linear', startFactor: 0.1, totalIters: 30 },
      { type: 'exponential', gamma: 0.98 },
    ],
    milestones: [30],
  },
  chain: {
    type: 'chain',
    lr: 0.1,
    schedules: [
      { type: 'cosine', tMax: 200 },
      { type: 'cyclic', baseLr: 0.5, maxLr: 1, stepSizeUp: 10, cycleMomentum: false },
    ],
  },
  expr: { type: 'expr', lr: 0.1, expr: 'lr * 0.5 * (1 + cos(PI * t / 200))' },
};

/** The template of `type`, or a bare `{ type }` for types without one (plugins). */
export function scheduleTemplate(type: string): ScheduleSpec {
  const template = scheduleTemplates[type];
  return template ? (structuredClone(template) as ScheduleSpec) : { type };
}
