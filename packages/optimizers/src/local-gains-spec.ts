import { checkAtMost, nonNegative } from './common-fields.js';
import type { UpdateRuleSpec } from './rule-spec.js';

/** The spec of `localGains` (fields, defaults, checks; no tensors): the update is `localGainsRule`. */
export const localGainsSpec: UpdateRuleSpec = {
  type: 'localGains',
  description:
    'gain += increase when g keeps its sign, gain ×= decrease when it flips, clamp; p ← p − lr·gain·g',
  reference: 'Jacobs 1988; Hinton, lecture 6d',
  fields: {
    increase: nonNegative('added to a gain when the gradient keeps its sign', 0.05),
    decrease: {
      kind: 'number',
      description: 'gain factor when the sign flips',
      default: 0.95,
      min: 0,
      minExclusive: true,
      max: 1,
    },
    minGain: { kind: 'number', description: 'smallest gain', default: 0.1, min: 0, minExclusive: true },
    maxGain: { kind: 'number', description: 'largest gain', default: 10, min: 0, minExclusive: true },
    momentum: nonNegative('momentum factor μ', 0),
  },
  weightDecay: 'none',
  cycledMomentumField: 'momentum',
  validate(hyperparameters) {
    checkAtMost(hyperparameters, 'minGain', 'maxGain', 'localGains');
  },
};
