import { nonNegative, weightDecayField } from './common-fields.js';
import { OptimizerSpecError } from './optimizer-spec-error.js';
import type { UpdateRuleSpec } from './rule-spec.js';

/** The spec of `sgd` (fields, defaults, checks; no tensors): the update is `sgdRule`. */
export const sgdSpec: UpdateRuleSpec = {
  type: 'sgd',
  description: 'p ← p − lr·b, b = μb + (1 − dampening)g (nesterov: g + μb); or v = μv − lr·g, p ← p + v',
  reference: 'PyTorch torch.optim.SGD; Keras SGD for momentumForm "sutskever"',
  fields: {
    momentum: nonNegative('momentum factor μ', 0),
    dampening: nonNegative('dampening of the gradient in the momentum buffer', 0),
    nesterov: { kind: 'boolean', description: 'Nesterov momentum', default: false },
    weightDecay: weightDecayField(0, 'L2: added to the gradient as λp'),
    momentumForm: {
      kind: 'choice',
      description: 'pytorch: b = μb + g, p −= lr·b; sutskever: v = μv − lr·g, p += v',
      choices: ['pytorch', 'sutskever'],
      default: 'pytorch',
    },
  },
  weightDecay: 'coupled',
  cycledMomentumField: 'momentum',
  validate(hyperparameters) {
    const { momentum, dampening, nesterov, momentumForm } = hyperparameters;
    if (nesterov === true && ((momentum as number) <= 0 || dampening !== 0)) {
      throw new OptimizerSpecError(
        'nesterov',
        'false unless momentum > 0 and dampening = 0',
        nesterov,
        'sgd',
      );
    }
    if (momentumForm === 'sutskever' && dampening !== 0) {
      throw new OptimizerSpecError('dampening', '0 with momentumForm "sutskever"', dampening, 'sgd');
    }
  },
};
