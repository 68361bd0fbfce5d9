// What a worker's child process does around training one trial, shared by the one-trial processor
// (queue-processor.ts) and the stacked one (stacked-trial-child.ts): the config it trains with,
// where a finished run is kept, and the result handed to the queue.
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BackendChoice, RunConfig, SweepTrial } from '@contour/core';
import { configHash } from '@contour/core';
import type { MetricsRecord, MetricsSink } from '@contour/metrics-logger';
import type { RunResultFile } from '@contour/runs';
import { runFiles } from '@contour/runs';
import { UnrecoverableError } from 'bullmq';
import { readRunDirectoryFiles } from './run-directory-files.js';
import { storeTrialFiles } from './trial-files.js';
import {
  type TrialJobData,
  type TrialJobProgress,
  type TrialJobResult,
  workerBackendVariable,
  workerResultsVariable,
} from './trial-job.js';

export function oneLine(error: unknown): string {
  if (error instanceof Error) return error.message.split('\n')[0] || error.name;
  return String(error);
}

/**
 * Errors of the machine (no space left, I/O error, too many open files) may pass on another
 * attempt or another worker; everything else a training run throws comes from its config and
 * would fail again, so it is final.
 */
export function isTransient(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' && /^E[A-Z]+$/.test(code);
}

/** The job's trial, or an UnrecoverableError naming what is wrong with the job. */
export function jobTrial(jobId: string | undefined, data: TrialJobData | undefined): SweepTrial {
  if (data?.formatVersion !== 1 || typeof data.trial?.id !== 'string') {
    throw new UnrecoverableError(`job ${jobId} is not a Contour trial (formatVersion 1)`);
  }
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(data.trial.id)) {
    throw new UnrecoverableError(`job ${jobId}: trial id must be letters, digits, ".", "_" and "-"`);
  }
  return data.trial;
}

/**
 * The config a worker trains the trial with: the worker's backend for a trial that asks for
 * `auto` (`overridden`), the trial's own otherwise.
 */
export function workerTrialConfig(
  trial: SweepTrial,
  workerBackend = process.env[workerBackendVariable] as BackendChoice | undefined,
): { readonly config: RunConfig; readonly overridden: boolean } {
  const overridden =
    workerBackend !== undefined && workerBackend !== 'auto' && trial.config.backend === 'auto';
  return { config: overridden ? { ...trial.config, backend: workerBackend } : trial.config, overridden };
}

/**
 * Where a finished run is kept until the coordinator has it (the worker removes it when the job
 * completes): a result Redis could not take (lost data, expired lock) is not thrown away, and is
 * delivered at once if the trial comes back to this machine.
 */
export function keptRunDirectory(trialId: string): string {
  return join(process.env[workerResultsVariable] ?? join(tmpdir(), 'contour-worker-results'), trialId);
}

/** Stores the kept run's files in Redis and returns the job's result. */
export async function deliverKeptRun(
  trial: SweepTrial,
  status: RunResultFile['status'],
  summary: RunResultFile['summary'],
  backend: string,
): Promise<TrialJobResult> {
  return {
    formatVersion: 1 as const,
    trialId: trial.id,
    status,
    summary,
    backend,
    worker: `${hostname()}:${process.ppid}`,
    filesKey: await storeTrialFiles(trial.id, readRunDirectoryFiles(keptRunDirectory(trial.id))),
  };
}

/** Moves a trained run directory to the trial's kept place (see {@link keptRunDirectory}). */
export function keepTrainedRun(trial: SweepTrial, directory: string, overridden: boolean): void {
  if (overridden) {
    // The result answers the trial as it was asked: keep the trial's config hash so the
    // coordinator's completedResult recognises it (config.json records the backend used).
    const path = runFiles(directory).result;
    const result = JSON.parse(readFileSync(path, 'utf8')) as RunResultFile;
    writeFileSync(path, `${JSON.stringify({ ...result, configHash: configHash(trial.config) }, null, 2)}\n`);
  }
  const kept = keptRunDirectory(trial.id);
  rmSync(kept, { recursive: true, force: true });
  renameSync(directory, kept);
}

/** A metrics sink that reports each epoch record as the job's progress (`TrialJobProgress`). */
export function epochProgressSink(
  job: { updateProgress(progress: never): Promise<unknown> },
  epochs: number,
): MetricsSink {
  return {
    write: (record: MetricsRecord) => {
      if (record.kind !== 'epoch') return;
      const progress: TrialJobProgress = { epoch: record.epoch, epochs, record };
      job.updateProgress(progress as never).catch(() => {});
    },
  };
}
