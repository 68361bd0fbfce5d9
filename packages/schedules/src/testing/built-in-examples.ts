import type { ConformanceExample } from './conformance.js';

/** One or more examples per built-in type: what the built-ins' own conformance run uses. */
export const builtInConformanceExamples: readonly ConformanceExample[] = [
  { spec: { type: 'constant', lr: 0.1 }, expected: [0.1, 0.1] },
  { spec: { type: 'step', lr: 0.1, stepSize: 3 }, expected: [0.1, 0.1, 0.1, 0.010000000000000002] },
  { spec: { type: 'multiStep', lr: 0.1, milestones: [2, 5], gamma: 0.5 }, expected: [0.1, 0.1, 0.05] },
  { spec: { type: 'constantFactor', lr: 0.3, factor: 0.5, totalIters: 2 }, expected: [0.15, 0.15, 0.3] },
  { spec: { type: 'linear', lr: 1, startFactor: 0.5, totalIters: 2 }, expected: [0.5, 0.75, 1, 1] },
  { spec: { type: 'exponential', lr: 1, gamma: 0.5 }, expected: [1, 0.5, 0.25] },
  { spec: { type: 'polynomial', lr: 1, totalIters: 2, power: 2 }, expected: [1, 0.25, 0, 0] },
  { spec: { type: 'cosine', lr: 1, tMax: 2 }, expected: [1, 0.5, 0, 0.5, 1] },
  { spec: { type: 'cosineWarmRestarts', lr: 1, t0: 2, tMult: 2 }, expected: [1, 0.5, 1] },
  {
    spec: { type: 'cyclic', baseLr: 0.1, maxLr: 0.5, stepSizeUp: 2 },
    expected: [0.1, 0.30000000000000004, 0.5, 0.30000000000000004, 0.1],
  },
  { spec: { type: 'oneCycle', maxLr: 1, totalSteps: 20 }, steps: 30 },
  { spec: { type: 'exponentialDecay', lr: 1, decaySteps: 2, decayRate: 0.25 }, expected: [1, 0.5, 0.25] },
  { spec: { type: 'inverseTimeDecay', lr: 1, decaySteps: 1, decayRate: 1 }, expected: [1, 0.5, 1 / 3] },
  { spec: { type: 'polynomialDecay', lr: 1, decaySteps: 2, endLr: 0 }, expected: [1, 0.5, 0, 0] },
  {
    spec: { type: 'piecewiseConstant', boundaries: [1, 2], values: [1, 0.5, 0.25] },
    expected: [1, 1, 0.5, 0.25],
  },
  { spec: { type: 'cosineDecay', lr: 1, decaySteps: 2 }, expected: [1, 0.5, 0] },
  {
    spec: { type: 'cosineDecay', lr: 0, decaySteps: 2, warmupTarget: 1, warmupSteps: 2 },
    expected: [0, 0.5, 1, 0.5, 0],
  },
  { spec: { type: 'cosineDecayRestarts', lr: 1, firstDecaySteps: 2 }, expected: [1, 0.5, 1] },
  { spec: { type: 'caffe', policy: 'inv', lr: 1, gamma: 1, power: 1 }, expected: [1, 0.5, 1 / 3] },
  {
    spec: { type: 'caffe', policy: 'poly', lr: 1, power: 1, maxIter: 4 },
    expected: [1, 0.75, 0.5, 0.25, 0, 0],
  },
  {
    spec: { type: 'reduceOnPlateau', lr: 1, patience: 1, factor: 0.5 },
    metrics: [3, 2, 2, 2, 2, 1, 1, 1, 1, 1, 1, 1],
    expected: [1, 1, 1, 1, 0.5, 0.5, 0.5, 0.5, 0.25, 0.25, 0.125, 0.125],
  },
  {
    spec: { type: 'warmup', lr: 1, steps: 2, schedule: { type: 'exponential', gamma: 0.5 } },
    expected: [0, 0.5, 1, 0.5],
  },
  {
    spec: {
      type: 'sequential',
      lr: 1,
      milestones: [2],
      schedules: [{ type: 'constant' }, { type: 'exponential', gamma: 0.5 }],
    },
    expected: [1, 1, 1, 0.5],
  },
  {
    spec: {
      type: 'chain',
      lr: 2,
      schedules: [
        { type: 'exponential', gamma: 0.5 },
        { type: 'constantFactor', factor: 0.5, totalIters: 1 },
      ],
    },
    expected: [1, 1, 0.5],
  },
  {
    spec: {
      type: 'chain',
      lr: 1,
      schedules: [
        { type: 'reduceOnPlateau', patience: 0 },
        { type: 'exponential', gamma: 0.9 },
      ],
    },
    metrics: [1, 2, 2, 0.5, 0.5, 0.5],
  },
  { spec: { type: 'expr', expr: '0.1 * 0.5 ^ floor(t / 2)' }, expected: [0.1, 0.1, 0.05, 0.05, 0.025] },
];
