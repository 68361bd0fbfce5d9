/**
 * @contour/core — what the Contour CLI and web app share: models, the trainer, the vectorised
 * sweep, sweeps, the learning-rate range test and fine-tuning, built on the optimizers, losses,
 * schedules and the MNIST loader. Runs in Node and browsers (no Node module); run directories, worker-process
 * sweeps and on-disk experiments are in the Node-only `@contour/runs`.
 *
 * @packageDocumentation
 */
export * from './config.js';
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
export { StackedModel } from './model/stacked-model.js';
export type { TrainableModel } from './model/trainable-model.js';
export * from './range-test/index.js';
export { CachedEvaluator } from './training/cached-evaluation.js';
export { DatasetTensors } from './training/dataset-tensors.js';
export { evaluateSplit } from './training/evaluate.js';
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
