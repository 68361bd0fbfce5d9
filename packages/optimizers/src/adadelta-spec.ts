import { nonNegative, weightDecayField } from './common-fields.js';
import type { UpdateRuleSpec } from './rule-spec.js';

/** The spec of `adadelta` (fields, defaults, checks; no tensors): the update is `adadeltaRule`. */
export const adadeltaSpec: UpdateRuleSpec = {
  type: 'adadelta',
  description: 'v ← ρv + (1−ρ)g², Δ = √(u+ε)/√(v+ε)·g, u ← ρu + (1−ρ)Δ², p ← p − lr·Δ',
  reference: 'PyTorch torch.optim.Adadelta',
  defaultLearningRate: 1,
  fields: {
    rho: { kind: 'number', description: 'decay ρ of both running averages', default: 0.9, min: 0, max: 1 },
    epsilon: nonNegative('added inside both square roots', 1e-6),
    weightDecay: weightDecayField(0, 'L2: added to the gradient as λp'),
  },
  weightDecay: 'coupled',
};
