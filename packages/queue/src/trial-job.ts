import type { SweepTrial } from '@contour/core';
import type { EpochRecord, RunStatus, RunSummary } from '@contour/metrics-logger';
import type { RunDirectoryFile } from './run-directory-files.js';

/** A job's stage: train to `toEpoch`, from the run directory stored under `resumeFilesKey` if any. */
export interface SuccessiveHalvingStage {
  readonly toEpoch: number;
  /** The Redis key of the trial's run directory (JSON `RunDirectoryFile[]`) to resume from. */
  readonly resumeFilesKey?: string;
}

/** The data of one trial's job (job id = trial id; `<trial id>.to-<epoch>` for a stage). */
export interface TrialJobData {
  readonly formatVersion: 1;
  readonly trial: SweepTrial;
  /** Under successive halving: the stage to train (to a rung's epoch, maybe from a checkpoint). */
  readonly successiveHalving?: SuccessiveHalvingStage;
}

/** What a worker returns for a trained trial: its outcome and its whole run directory. */
export interface TrialJobResult {
  readonly formatVersion: 1;
  readonly trialId: string;
  readonly status: RunStatus;
  readonly summary: RunSummary;
  /** The backend the trial trained on. */
  readonly backend: string;
  /** The worker that trained it (`host:pid`). */
  readonly worker: string;
  /**
   * config.json, metrics.jsonl, status.json, checkpoint.json, result.json, model/… — inline, or
   * (what workers send) stored under {@link filesKey} instead, so that the job's return value and
   * BullMQ's `completed` event (which carries it) stay small.
   */
  readonly files?: readonly RunDirectoryFile[];
  /** The Redis key holding the files as JSON, removed by the coordinator once it stored them. */
  readonly filesKey?: string;
}

/** A job's progress: reported once per epoch. */
export interface TrialJobProgress {
  readonly epoch: number;
  readonly epochs: number;
  readonly record: EpochRecord;
}

/** Type guard for {@link TrialJobProgress} (progress may be anything BullMQ accepts). */
export function isTrialJobProgress(value: unknown): value is TrialJobProgress {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as TrialJobProgress).epoch === 'number' &&
    typeof (value as TrialJobProgress).record === 'object'
  );
}

/** The job name every trial job carries. */
export const trialJobName = 'trial';

/** Set by startQueueWorker for its sandboxed children: the backend for trials that ask for `auto`. */
export const workerBackendVariable = 'CONTOUR_WORKER_BACKEND';

/** Set by startQueueWorker for its sandboxed children: where finished runs are kept until delivered. */
export const workerResultsVariable = 'CONTOUR_WORKER_RESULTS';

/** Set by startQueueWorker for its sandboxed children: the Redis address and queue to store files in. */
export const workerQueueUrlVariable = 'CONTOUR_WORKER_QUEUE_URL';
export const workerQueueNameVariable = 'CONTOUR_WORKER_QUEUE_NAME';
