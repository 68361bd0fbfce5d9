// A queue worker's child process (reused from request to request, see WorkerProcessPool): trains
// the trials it is sent — two or more compatible ones in one vectorised pass, the others one at a
// time — and answers for each trial on its own: its progress, then its result or its error.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { groupVectorisedTrials, type RunConfig, type SweepTrial } from '@contour/core';
import { makeDirectory } from '@contour/metrics-logger/node';
import { completedResult, runVectorisedTrials } from '@contour/runs';
import processTrial from './queue-processor.js';
import type { StackedTrainReply, StackedTrainRequest } from './stacked-trial-job.js';
import {
  deliverKeptRun,
  jobTrial,
  keepTrainedRun,
  keptRunDirectory,
  oneLine,
  workerTrialConfig,
} from './trial-training.js';

const reply = (message: StackedTrainReply) => process.send?.(message);

function fail(jobId: string, error: unknown): void {
  const final = error instanceof Error && error.name === 'UnrecoverableError';
  reply({ type: 'error', jobId, message: oneLine(error), final });
}

interface ClaimedTrial {
  readonly jobId: string;
  readonly trial: SweepTrial;
  /** The config it trains with (the worker's backend for `auto`). */
  readonly config: RunConfig;
  readonly overridden: boolean;
}

/** Trains one trial alone, exactly as the one-trial processor does. */
async function trainAlone(request: StackedTrainRequest['jobs'][number]): Promise<void> {
  try {
    const result = await processTrial({
      id: request.id,
      data: request.data,
      updateProgress: async (progress) => {
        reply({ type: 'progress', jobId: request.id, progress: progress as never });
      },
    });
    reply({ type: 'result', jobId: request.id, result });
  } catch (error) {
    fail(request.id, error);
  }
}

/** Trains a compatible group in one vectorised pass; each trial's outcome is answered on its own. */
async function trainStacked(group: readonly ClaimedTrial[]): Promise<void> {
  const first = group[0] as ClaimedTrial;
  const parent = dirname(keptRunDirectory(first.trial.id));
  makeDirectory(parent);
  const directories = group.map(() => mkdtempSync(join(parent, '.training-')));
  try {
    const outcomes = await runVectorisedTrials(
      group.map((claimed, index) => ({
        trial: { ...claimed.trial, config: claimed.config },
        directory: directories[index] as string,
      })),
      {
        onEpoch: (trial, record) => {
          const claimed = group.find((candidate) => candidate.trial.id === trial.id);
          if (!claimed) return;
          const progress = { epoch: record.epoch, epochs: claimed.config.training.epochs, record };
          reply({ type: 'progress', jobId: claimed.jobId, progress });
        },
      },
    );
    for (const [index, outcome] of outcomes.entries()) {
      const claimed = group[index] as ClaimedTrial;
      try {
        if (outcome.status === 'finished' || outcome.status === 'diverged') {
          keepTrainedRun(claimed.trial, directories[index] as string, claimed.overridden);
          const kept = completedResult(keptRunDirectory(claimed.trial.id), claimed.trial);
          if (!kept) throw new Error(`trial ${claimed.trial.id}: its finished run has no valid result.json`);
          const result = await deliverKeptRun(claimed.trial, kept.status, kept.summary, kept.backend);
          reply({ type: 'result', jobId: claimed.jobId, result });
        } else if (outcome.status === 'failed') {
          // A machine error ("ENOSPC: …") may pass elsewhere; anything else comes from the config.
          const transient = /^E[A-Z]+:/.test(outcome.error ?? '');
          reply({
            type: 'error',
            jobId: claimed.jobId,
            message: outcome.error ?? `trial ${claimed.trial.id} failed`,
            final: !transient,
          });
        } else {
          reply({
            type: 'error',
            jobId: claimed.jobId,
            message: `trial ${claimed.trial.id} ended ${outcome.status}`,
            final: false,
          });
        }
      } catch (error) {
        fail(claimed.jobId, error);
      }
    }
  } finally {
    for (const directory of directories) rmSync(directory, { recursive: true, force: true });
  }
}

async function train(request: StackedTrainRequest): Promise<void> {
  const claimed: ClaimedTrial[] = [];
  for (const job of request.jobs) {
    // A successive-halving stage (resumed from its rung, paused at the next) trains alone.
    if (job.data?.successiveHalving !== undefined) {
      await trainAlone(job);
      continue;
    }
    try {
      const trial = jobTrial(job.id, job.data);
      const kept = keptRunDirectory(trial.id);
      const earlier = existsSync(kept) ? completedResult(kept, trial) : undefined;
      if (earlier) {
        // Trained here before and not yet delivered: delivered at once, without training.
        const result = await deliverKeptRun(trial, earlier.status, earlier.summary, earlier.backend);
        reply({ type: 'result', jobId: job.id, result });
        continue;
      }
      claimed.push({ jobId: job.id, trial, ...workerTrialConfig(trial) });
    } catch (error) {
      fail(job.id, error);
    }
  }
  const { groups, rest } = groupVectorisedTrials(claimed);
  for (const group of groups) await trainStacked(group);
  for (const alone of rest) {
    const job = request.jobs.find((candidate) => candidate.id === alone.jobId);
    if (job) await trainAlone(job);
  }
}

process.on('message', (request: StackedTrainRequest) => {
  if (request?.type !== 'train') return;
  void train(request)
    .catch((error: unknown) => {
      for (const job of request.jobs) fail(job.id, error);
    })
    .finally(() => reply({ type: 'end' }));
});
