// One stage of a trial under successive halving, trained by a worker's sandboxed processor: from
// scratch (the first rung) or from the run directory the coordinator sent (its rung checkpoint),
// to the stage's epoch, where the run pauses with its checkpoint; the whole run directory goes
// back to the coordinator, which decides the next stage.
import { mkdtempSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunConfig, SweepTrial } from '@contour/core';
import { makeDirectory } from '@contour/metrics-logger/node';
import { runTraining } from '@contour/runs';
import { type SandboxedJob, UnrecoverableError } from 'bullmq';
import type { Redis } from 'ioredis';
import { createRedisClient, parseQueueUrl } from './queue-connection.js';
import { type RunDirectoryFile, readRunDirectoryFiles, writeRunDirectory } from './run-directory-files.js';
import { storeTrialFiles } from './trial-files.js';
import {
  type SuccessiveHalvingStage,
  type TrialJobData,
  type TrialJobResult,
  workerQueueUrlVariable,
  workerResultsVariable,
} from './trial-job.js';
import { epochProgressSink, isTransient, oneLine } from './trial-training.js';

/** The job id of a trial's stage: one job per trial and stage, so enqueueing a stage twice adds nothing. */
export function stageJobId(trial: SweepTrial, toEpoch: number): string {
  return `${trial.id}.to-${toEpoch}`;
}

let client: Redis | undefined;

async function readStageFiles(key: string): Promise<RunDirectoryFile[]> {
  const url = process.env[workerQueueUrlVariable];
  if (url === undefined) throw new Error(`${workerQueueUrlVariable} must be set (startQueueWorker sets it)`);
  if (!client) {
    client = createRedisClient(parseQueueUrl(url));
    await client.connect();
  }
  const text = await client.get(key);
  const files: unknown = text === null ? undefined : JSON.parse(text);
  if (!Array.isArray(files)) throw new Error(`the run directory to resume (${key}) is not in Redis`);
  return files as RunDirectoryFile[];
}

/** The message a stage's run pauses with at its epoch. */
export function stagePauseMessage(epoch: number): string {
  return `paused at epoch ${epoch} (a successive-halving rung): waiting for the coordinator's decision`;
}

/**
 * Trains the stage and returns the run directory's files (stored in Redis, as every trial's).
 * A run that paused anywhere but at the stage's epoch (the child was asked to stop) throws, so
 * BullMQ attempts the stage again.
 */
export async function processSuccessiveHalvingStage(
  job: Pick<SandboxedJob<TrialJobData, TrialJobResult>, 'updateProgress'>,
  trial: SweepTrial,
  config: RunConfig,
  stage: SuccessiveHalvingStage,
): Promise<TrialJobResult> {
  const base = process.env[workerResultsVariable] ?? join(tmpdir(), 'contour-worker-results');
  makeDirectory(base);
  const scratch = mkdtempSync(join(base, '.stage-'));
  const directory = join(scratch, 'run');
  try {
    const resume = stage.resumeFilesKey !== undefined;
    if (stage.resumeFilesKey !== undefined)
      writeRunDirectory(directory, await readStageFiles(stage.resumeFilesKey));
    let outcome: Awaited<ReturnType<typeof runTraining>>;
    try {
      outcome = await runTraining(config, {
        directory,
        runId: trial.id,
        resume,
        console: false,
        pauseAfterEpoch: (epoch) => (epoch === stage.toEpoch ? stagePauseMessage(epoch) : undefined),
        sinks: [epochProgressSink(job, config.training.epochs)],
      });
    } catch (error) {
      // As a whole trial's: a machine error may pass on another attempt, a config error would not.
      if (isTransient(error)) throw error;
      throw new UnrecoverableError(oneLine(error));
    }
    if (outcome.status === 'interrupted' && outcome.summary.epochs !== stage.toEpoch)
      throw new Error(
        `trial ${trial.id} stopped at epoch ${outcome.summary.epochs}, before its stage's ${stage.toEpoch}`,
      );
    return {
      formatVersion: 1,
      trialId: trial.id,
      status: outcome.status,
      summary: outcome.summary,
      backend: outcome.backend,
      worker: `${hostname()}:${process.ppid}`,
      filesKey: await storeTrialFiles(trial.id, readRunDirectoryFiles(directory)),
    };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
