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
  ContourOptimizer,
  createOptimizer,
  createOptimizerFromJson,
  type NamedGradients,
  type NamedVariables,
  type StepReport,
} from './create-optimizer.js';
export { localGainsRule } from './local-gains.js';
export { optimizerRules } from './optimizer-rules.js';
export type { OptimizerState, SavedTensor } from './optimizer-state.js';
export { rmspropRule } from './rmsprop.js';
export { rpropRule } from './rprop.js';
export { sgdRule } from './sgd.js';
export * from './spec.js';
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
} from './update-rule.js';
