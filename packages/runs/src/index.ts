/**
 * @contour/runs — Contour runs on disk, in Node: run directories (config.json, metrics.jsonl,
 * status.json, checkpoint.json, model/), training into them, sweeps over worker processes or
 * vectorised in one pass, and on-disk fine-tuning experiments. The engine itself is @contour/core.
 *
 * @packageDocumentation
 */

export * from './files.js';
export {
  type FindLearningRateOptions,
  type FindLearningRateOutcome,
  findAutoLearningRateForConfig,
  findLearningRate,
} from './find-learning-rate.js';
export { checkRunInputs, loadDataSource, loadRunDataset } from './load-run-dataset.js';
export { loadModel, loadTrainableModel, readInitialWeights, saveModel } from './model-files.js';
export {
  defaultSourceClasses,
  defaultTargetClasses,
  type FinetuneExperimentOptions,
  type FinetuneExperimentOutcome,
  type FinetuneRunConfigFile,
  type FinetuneRunOutcome,
  runFinetuneExperiment,
} from './run-finetune-experiment.js';
export {
  rungLoss,
  runSuccessiveHalvingSweep,
  type SuccessiveHalvingSweepOptions,
  SuccessiveHalvingSweepState,
  type SuccessiveHalvingTrialResult,
} from './run-successive-halving-sweep.js';
export {
  type RunConfigFile,
  type RunOutcome,
  type RunTrainingOptions,
  runTraining,
  runtimeVersions,
} from './run-training.js';
export { runVectorisedTrials, type VectorisedTrialsOptions } from './run-vectorised-sweep.js';
export {
  completedResult,
  runSweep,
  type SweepRunOptions,
  type SweepTrialResult,
} from './sweep-runner.js';
export {
  WorkerProcessExitedError,
  WorkerProcessPool,
  type WorkerProcessPoolOptions,
  workerExecArgv,
} from './worker-process-pool.js';
