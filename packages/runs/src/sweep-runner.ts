import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import type { SweepTrial } from '@contour/core';
import { configHash, groupVectorisedTrials } from '@contour/core';
import type { EpochRecord, RunStatus, RunSummary } from '@contour/metrics-logger';
import { type DirectoryLock, lockDirectory } from './directory-lock.js';
import { type RunResultFile, readJsonFile, readRunRecords, removeRun, runFiles } from './run-directory.js';
import { runTraining } from './run-training.js';
import { runVectorisedTrials } from './run-vectorised-sweep.js';
import { loadSchedulePlugins } from './schedule-plugins.js';
import { trialDirectory } from './sweep-files.js';
import type { SweepTrialResult } from './sweep-trial-result.js';
import { WorkerProcessExitedError, WorkerProcessPool } from './worker-process-pool.js';

export type { SweepTrialResult } from './sweep-trial-result.js';

/** Options of runSweep. */
export interface SweepRunOptions {
  /** The sweep directory: one run directory per trial under `trials/`. */
  readonly directory: string;
  /** Parallel worker processes; 0 runs trials one by one in this process. Default: the core count. */
  readonly workers?: number;
  readonly signal?: AbortSignal;
  readonly onTrialStart?: (trial: SweepTrial) => void;
  readonly onEpoch?: (trial: SweepTrial, record: EpochRecord) => void;
  readonly onTrialEnd?: (result: SweepTrialResult) => void;
  /**
   * Train trials that differ only in their rate or schedule (and momentum, dampening, weight
   * decay; see `vectorisedSupport`) together in one pass, in this process; default true. The run
   * directories and records are the same as one at a time (on cpu the same numbers).
   */
  readonly vectorise?: boolean;
  /**
   * The sweep directory's lock when the caller holds it already (e.g. the CLI, which also writes
   * `sweep.json` and the report under it); otherwise runSweep takes it (`lockDirectory`) for the
   * run and releases it at the end, so a second sweep on the same directory stops at once.
   */
  readonly lock?: DirectoryLock;
  /**
   * Receives one line per decision: which trials take the vectorised path and on which backend
   * (and why `auto` chose it), which go to worker processes. Default: printed to stderr.
   */
  readonly onPlan?: (line: string) => void;
}

/**
 * Trials grouped for the vectorised path (two or more each), and the rest (successive halving
 * plans its passes with it too). Trials that resume from a checkpoint (`resumable`) are among the
 * rest and listed in `resumed`: a vectorised pass starts every trial at epoch 1. `reason` says why
 * the others in the rest cannot be trained together.
 */
export function planVectorised(
  trials: readonly SweepTrial[],
  resumable: (trial: SweepTrial) => boolean,
): { groups: SweepTrial[][]; rest: SweepTrial[]; resumed: SweepTrial[]; reason?: string } {
  const resumed = trials.filter(resumable);
  const resuming = new Set(resumed);
  const { groups, rest, reason } = groupVectorisedTrials(trials.filter((trial) => !resuming.has(trial)));
  const all = [...rest, ...resumed].sort((a, b) => a.index - b.index);
  return { groups, rest: all, resumed, ...(reason === undefined ? {} : { reason }) };
}

/** Why `rest` goes to worker processes (or one at a time): resumed trials, and why the others cannot be stacked. */
function describeRest(
  rest: readonly SweepTrial[],
  resumed: readonly SweepTrial[],
  reason: string | undefined,
): string {
  const indices = (trials: readonly SweepTrial[]) =>
    `trial${trials.length === 1 ? '' : 's'} ${trials.map((trial) => trial.index).join(', ')}`;
  const resuming = new Set(resumed);
  const alone = rest.filter((trial) => !resuming.has(trial));
  const cannot = `cannot be trained together${reason === undefined ? '' : `: ${reason}`}`;
  const resume = `resume${resumed.length === 1 ? 's from its checkpoint' : ' from their checkpoints'}, and a vectorised pass starts at epoch 1`;
  if (resumed.length === 0) return `they ${cannot}`;
  if (alone.length === 0) return `${resumed.length === 1 ? 'it' : 'they'} ${resume}`;
  return `${indices(resumed)} ${resume}; ${indices(alone)} ${cannot}`;
}

