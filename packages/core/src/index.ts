/**
 * @contour/core — what the Contour CLI and web app share: models, the trainer, the vectorised
 * sweep, sweeps, the learning-rate range test and fine-tuning, built on the optimizers, losses,
 * schedules and the MNIST loader. Runs in Node and browsers (no Node module); run directories, worker-process
 * sweeps and on-disk experiments are in the Node-only `@contour/runs`.
 *
 * @packageDocumentation
 */
export { CoreSpecError } from './core-spec-error.js';
export { type DataConfig, prepareOptions, prepareRunDataset, resolveDataConfig } from './data-config.js';
export * from './finetune/index.js';
export {
  convolutionFilterGradientBackends,
  useConvolutionFilterGradient,
} from './model/convolution-filter-gradient.js';
export {
  checkModelFitsData,
  createTrainableModel,
  LayersModelAdapter,
  withOutputUnits,
} from './model/layers-model-adapter.js';
export {
  activate,
  type CreateModelOptions,
  createModel,
  type DenseLayer,
  denseLayer,
  denseLayersOf,
  initialWeights,
  Model,
  type WeightValues,
} from './model/model.js';
export {
  artifactsToModel,
  type LayersModelJson,
  type ModelArtifacts,
  type ModelJson,
  modelToArtifacts,
} from './model/model-io.js';
export {
  type Activation,
  describeModelSpec,
  type Initializer,
  type LayersModelSource,
  type ModelSpec,
  parseModelSpec,
  readLayersTopology,
} from './model/model-spec.js';
export { StackedModel } from './model/stacked-model.js';
export type { TrainableModel } from './model/trainable-model.js';
export * from './range-test/index.js';
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
export { CachedEvaluator } from './training/cached-evaluation.js';
export { DatasetTensors } from './training/dataset-tensors.js';
export { evaluateSplit, type LossName } from './training/evaluate.js';
export {
  type BatchEndInfo,
  type CheckpointParts,
  type RecordedRun,
  type RunCallbacks,
  type RunOutcome,
  RunRecorder,
  type RunRecorderOptions,
  type TrainingStatus,
  yieldToEventLoop,
} from './training/run-recorder.js';
export {
  type TrainerCallbacks,
  type TrainingResult,
  type TrainOptions,
  train,
} from './training/trainer.js';
export { arraysToWeights, type TrainingCheckpoint, weightsToArrays } from './training/training-checkpoint.js';
export {
  type EarlyStoppingConfig,
  resolveTrainingConfig,
  type TrainingConfig,
} from './training/training-config.js';
export {
  trainVectorised,
  type VectorisedOptions,
  type VectorisedSupport,
  type VectorisedTrial,
  vectorisedGroupKey,
  vectorisedSupport,
} from './training/vectorised-sweep.js';
export {
  groupVectorisedTrials,
  type VectorisedGrouping,
  vectorisedTrialKey,
} from './vectorised-grouping.js';
