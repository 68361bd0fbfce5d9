/**
 * @contour/optimizers — every classic update rule on TensorFlow.js tensors, built from JSON specs,
 * with scheduled learning rates, parameter groups, clipping, non-finite skips and exact state.
 *
 * @packageDocumentation
 */
export { adadeltaRule } from './adadelta.js';
export { adagradRule } from './adagrad.js';
export { adamRule, adamwRule } from './adam.js';
export { applyUpdateRule } from './apply-rule.js';
export { clipByGlobalNorm, clipByValue, gradientsAreFinite } from './clip-gradients.js';
export { clamp, fillLike } from './coefficients.js';
export {
  type AdamOptions,
  ContourOptimizer,
  type CreateOptimizerOptions,
  createOptimizer,
  createOptimizerFromJson,
  type LearningRate,
  type NamedGradients,
  type NamedVariables,
  type OptimizerOptions,
  type OptimizerSpec,
  type OptimizerSpecOf,
  type OptimizerSpecWithoutRate,
  type SharedOptimizerOptions,
  type StepReport,
} from './create-optimizer.js';
export { localGainsRule } from './local-gains.js';
export { type OptimizerType, optimizerRules, optimizerTypes } from './optimizer-rules.js';
export {
  describeValue,
  OptimizerSpecError,
  OptimizerStateError,
  UnknownOptimizerTypeError,
} from './optimizer-spec-error.js';
export type { OptimizerState, SavedTensor } from './optimizer-state.js';
export {
  findParameterGroup,
  globToRegExp,
  layerNameOf,
  type ParameterGroup,
  type ParameterGroupSpec,
} from './parameter-groups.js';
export { rmspropRule } from './rmsprop.js';
export { rpropRule } from './rprop.js';
export { sgdRule } from './sgd.js';
export type { BooleanField, ChoiceField, Hyperparameters, NumberField, SpecField } from './spec-fields.js';
export { modelSlice, StackedOptimizer, type StackedParameter } from './stacked-optimizer.js';
export { TfOptimizerAdapter, toTfOptimizer } from './to-tf-optimizer.js';
export type {
  Coefficient,
  CoefficientOf,
  SlotInitContext,
  Slots,
  StepValues,
  UpdateContext,
  UpdateResult,
  UpdateRule,
  WeightDecayMode,
} from './update-rule.js';