/**
 * Whether a run's files read as `contour report` reads them (`readRunRecords`). A damaged log is
 * trained again: reusing it would make every later report of the sweep fail on it.
 */
export function recordsReadable(directory: string): boolean {
  try {
    readRunRecords(directory);
    return true;
  } catch {
    return false;
  }
}

/**
 * A trial is done when its result.json exists for the same config, it finished or diverged, and
 * its log and status files are readable and agree with it.
 */
export function completedResult(directory: string, trial: SweepTrial): RunResultFile | undefined {
  const result = readJsonFile<RunResultFile>(runFiles(directory).result);
  if (!result || result.configHash !== configHash(trial.config)) return undefined;
  if (result.status !== 'finished' && result.status !== 'diverged') return undefined;
  return recordsReadable(directory) ? result : undefined;
}

/** Messages between the coordinator and a worker process. */
export type WorkerRequest = {
  readonly type: 'run';
  readonly trial: SweepTrial;
  readonly directory: string;
  readonly resume: boolean;
};
export type WorkerReply =
  | { readonly type: 'epoch'; readonly record: EpochRecord }
  | { readonly type: 'done'; readonly status: RunStatus; readonly summary: RunSummary }
  | { readonly type: 'failed'; readonly message: string };

const workerUrl = new URL(
  `./sweep-worker${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`,
  import.meta.url,
);

/** Whether a trial's directory holds a checkpoint to resume from. */
function canResume(directory: string): boolean {
  const files = runFiles(directory);
  return existsSync(files.checkpoint) && existsSync(files.config) && recordsReadable(directory);
}

/**
 * Runs a sweep's trials into `directory/trials/<id>/`, skipping trials whose valid result exists
 * (re-running a sweep only trains what is missing) and resuming interrupted ones from their
 * checkpoint. Trials that differ only in their rate or schedule are trained together in one pass
 * in this process (the vectorised path, unless `vectorise: false`); the others run in worker
 * processes (default: one per core) or, with `workers: 0`, here. Which path and backend was chosen
 * is reported through `onPlan` (stderr by default). Results come back in trial order; a failed
 * trial is recorded and the others go on. The sweep directory is locked for the run (see `lock`).
 *
 * @throws DirectoryLockedError naming the owner when another process runs a sweep there.
 */
export async function runSweep(
  trials: readonly SweepTrial[],
  options: SweepRunOptions,
): Promise<SweepTrialResult[]> {
  if (options.lock !== undefined && resolve(options.lock.directory) !== resolve(options.directory))
    throw new Error(`runSweep: "lock" is the lock of ${options.lock.directory}, not of ${options.directory}`);
  // Plugin schedules are built here too (to group trials into one pass), not only in the workers.
  for (const trial of trials) await loadSchedulePlugins(trial.config.schedulePlugins);
  // One writer per sweep directory: a second sweep on it stops here with the owner's pid.
  const lock = options.lock ?? lockDirectory(options.directory);
  try {
    return await runSweepLocked(trials, options);
  } finally {
    if (options.lock === undefined) lock.release();
  }
}

