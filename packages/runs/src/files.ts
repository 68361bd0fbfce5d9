/**
 * `@contour/runs/files` — the files of run and sweep directories without the training engine:
 * directory locks, opening a run directory for a run (`openRunDirectory`, `freshRunId`),
 * `sweep.json`, `successive-halving.json`, reading a run's config, status, result and metrics,
 * checkpoint files, and loading the schedule plugins a run's config names. Loads no TensorFlow.js,
 * so a program can check and lock its output directory and print its first line before it loads
 * tfjs (the `contour` CLI does); the main entry re-exports all of it.
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
  readLockOwner,
} from './directory-lock.js';
export {
  freshRunId,
  type OpenedRunDirectory,
  openRunDirectory,
  RunDirectoryError,
} from './open-run-directory.js';
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
  readRunState,
  removeRun,
  runFiles,
  setAsideRunFiles,
  trimMetricsForResume,
  writeCheckpoint,
  writeStatus,
} from './run-directory.js';
export {
  importSchedulePlugin,
  loadSchedulePlugins,
  pluginImportFailure,
  SchedulePluginLoadError,
  schedulePluginSpecifier,
} from './schedule-plugins.js';
export {
  type SuccessiveHalvingDecision,
  type SuccessiveHalvingFile,
  type SweepFile,
  successiveHalvingFileName,
  trialDirectory,
  writeSweepFile,
} from './sweep-files.js';
