/**
 * @contour/queue — Contour sweeps across machines on Redis + BullMQ: `runSweepOnQueue` (the
 * coordinator, same rows as core's local `runSweep`), `startQueueWorker` (trains trials in
 * sandboxed child processes), and `queueStatus` / `cleanQueue`.
 *
 * @packageDocumentation
 */
export {
  checkQueueConnection,
  createRedisClient,
  defaultQueueName,
  describeLostQueueState,
  ensureQueueStateToken,
  parseQueueUrl,
  type QueueAddress,
  QueueConnectionError,
  QueueOptionError,
  QueueStateLostError,
  queueKeyPrefix,
  queueStateKey,
} from './queue-connection.js';
export {
  type CleanQueueOptions,
  type CleanQueueResult,
  cleanQueue,
  type QueueSelection,
  type QueueStatus,
  queueStatus,
  type RedisUsage,
  redisUsage,
  type TrialJobState,
  type TrialJobStatus,
  trialJobStates,
} from './queue-status.js';
export {
  type RunDirectoryFile,
  RunDirectoryFileError,
  readRunDirectoryFiles,
  writeRunDirectory,
  writeRunDirectoryConcurrently,
} from './run-directory-files.js';
export {
  runSuccessiveHalvingOnQueue,
  type SuccessiveHalvingQueueOptions,
  stageResumeKey,
} from './run-successive-halving-on-queue.js';
export {
  describeQueueStop,
  describeQueueWait,
  type EnqueueSweepOptions,
  type EnqueueSweepResult,
  enqueueSweep,
  eventStreamLength,
  type QueueSweepOptions,
  type QueueWaitReport,
  runSweepOnQueue,
  workerCommandFor,
} from './run-sweep-on-queue.js';
export {
  defaultStackSize,
  maxConcurrency,
  maxStackSize,
  type QueueWorker,
  type QueueWorkerOptions,
  startQueueWorker,
} from './start-queue-worker.js';
export {
  stageJobId,
  stagePauseMessage,
} from './successive-halving-stage.js';
export { storeTrialFiles, trialFilesKey } from './trial-files.js';
export type {
  SuccessiveHalvingStage,
  TrialJobData,
  TrialJobProgress,
  TrialJobResult,
} from './trial-job.js';
