import { ScheduleSpecError } from '../errors.js';
import type { ScheduleDefinition } from '../types.js';
import { learningRateParameter } from './parameter-presets.js';
import { countAtOrBelow } from './pytorch.js';

/** Which parameters each Caffe lr_policy needs (SGDSolver::GetLearningRate). */
const requiredByPolicy: Readonly<Record<string, readonly string[]>> = {
  fixed: [],
  step: ['gamma', 'stepSize'],
  exp: ['gamma'],
  inv: ['gamma', 'power'],
  multistep: ['gamma', 'stepValues'],
  poly: ['power', 'maxIter'],
  sigmoid: ['gamma', 'stepSize'],
};

/**
 * `caffe`: Caffe's SGDSolver::GetLearningRate with `lr` = base_lr and t = iter:
 * fixed base · step base·γ^⌊t/stepSize⌋ · exp base·γ^t · inv base·(1 + γt)^(−power) ·
 * multistep base·γ^(stepValues ≤ t) · poly base·(1 − t/maxIter)^power · sigmoid base/(1 + e^(−γ(t − stepSize))).
 * Past maxIter (where Caffe stops training) poly holds 0. Ranges as Caffe's formulas need them:
 * γ ≥ 0 for step, exp, inv and multistep; any finite γ for sigmoid (Caffe's examples use γ < 0,
 * the decaying form; γ > 0 rises from base/(1 + e^(γ·stepSize)) towards base); stepSize ≥ 1 for
 * step, ≥ 0 (the midpoint) for sigmoid; maxIter > 0 for poly.
 */
export const caffeSchedule: ScheduleDefinition = {
  description: 'Caffe lr_policy: fixed, step, exp, inv, multistep, poly, sigmoid (lr is base_lr, t is iter)',
  reference: 'Caffe SGDSolver::GetLearningRate',
  parameters: {
    policy: {
      kind: 'choice',
      choices: Object.keys(requiredByPolicy),
      description: 'Caffe lr_policy',
    },
    lr: learningRateParameter,
    gamma: {
      kind: 'number',
      optional: true,
      description:
        'decay factor: ≥ 0 for step, exp, inv, multistep; any finite number for sigmoid (< 0 decays, > 0 grows)',
    },
    power: { kind: 'number', optional: true, description: 'power (inv, poly)' },
    stepSize: {
      kind: 'number',
      integer: true,
      min: 0,
      minInclusive: true,
      optional: true,
      description: 'stepsize: ≥ 1 for step (its period), ≥ 0 for sigmoid (its midpoint)',
    },
    stepValues: {
      kind: 'numbers',
      integer: true,
      min: 0,
      order: 'increasing',
      optional: true,
      description: 'stepvalue list (multistep)',
    },
    maxIter: { kind: 'number', integer: true, min: 0, optional: true, description: 'max_iter (poly)' },
  },
  create: (parameters) => {
    const policy = parameters.policy as string;
    const required = requiredByPolicy[policy] ?? [];
    for (const name of Object.keys(parameters)) {
      if (name !== 'policy' && name !== 'lr' && !required.includes(name)) {
        throw new ScheduleSpecError(
          name,
          `absent for policy "${policy}" (it uses: ${['lr', ...required].join(', ')})`,
          parameters[name],
          'caffe',
        );
      }
    }
    for (const name of required) {
      if (parameters[name] === undefined) {
        throw new ScheduleSpecError(name, `given for policy "${policy}"`, undefined, 'caffe');
      }
    }
    const base = parameters.lr as number;
    const gamma = parameters.gamma as number;
    const power = parameters.power as number;
    const stepSize = parameters.stepSize as number;
    const maxIter = parameters.maxIter as number;
    // Ranges follow Caffe's formulas per policy: a negative γ makes step/exp/multistep rates
    // alternate in sign and inv's base (1 + γt) reach 0, while sigmoid decays only with γ < 0.
    if (['step', 'exp', 'inv', 'multistep'].includes(policy) && !(gamma >= 0))
      throw new ScheduleSpecError('gamma', `a finite number ≥ 0 for policy "${policy}"`, gamma, 'caffe');
    if (policy === 'step' && !(stepSize >= 1))
      throw new ScheduleSpecError(
        'stepSize',
        'an integer ≥ 1 for policy "step" (its period)',
        stepSize,
        'caffe',
      );
    switch (policy) {
      case 'fixed':
        return { value: () => base };
      case 'step':
        return { value: (t) => base * gamma ** Math.floor(t / stepSize) };
      case 'exp':
        return { value: (t) => base * gamma ** t };
      case 'inv':
        return { value: (t) => base * (1 + gamma * t) ** -power };
      case 'multistep': {
        const stepValues = parameters.stepValues as number[];
        return { value: (t) => base * gamma ** countAtOrBelow(stepValues, t) };
      }
      case 'poly':
        if (power < 0)
          throw new ScheduleSpecError('power', 'a finite number ≥ 0 for policy "poly"', power, 'caffe');
        return { value: (t) => (t > maxIter ? 0 : base * (1 - t / maxIter) ** power) };
      default:
        return { value: (t) => base * (1 / (1 + Math.exp(-gamma * (t - stepSize)))) };
    }
  },
};
