import type { Hyperparameters, SpecField } from './spec-fields.js';

/** How a rule's `weightDecay` enters: added to the gradient (PyTorch L2), decoupled (AdamW), or none. */
export type WeightDecayMode = 'coupled' | 'decoupled' | 'none';

/**
 * What a spec of one update rule may hold and how it is checked, apart from the rule's tensor
 * update (`UpdateRule` adds that): a module of its own for each rule so validating a spec loads
 * no TensorFlow.js (`@contour/optimizers/spec`).
 */
export interface UpdateRuleSpec {
  readonly type: string;
  /** One line with the formula. */
  readonly description: string;
  /** The reference implementation it equals, e.g. `PyTorch torch.optim.SGD`. */
  readonly reference: string;
  /** Spec fields besides `type`, `lr` and the shared options, with defaults. */
  readonly fields: Readonly<Record<string, SpecField>>;
  /** Default `lr` (absent: `lr` is required). */
  readonly defaultLearningRate?: number;
  readonly weightDecay: WeightDecayMode;
  /** The hyperparameter a cycled momentum (cyclic/oneCycle schedules) replaces, if any. */
  readonly cycledMomentumField?: 'momentum' | 'beta1';
  /** Cross-field checks; throws OptimizerSpecError. */
  validate?(hyperparameters: Hyperparameters): void;
}
