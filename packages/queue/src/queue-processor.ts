// The sandboxed BullMQ processor: runs in a child process of `startQueueWorker` (training blocks
// the event loop; the worker's lock renewal runs in the parent and never starves). It trains one
// trial into a local temporary run directory and returns the directory's files to the coordinator.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { makeDirectory } from '@contour/metrics-logger/node';
import { completedResult, runTraining } from '@contour/runs';
import { type SandboxedJob, UnrecoverableError } from 'bullmq';
import { processSuccessiveHalvingStage } from './successive-halving-stage.js';
import type { TrialJobData, TrialJobResult } from './trial-job.js';
import {
  deliverKeptRun,
  epochProgressSink,
  isTransient,
  jobTrial,
  keepTrainedRun,
  keptRunDirectory,
  oneLine,
  workerTrialConfig,
} from './trial-training.js';

// A worker killed with SIGKILL leaves its children orphaned: stop at once instead of training on.
process.on('disconnect', () => process.exit(1));

/** The part of a BullMQ job the processor uses (a sandboxed job, or one the stacked child fakes). */
export type TrialJob = Pick<SandboxedJob<TrialJobData, TrialJobResult>, 'id' | 'data' | 'updateProgress'>;

/** Trains the job's trial and returns its run directory's files. */
export default async function processTrial(job: TrialJob): Promise<TrialJobResult> {
  const trial = jobTrial(job.id, job.data);
  const { config, overridden } = workerTrialConfig(trial);
  // Successive halving: one stage of the trial (its own module; the coordinator decides the next).
  if (job.data.successiveHalving !== undefined)
    return processSuccessiveHalvingStage(job, trial, config, job.data.successiveHalving);
  const kept = keptRunDirectory(trial.id);
  const earlier = existsSync(kept) ? completedResult(kept, trial) : undefined;
  if (earlier) return deliverKeptRun(trial, earlier.status, earlier.summary, earlier.backend);
  makeDirectory(dirname(kept));
  const directory = mkdtempSync(join(dirname(kept), '.training-'));
  try {
    let outcome: Awaited<ReturnType<typeof runTraining>>;
    try {
      outcome = await runTraining(config, {
        directory,
        runId: trial.id,
        console: false,
        sinks: [epochProgressSink(job, config.training.epochs)],
      });
    } catch (error) {
      if (isTransient(error)) throw error;
      throw new UnrecoverableError(oneLine(error));
    }
    if (outcome.status !== 'finished' && outcome.status !== 'diverged') {
      // Interrupted (the child was asked to stop): another attempt trains it again.
      throw new Error(`trial ${trial.id} ended ${outcome.status}`);
    }
    keepTrainedRun(trial, directory, overridden);
    return deliverKeptRun(trial, outcome.status, outcome.summary, outcome.backend);
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}