async function runSweepLocked(
  trials: readonly SweepTrial[],
  options: SweepRunOptions,
): Promise<SweepTrialResult[]> {
  const results: Array<SweepTrialResult | undefined> = trials.map(() => undefined);
  const pending: SweepTrial[] = [];
  for (const trial of trials) {
    const directory = trialDirectory(options.directory, trial);
    const done = completedResult(directory, trial);
    if (done) {
      const result: SweepTrialResult = {
        trial,
        directory,
        status: done.status,
        summary: done.summary,
        reused: true,
      };
      results[trial.index] = result;
      options.onTrialEnd?.(result);
    } else {
      pending.push(trial);
    }
  }
  const prepare = (trial: SweepTrial) => {
    const directory = trialDirectory(options.directory, trial);
    const resume = canResume(directory);
    if (!resume) removeRun(directory);
    return { directory, resume };
  };
  const record = (result: SweepTrialResult) => {
    results[result.trial.index] = result;
    options.onTrialEnd?.(result);
  };

  const plan = options.onPlan ?? ((line: string) => console.error(line));
  const { groups, rest, resumed, reason } =
    options.vectorise === false
      ? { groups: [] as SweepTrial[][], rest: pending, resumed: [], reason: undefined }
      : planVectorised(pending, (trial) => canResume(trialDirectory(options.directory, trial)));
  const runGroups = async () => {
    for (const group of groups) {
      if (options.signal?.aborted) break;
      const labels = group.map((trial) => trial.index).join(', ');
      const outcomes = await runVectorisedTrials(
        group.map((trial) => ({ trial, directory: prepare(trial).directory })),
        {
          ...(options.signal ? { signal: options.signal } : {}),
          onBackend: (name, reason) =>
            plan(
              `path: vectorised — trials ${labels} (${group.length} in one pass, stacked weights) on ${name} (${reason})`,
            ),
          ...(options.onTrialStart ? { onTrialStart: options.onTrialStart } : {}),
          ...(options.onEpoch ? { onEpoch: options.onEpoch } : {}),
        },
      );
      for (const outcome of outcomes) record(outcome);
    }
  };

  const workers = Math.min(options.workers ?? availableParallelism(), rest.length);
  if (rest.length > 0) {
    const why = options.vectorise === false ? 'vectorising is off' : describeRest(rest, resumed, reason);
    plan(
      workers <= 0
        ? `path: one at a time in this process — trials ${rest.map((trial) => trial.index).join(', ')} (${why})`
        : `path: ${workers} worker process(es) — trials ${rest.map((trial) => trial.index).join(', ')} (${why}; each worker picks its backend, recorded in config.json)`,
    );
  }
  const runRest = async () => {
    if (workers <= 0) {
      for (const trial of rest) {
        if (options.signal?.aborted) break;
        const { directory, resume } = prepare(trial);
        options.onTrialStart?.(trial);
        try {
          const outcome = await runTraining(trial.config, {
            directory,
            runId: trial.id,
            resume,
            console: false,
            ...(options.signal ? { signal: options.signal } : {}),
            callbacks: { onEpochEnd: (epoch) => options.onEpoch?.(trial, epoch) },
          });
          record({ trial, directory, status: outcome.status, summary: outcome.summary, reused: false });
        } catch (error) {
          record({
            trial,
            directory,
            status: 'failed',
            summary: undefined,
            reused: false,
            error: (error as Error).message,
          });
        }
      }
    } else {
      const queue = [...rest];
      // Reused worker processes: tfjs and the data load once per process, not once per trial.
      const pool = new WorkerProcessPool<WorkerRequest, WorkerReply>({ module: workerUrl, size: workers });
      const abort = () => pool.signal('SIGINT');
      options.signal?.addEventListener('abort', abort, { once: true });
      const runWorker = async () => {
        while (queue.length > 0 && !options.signal?.aborted) {
          const trial = queue.shift() as SweepTrial;
          const { directory, resume } = prepare(trial);
          options.onTrialStart?.(trial);
          record(await runInWorker(pool, trial, directory, resume, options));
        }
      };
      try {
        await Promise.all(Array.from({ length: workers }, runWorker));
      } finally {
        options.signal?.removeEventListener('abort', abort);
        pool.close();
      }
    }
  };
  // Vectorised groups here while the worker pool (other processes) takes the rest.
  await Promise.all([runGroups(), runRest()]);
  return results.filter((result): result is SweepTrialResult => result !== undefined);
}

async function runInWorker(
  pool: WorkerProcessPool<WorkerRequest, WorkerReply>,
  trial: SweepTrial,
  directory: string,
  resume: boolean,
  options: SweepRunOptions,
): Promise<SweepTrialResult> {
  let result: SweepTrialResult | undefined;
  try {
    await pool.run({ type: 'run', trial, directory, resume }, (reply) => {
      if (reply.type === 'epoch') {
        options.onEpoch?.(trial, reply.record);
        return false;
      }
      result =
        reply.type === 'done'
          ? { trial, directory, status: reply.status, summary: reply.summary, reused: false }
          : { trial, directory, status: 'failed', summary: undefined, reused: false, error: reply.message };
      return true;
    });
  } catch (error) {
    if (!(error instanceof WorkerProcessExitedError)) throw error;
    result = {
      trial,
      directory,
      status: options.signal?.aborted ? 'interrupted' : 'failed',
      summary: undefined,
      reused: false,
      error: error.message,
    };
  }
  return result as SweepTrialResult;
}
