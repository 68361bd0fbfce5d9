import type { ScheduleSpec } from '@contour/schedules';

/** The number of steps the templates below are written for; `scheduleTemplate` rescales them. */
export const templateSteps = 200;

/**
 * A starting spec per built-in schedule type, written to be readable over 200 steps (rescaled by
 * {@link scheduleTemplate} to the steps the designer plots). Picking a type in the designer starts
 * from its template (plugins start from `{type}`).
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

/** Parameters that count steps (integers ≥ 1), at any depth of a spec. */
const stepCountKeys = new Set([
  'stepSize',
  'totalIters',
  'tMax',
  't0',
  'stepSizeUp',
  'stepSizeDown',
  'totalSteps',
  'decaySteps',
  'warmupSteps',
  'firstDecaySteps',
  'steps',
]);

/** Lists of step indices (strictly increasing), at any depth of a spec. */
const stepListKeys = new Set(['milestones', 'boundaries']);

/**
 * A template spec rescaled from 200 steps to `steps`: step counts and step lists are multiplied by
 * steps / 200 (rounded, at least 1, lists kept strictly increasing), a per-step decay factor is
 * raised to the power 200 / steps (exponential's γ; Caffe inv's γ is multiplied by 200 / steps), and
 * `expr` formulas written over 200 steps are rewritten over `steps`. So every template shows the same
 * shape over the steps the designer plots — the Sweep lab's run length by default (at least 10
 * steps: below that, the template of 10).
 */
export function rescaleTemplate(spec: ScheduleSpec, steps: number): Record<string, unknown> {
  // Editable JSON from here on (the designer's form edits any field, plugin types included).
  const json = structuredClone(spec) as unknown as Record<string, unknown>;
  if (steps === templateSteps) return json;
  // Every phase of a template needs a step or more (oneCycle's three): 10 steps at the least.
  const factor = Math.max(steps, 10) / templateSteps;
  // Positions are rescaled, not lengths, so pieces that follow each other (a warmup and what it
  // leads into, sequential members) still add up to `steps`.
  const at = (position: number) => Math.round(position * factor);
  const rescale = (node: Record<string, unknown>, offset: number): Record<string, unknown> => {
    const length = (value: number) => Math.max(1, at(offset + value) - at(offset));
    const next: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(node)) {
      if (stepCountKeys.has(key) && typeof value === 'number') next[key] = length(value);
      else if (stepListKeys.has(key) && Array.isArray(value)) {
        const list: number[] = [];
        for (const entry of value as number[])
          list.push(Math.max(length(entry), (list[list.length - 1] ?? 0) + 1));
        next[key] = list;
      } else next[key] = structuredClone(value);
    }
    if (node.schedule && typeof node.schedule === 'object') {
      const start = node.type === 'warmup' && typeof node.steps === 'number' ? node.steps : 0;
      next.schedule = rescale(node.schedule as Record<string, unknown>, offset + start);
    }
    if (Array.isArray(node.schedules)) {
      const milestones =
        node.type === 'sequential' && Array.isArray(node.milestones) ? (node.milestones as number[]) : [];
      next.schedules = node.schedules.map((member, index) =>
        rescale(member as Record<string, unknown>, offset + (index === 0 ? 0 : (milestones[index - 1] ?? 0))),
      );
    }
    if (node.type === 'exponential' && typeof node.gamma === 'number')
      next.gamma = node.gamma ** (1 / factor);
    if (node.type === 'caffe' && node.policy === 'inv' && typeof node.gamma === 'number')
      next.gamma = node.gamma / factor;
    if (node.type === 'expr' && typeof node.expr === 'string')
      next.expr = node.expr.replaceAll(`/ ${templateSteps})`, `/ ${Math.round(factor * templateSteps)})`);
    return next;
  };
  return rescale(json, 0);
}

/** The template of `type` over `steps` steps (default 200), or a bare `{ type }` for types without one (plugins). */
export function scheduleTemplate(type: string, steps = templateSteps): Record<string, unknown> {
  const template = scheduleTemplates[type];
  return template ? rescaleTemplate(template, steps) : { type };
}
