import { decayRate, nonNegative, weightDecayField } from './common-fields.js';
import type { UpdateRuleSpec } from './rule-spec.js';
import type { SpecField } from './spec-fields.js';

const adamFields = (weightDecayDefault: number, how: string): Record<string, SpecField> => ({
  beta1: decayRate('decay β₁ of the first moment', 0.9),
  beta2: decayRate('decay β₂ of the second moment', 0.999),
  epsilon: nonNegative('added to √v̂', 1e-8),
  weightDecay: weightDecayField(weightDecayDefault, how),
  amsgrad: { kind: 'boolean', description: 'use the running maximum of v (AMSGrad)', default: false },
});

/** The spec of `adam` (fields, defaults; no tensors): the update is `adamRule`. */
export const adamSpec: UpdateRuleSpec = {
  type: 'adam',
  description: 'p ← p − lr·m̂/(√v̂ + ε), m̂ = m/(1−β₁ᵗ), v̂ = v/(1−β₂ᵗ)',
  reference: 'PyTorch torch.optim.Adam',
  defaultLearningRate: 0.001,
  fields: adamFields(0, 'L2: added to the gradient as λp'),
  weightDecay: 'coupled',
  cycledMomentumField: 'beta1',
};

/** The spec of `adamw` (fields, defaults; no tensors): the update is `adamwRule`. */
export const adamwSpec: UpdateRuleSpec = {
  type: 'adamw',
  description: 'p ← p·(1 − lr·λ), then the Adam step',
  reference: 'PyTorch torch.optim.AdamW',
  defaultLearningRate: 0.001,
  fields: adamFields(0.01, 'decoupled: p ← p·(1 − lr·λ) before the step'),
  weightDecay: 'decoupled',
  cycledMomentumField: 'beta1',
};
