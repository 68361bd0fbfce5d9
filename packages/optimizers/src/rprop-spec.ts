import { checkAtMost } from './common-fields.js';
import type { UpdateRuleSpec } from './rule-spec.js';

/** The spec of `rprop` (fields, defaults, checks; no tensors): the update is `rpropRule`. */
export const rpropSpec: UpdateRuleSpec = {
  type: 'rprop',
  description: 'step ×etaPlus on equal signs, ×etaMinus (and no move) on a sign flip; p ← p − sign(g)·step',
  reference: 'PyTorch torch.optim.Rprop',
  defaultLearningRate: 0.01,
  fields: {
    etaMinus: {
      kind: 'number',
      description: 'step factor on a sign flip',
      default: 0.5,
      min: 0,
      minExclusive: true,
      max: 1,
      maxExclusive: true,
    },
    etaPlus: {
      kind: 'number',
      description: 'step factor on equal signs',
      default: 1.2,
      min: 1,
      minExclusive: true,
    },
    stepMin: { kind: 'number', description: 'smallest step', default: 1e-6, min: 0 },
    stepMax: { kind: 'number', description: 'largest step', default: 50, min: 0 },
  },
  weightDecay: 'none',
  validate(hyperparameters) {
    checkAtMost(hyperparameters, 'stepMin', 'stepMax', 'rprop');
  },
};
