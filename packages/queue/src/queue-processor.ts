// The sandboxed BullMQ processor: runs in a child process of `startQueueWorker` (training blocks
// the event loop; the worker's lock renewal runs in the parent and never starves). It trains one
// trial into a local temporary run directory and returns the directory's files to the coordinator.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { BackendChoice, RunConfig } from '@contour/core';
import { configHash } from '@contour/core';
import type { MetricsRecord } from '@contour/metrics-logger';
import { completedResult, type RunResultFile, runFiles, runTraining } from '@contour/runs';
import { type SandboxedJob, UnrecoverableError } from 'bullmq';
import { readRunDirectoryFiles } from './run-directory-files.js';
import { storeTrialFiles } from './trial-files.js';
import {
  type TrialJobData,
  type TrialJobProgress,
  type TrialJobResult,
  workerBackendVariable,
  workerResultsVariable,
} from './trial-job.js';

// A worker killed with SIGKILL leaves its children orphaned: stop at once instead of training on.
process.on('disconnect', () => process.exit(1));

function oneLine(error: unknown): string {
  if (error instanceof Error) return error.message.split('\n')[0] || error.name;
  return String(error);
}

/**
 * Errors of the machine (no space left, I/O error, too many open files) may pass on another
 * attempt or another worker; everything else a training run throws comes from its config and
 * would fail again, so it is final.
 */
function isTransient(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' && /^E[A-Z]+$/.test(code);
}

/** Trains the job's trial and returns its run directory's files. */
export default async function processTrial(
  job: SandboxedJob<TrialJobData, TrialJobResult>,
): Promise<TrialJobResult> {
  const data = job.data;
  if (data?.formatVersion !== 1 || typeof data.trial?.id !== 'string') {
    throw new UnrecoverableError(`job ${job.id} is not a Contour trial (formatVersion 1)`);
  }
  const trial = data.trial;
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(trial.id)) {
    throw new UnrecoverableError(`job ${job.id}: trial id must be letters, digits, ".", "_" and "-"`);
  }
  const workerBackend = process.env[workerBackendVariable] as BackendChoice | undefined;
  const overridden =
    workerBackend !== undefined && workerBackend !== 'auto' && trial.config.backend === 'auto';
  const config: RunConfig = overridden ? { ...trial.config, backend: workerBackend } : trial.config;
  // Finished runs are kept here until the coordinator has them (the worker removes them when the
  // job completes): a result Redis could not take (lost data, expired lock) is not thrown away,
  // and is delivered at once if the trial comes back to this machine.
  const kept = join(process.env[workerResultsVariable] ?? join(tmpdir(), 'contour-worker-results'), trial.id);
  const result = async (
    status: RunResultFile['status'],
    summary: RunResultFile['summary'],
    backend: string,
  ): Promise<TrialJobResult> => ({
    formatVersion: 1 as const,
    trialId: trial.id,
    status,
    summary,
    backend,
    worker: `${hostname()}:${process.ppid}`,
    filesKey: await storeTrialFiles(trial.id, readRunDirectoryFiles(kept)),
  });
  const earlier = existsSync(kept) ? completedResult(kept, trial) : undefined;
  if (earlier) return result(earlier.status, earlier.summary, earlier.backend);
  mkdirSync(dirname(kept), { recursive: true });
  const directory = mkdtempSync(join(dirname(kept), '.training-'));
  try {
    let outcome: Awaited<ReturnType<typeof runTraining>>;
    try {
      outcome = await runTraining(config, {
        directory,
        runId: trial.id,
        console: false,
        sinks: [
          {
            write: (record: MetricsRecord) => {
              if (record.kind !== 'epoch') return;
              const progress: TrialJobProgress = {
                epoch: record.epoch,
                epochs: config.training.epochs,
                record,
              };
              job.updateProgress(progress as never).catch(() => {});
            },
          },
        ],
      });
    } catch (error) {
      if (isTransient(error)) throw error;
      throw new UnrecoverableError(oneLine(error));
    }
    if (outcome.status !== 'finished' && outcome.status !== 'diverged') {
      // Interrupted (the child was asked to stop): another attempt trains it again.
      throw new Error(`trial ${trial.id} ended ${outcome.status}`);
    }
    if (overridden) {
      // The result answers the trial as it was asked: keep the trial's config hash so the
      // coordinator's completedResult recognises it (config.json records the backend used).
      const path = runFiles(directory).result;
      const result = JSON.parse(readFileSync(path, 'utf8')) as RunResultFile;
      writeFileSync(
        path,
        `${JSON.stringify({ ...result, configHash: configHash(trial.config) }, null, 2)}\n`,
      );
    }
    rmSync(kept, { recursive: true, force: true });
    renameSync(directory, kept);
    return result(outcome.status, outcome.summary, outcome.backend);
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}
