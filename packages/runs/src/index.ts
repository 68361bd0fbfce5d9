/**
 * @contour/runs — Contour runs on disk, in Node: run directories (config.json, metrics.jsonl,
 * status.json, checkpoint.json, model/), training into them, sweeps over worker processes or
 * vectorised in one pass, and on-disk fine-tuning experiments. The engine itself is @contour/core.
 *
 * @packageDocumentation
 */

export {
  CheckpointError,
  type CheckpointExpectations,
  checkpointChecksum,
  readCheckpointFile,
  writeCheckpointFile,
} from './checkpoint-file.js';
export {
  type DirectoryLock,
  DirectoryLockedError,
  type LockOwner,
  lockDirectory,
  lockFileName,
  lockOwnerAlive,
} from './directory-lock.js';
export {
  type FindLearningRateOptions,
  type FindLearningRateOutcome,
  findAutoLearningRateForConfig,
  findLearningRate,
} from './find-learning-rate.js';
export { checkRunInputs, loadDataSource, loadRunDataset } from './load-run-dataset.js';
export { loadModel, loadTrainableModel, readInitialWeights, saveModel } from './model-files.js';
export {
  finishRun,
  InconsistentRunError,
  markRunFailed,
  markRunStopped,
  type RunEnding,
  type RunResultFile,
  type RunStatusFile,
  readJsonFile,
  readRunRecords,
  removeRun,
  runFiles,
  setAsideRunFiles,
  trimMetricsForResume,
  writeCheckpoint,
  writeStatus,
} from './run-directory.js';
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
  type SuccessiveHalvingDecision,
  type SuccessiveHalvingFile,
  type SuccessiveHalvingSweepOptions,
  SuccessiveHalvingSweepState,
  type SuccessiveHalvingTrialResult,
  successiveHalvingFileName,
} from './run-successive-halving-sweep.js';
export {
  type RunConfigFile,
  RunDirectoryError,
  type RunOutcome,
  type RunTrainingOptions,
  runTraining,
  runtimeVersions,
} from './run-training.js';
export { runVectorisedTrials, type VectorisedTrialsOptions } from './run-vectorised-sweep.js';
export {
  completedResult,
  runSweep,
  type SweepFile,
  type SweepRunOptions,
  type SweepTrialResult,
  trialDirectory,
  writeSweepFile,
} from './sweep-runner.js';
export {
  WorkerProcessExitedError,
  WorkerProcessPool,
  type WorkerProcessPoolOptions,
  workerExecArgv,
} from './worker-process-pool.js';
