import { nonNegative, weightDecayField } from './common-fields.js';
import type { UpdateRuleSpec } from './rule-spec.js';

/** The spec of `adagrad` (fields, defaults, checks; no tensors): the update is `adagradRule`. */
export const adagradSpec: UpdateRuleSpec = {
  type: 'adagrad',
  description: 's ← s + g², p ← p − lr/(1 + (t−1)·lrDecay)·g/(√s + ε)',
  reference: 'PyTorch torch.optim.Adagrad',
  defaultLearningRate: 0.01,
  fields: {
    lrDecay: nonNegative('rate decay: lr/(1 + (t − 1)·lrDecay)', 0),
    weightDecay: weightDecayField(0, 'L2: added to the gradient as λp'),
    initialAccumulatorValue: nonNegative('starting value of the sum of squared gradients', 0),
    epsilon: nonNegative('added to √s', 1e-10),
  },
  weightDecay: 'coupled',
};
