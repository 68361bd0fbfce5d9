/**
 * `@contour/optimizers/spec` — optimizer specs checked without TensorFlow.js: each rule's fields,
 * defaults and checks, the spec types and `validateOptimizerSpec`, which throws the same errors as
 * `createOptimizer`. For code that validates a config long before it trains (a CLI before its first
 * line of output); the main entry re-exports all of it.
 *
 * @packageDocumentation
 */
export { adadeltaSpec } from './adadelta-spec.js';
export { adagradSpec } from './adagrad-spec.js';
export { adamSpec, adamwSpec } from './adam-spec.js';
export { localGainsSpec } from './local-gains-spec.js';
export { type OptimizerType, optimizerRuleSpecs, optimizerTypes } from './optimizer-rule-specs.js';
export {
  type AdamOptions,
  buildLearningRateSchedule,
  type CreateOptimizerOptions,
  type LearningRate,
  type OptimizerOptions,
  type OptimizerSpec,
  type OptimizerSpecOf,
  type OptimizerSpecWithoutRate,
  type SharedOptimizerOptions,
  type ValidatedOptimizerSpec,
  validateOptimizerSpec,
} from './optimizer-spec.js';
export {
  describeValue,
  OptimizerSpecError,
  OptimizerStateError,
  UnknownOptimizerTypeError,
} from './optimizer-spec-error.js';
export {
  findParameterGroup,
  globToRegExp,
  layerNameOf,
  type ParameterGroup,
  type ParameterGroupSpec,
} from './parameter-groups.js';
export { rmspropSpec } from './rmsprop-spec.js';
export { rpropSpec } from './rprop-spec.js';
export type { UpdateRuleSpec, WeightDecayMode } from './rule-spec.js';
export { sgdSpec } from './sgd-spec.js';
export type { BooleanField, ChoiceField, Hyperparameters, NumberField, SpecField } from './spec-fields.js';
