/**
 * `@contour/core/config` — run configs resolved and checked without TensorFlow.js: data, training
 * (the optimizer spec checked by `@contour/optimizers/spec`), model specs, sweep grids, successive
 * halving settings, fine-tuning settings and the names of the range test's suggestions. For code that reads a
 * config before it trains (a CLI before its first line of output); the main entry re-exports all
 * of it, and everything that touches tensors is there.
 *
 * @packageDocumentation
 */
export { CoreSpecError } from './core-spec-error.js';
export { type DataConfig, prepareOptions, prepareRunDataset, resolveDataConfig } from './data-config.js';
export {
  defaultSourceClasses,
  defaultTargetClasses,
  denseLayerNames,
  discriminativeRates,
  type FinetuneSettings,
  finetuneGroups,
  finetuneOptimizerSpec,
  frozenLayersAt,
  validateFinetuneSettings,
} from './finetune/finetune-settings.js';
export {
  type Activation,
  describeModelSpec,
  type Initializer,
  type LayersModelSource,
  type ModelSpec,
  parseModelSpec,
  readLayersTopology,
} from './model/model-spec.js';
export { type SuggestionName, suggestionNames } from './range-test/suggest-learning-rates.js';
export {
  type BackendChoice,
  configHash,
  type RunConfig,
  resolveRunConfig,
  stableStringify,
} from './run-config.js';
export {
  defaultMinEpochs,
  defaultReductionFactor,
  type RungEntry,
  resolveSuccessiveHalving,
  SuccessiveHalving,
  type SuccessiveHalvingJob,
  type SuccessiveHalvingOptions,
  type SuccessiveHalvingSettings,
  type SuccessiveHalvingStage,
  successiveHalvingRungs,
} from './successive-halving.js';
export { expandSweep, type SweepAxis, type SweepTrial } from './sweep.js';
export {
  type EarlyStoppingConfig,
  type LossName,
  resolveTrainingConfig,
  type TrainingConfig,
} from './training/training-config.js';
