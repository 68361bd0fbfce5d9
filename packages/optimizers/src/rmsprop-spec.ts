import { nonNegative, weightDecayField } from './common-fields.js';
import type { UpdateRuleSpec } from './rule-spec.js';

/** The spec of `rmsprop` (fields, defaults, checks; no tensors): the update is `rmspropRule`. */
export const rmspropSpec: UpdateRuleSpec = {
  type: 'rmsprop',
  description: 'v ← αv + (1−α)g², p ← p − lr·g/(√v + ε) (centered: v − ḡ²; momentum: b ← μb + g/(√v + ε))',
  reference: 'PyTorch torch.optim.RMSprop',
  defaultLearningRate: 0.01,
  fields: {
    alpha: {
      kind: 'number',
      description: 'smoothing constant α of the squared gradient',
      default: 0.99,
      min: 0,
    },
    epsilon: nonNegative('added to √v', 1e-8),
    weightDecay: weightDecayField(0, 'L2: added to the gradient as λp'),
    momentum: nonNegative('momentum factor μ', 0),
    centered: { kind: 'boolean', description: 'normalise by the estimated variance v − ḡ²', default: false },
  },
  weightDecay: 'coupled',
  cycledMomentumField: 'momentum',
};
