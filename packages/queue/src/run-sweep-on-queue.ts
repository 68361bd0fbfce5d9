import { join, resolve } from 'node:path';
import type { SweepTrial } from '@contour/core';
import {
  completedResult,
  lockDirectory,
  type SweepRunOptions,
  type SweepTrialResult,
  trialDirectory,
} from '@contour/runs';
import { Job, Queue, QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';
import {
  checkQueueConnection,
  createRedisClient,
  defaultQueueName,
  describeLostQueueState,
  ensureQueueStateToken,
  parseQueueUrl,
  QueueConnectionError,
  QueueOptionError,
  queueKeyPrefix,
  queueStateKey,
} from './queue-connection.js';
import {
  type RunDirectoryFile,
  recordFailedJob,
  removeStagingLeftovers,
  writeRunDirectoryConcurrently,
} from './run-directory-files.js';
import { trialFilesKey } from './trial-files.js';
import { isTrialJobProgress, type TrialJobData, type TrialJobResult, trialJobName } from './trial-job.js';

/** Options of {@link enqueueSweep}. */
export interface EnqueueSweepOptions {
  /** The Redis address, `redis://host:6379`. */
  readonly queueUrl: string;
  /** Default `contour-trials`; coordinator and workers must agree. */
  readonly queueName?: string;
  /**
   * Attempts per trial when its training process crashes (exponential backoff from 2 s).
   * A trial whose training throws is not retried; a worker that dies does not use up an attempt
   * (its trial is taken over by another worker). Default 3.
   */
  readonly attempts?: number;
}

/** What {@link enqueueSweep} did. */
export interface EnqueueSweepResult {
  /** Trials added as new jobs. */
  readonly added: readonly string[];
  /** Trials whose job already existed (waiting, running, finished or failed): nothing added. */
  readonly existing: readonly string[];
}

/** Options of {@link runSweepOnQueue}: those of a local `runSweep`, with the queue instead of `workers`. */
export interface QueueSweepOptions extends Omit<SweepRunOptions, 'workers'>, EnqueueSweepOptions {
  /** How often job states are polled besides the event stream, in milliseconds. Default 2000. */
  readonly pollInterval?: number;
  /** How often `onWaiting` reports what the coordinator waits for, in milliseconds. Default 10000. */
  readonly waitReportInterval?: number;
  /**
   * At most this many of the sweep's trials are in Redis at once (queued, running, or finished
   * and not yet stored); the next ones are enqueued as results are stored. It bounds Redis's
   * memory whatever the sweep's size (finished trials wait there with their files) and should be
   * at least the number of trials all workers train at once. Default 256.
   */
  readonly maxQueuedTrials?: number;
  /** Called once the first unfinished trials (up to `maxQueuedTrials`) are on the queue. */
  readonly onEnqueued?: (result: EnqueueSweepResult) => void;
  /**
   * Called every `waitReportInterval` while trials are unfinished: how many wait, how many run,
   * and how many workers are connected (`describeQueueWait` turns it into one line).
   */
  readonly onWaiting?: (report: QueueWaitReport) => void;
  /**
   * Called once when `signal` stops the coordinator while trials are unfinished: what it leaves
   * on the queue and whether any worker is connected to train it (`describeQueueStop`).
   */
  readonly onStopWaiting?: (report: QueueWaitReport) => void;
  /**
   * Called with one line when Redis lost its data (restarted without persistence) while trials
   * were unfinished, or when a job completed without its result; the coordinator then queues
   * those trials again and goes on waiting.
   */
  readonly onStateLost?: (message: string) => void;
}

/** What a coordinator waits for: its unfinished trials and the workers connected to the queue. */
export interface QueueWaitReport {
  /** The Redis address without credentials. */
  readonly address: string;
  readonly queueName: string;
  /** Unfinished trials no worker trains now (waiting, or delayed before a retry). */
  readonly waiting: number;
  /** Unfinished trials a worker has started. */
  readonly running: number;
  /** Workers connected to the queue now. */
  readonly workers: number;
  /**
   * With no worker connected: whole seconds since the coordinator last saw one (or since it
   * started waiting); `undefined` while workers are connected.
   */
  readonly secondsWithoutWorkers: number | undefined;
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

/** The command that starts a worker for this queue (address without credentials). */
export function workerCommandFor(report: Pick<QueueWaitReport, 'address' | 'queueName'>): string {
  const name = report.queueName === defaultQueueName ? '' : ` --queue-name ${report.queueName}`;
  return `contour worker --queue ${report.address}${name}`;
}

/**
 * One line saying what the coordinator waits for, e.g. `3 trials waiting, 0 workers connected
 * for 20 s — start \`contour worker --queue redis://host:6379\``.
 */
export function describeQueueWait(report: QueueWaitReport): string {
  const running = report.running > 0 ? `, ${report.running} running` : '';
  if (report.workers === 0) {
    return `${plural(report.waiting, 'trial')} waiting${running}, 0 workers connected for ${
      report.secondsWithoutWorkers ?? 0
    } s — start \`${workerCommandFor(report)}\``;
  }
  return `${plural(report.waiting, 'trial')} waiting${running}; ${plural(report.workers, 'worker')} connected`;
}

/**
 * One line for a coordinator stopped (Ctrl-C) with unfinished trials: they stay on the queue,
 * and it says whether any connected worker will train them.
 */
export function describeQueueStop(report: QueueWaitReport): string {
  const count = report.waiting + report.running;
  const unfinished = `${plural(count, 'unfinished trial')} ${count === 1 ? 'stays' : 'stay'}`;
  const again = 'run the same command again to collect their results';
  if (report.workers === 0) {
    return `stopped waiting: ${unfinished} on the queue, but no worker is connected, so nothing trains them until you start \`${workerCommandFor(report)}\`; ${again}`;
  }
  return `stopped waiting: ${unfinished} on the queue for the ${plural(report.workers, 'connected worker')}; ${again}`;
}

/** Events kept in the queue's event stream (BullMQ's default is 10,000). */
export const eventStreamLength = 1000;

interface QueueHandles {
  readonly queue: Queue<TrialJobData, TrialJobResult>;
  readonly clients: Redis[];
  close(): Promise<void>;
}

function openQueue(queueUrl: string, queueName: string | undefined): QueueHandles {
  const address = parseQueueUrl(queueUrl);
  const client = createRedisClient(address);
  const queue = new Queue<TrialJobData, TrialJobResult>(queueName ?? defaultQueueName, {
    connection: client,
    prefix: queueKeyPrefix,
    // Progress events carry an epoch record each: keep the stream short (the coordinator polls
    // job states anyway, so a trimmed event is never lost work).
    streams: { events: { maxLen: eventStreamLength } },
  });
  queue.on('error', () => {});
  return {
    queue,
    clients: [client],
    close: async () => {
      await queue.close().catch(() => {});
      client.disconnect();
    },
  };
}

function jobOptions(trial: SweepTrial, attempts: number) {
  return {
    jobId: trial.id,
    attempts,
    backoff: { type: 'exponential', delay: 2000 },
    removeOnComplete: false,
    removeOnFail: false,
  } as const;
}

async function addTrials(
  queue: Queue<TrialJobData, TrialJobResult>,
  trials: readonly SweepTrial[],
  attempts: number,
): Promise<EnqueueSweepResult> {
  const added: string[] = [];
  const existing: string[] = [];
  const states = await Promise.all(trials.map((trial) => queue.getJobState(trial.id)));
  const fresh = trials.filter((trial, index) => {
    const exists = states[index] !== 'unknown';
    (exists ? existing : added).push(trial.id);
    return !exists;
  });
  if (fresh.length > 0) {
    // The job id is the trial id: adding an id that exists is a no-op in BullMQ.
    await queue.addBulk(
      fresh.map((trial) => ({
        name: trialJobName,
        data: { formatVersion: 1 as const, trial },
        opts: jobOptions(trial, attempts),
      })),
    );
  }
  return { added, existing };
}

function checkInterval(field: string, value: number | undefined, fallback: number): number {
  const result = value ?? fallback;
  if (!Number.isFinite(result) || result <= 0) {
    throw new QueueOptionError(`${field} must be a number of milliseconds > 0; got ${value}`);
  }
  return result;
}

function checkAttempts(attempts: number | undefined): number {
  const value = attempts ?? 3;
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new QueueOptionError(`attempts must be an integer ≥ 1; got ${attempts}`);
  }
  return value;
}

/**
 * Adds one job per trial to the queue (job id = trial id, so enqueueing a trial whose job is in
 * Redis adds nothing) and returns without waiting. Workers started with `startQueueWorker` train
 * them. A trial that a coordinator has already stored has left Redis: only `runSweepOnQueue`,
 * which checks the directory first, knows not to enqueue it again.
 *
 * @throws QueueOptionError for a bad address; QueueConnectionError when Redis does not answer.
 */
export async function enqueueSweep(
  trials: readonly SweepTrial[],
  options: EnqueueSweepOptions,
): Promise<EnqueueSweepResult> {
  const attempts = checkAttempts(options.attempts);
  await checkQueueConnection(parseQueueUrl(options.queueUrl));
  const handles = openQueue(options.queueUrl, options.queueName);
  try {
    return await addTrials(handles.queue, trials, attempts);
  } finally {
    await handles.close();
  }
}

/**
 * The distributed counterpart of `runSweep`, with the same options (minus `workers`) and the same
 * result rows: trials whose valid result exists in `directory` are reused and not enqueued; the
 * others are enqueued (job id = trial id) for `contour worker`s to train, and each trial's run
 * directory is written into `directory/trials/<id>/` at once (staged, then renamed) as its result
 * arrives, laid out exactly as a local sweep does. A trial whose training failed is recorded as
 * `failed` with its error (and `status.json` saying so) and the sweep goes on.
 *
 * Aborting (`signal`, Ctrl-C) stops waiting and returns the rows gathered so far; the jobs go on
 * running on the workers. Calling it again with the same trials re-attaches to the same jobs:
 * nothing finished is trained again.
 *
 * Redis is contacted before anything is written: unreachable, it throws QueueConnectionError
 * naming the address and `directory` is left untouched. The sweep directory is locked for the run,
 * as `runSweep` locks it (`lock`: the caller's lock when it holds it already).
 *
 * @returns One row per trial that ended, in trial order.
 * @throws DirectoryLockedError naming the owner when another process runs a sweep there.
 */
export async function runSweepOnQueue(
  trials: readonly SweepTrial[],
  options: QueueSweepOptions,
): Promise<SweepTrialResult[]> {
  const attempts = checkAttempts(options.attempts);
  const pollInterval = checkInterval('pollInterval', options.pollInterval, 2000);
  const reportInterval = checkInterval('waitReportInterval', options.waitReportInterval, 10_000);
  const maxQueued = options.maxQueuedTrials ?? 256;
  if (!Number.isSafeInteger(maxQueued) || maxQueued < 1) {
    throw new QueueOptionError(`maxQueuedTrials must be an integer ≥ 1; got ${options.maxQueuedTrials}`);
  }
  if (options.lock !== undefined && resolve(options.lock.directory) !== resolve(options.directory)) {
    throw new QueueOptionError(`lock is the lock of ${options.lock.directory}, not of ${options.directory}`);
  }
  // Redis first: unreachable, nothing is written (not even the lock).
  await checkQueueConnection(parseQueueUrl(options.queueUrl));
  // One coordinator per sweep directory: a second one stops here with the owner's pid.
  const lock = options.lock ?? lockDirectory(options.directory);
  try {
    return await runSweepOnQueueLocked(trials, options, {
      attempts,
      pollInterval,
      reportInterval,
      maxQueued,
    });
  } finally {
    if (options.lock === undefined) lock.release();
  }
}

async function runSweepOnQueueLocked(
  trials: readonly SweepTrial[],
  options: QueueSweepOptions,
  settings: { attempts: number; pollInterval: number; reportInterval: number; maxQueued: number },
): Promise<SweepTrialResult[]> {
  const { attempts, pollInterval, reportInterval, maxQueued } = settings;
  const queueName = options.queueName ?? defaultQueueName;
  const address = parseQueueUrl(options.queueUrl);

  const rows = new Map<string, SweepTrialResult>();
  const order = new Map(trials.map((trial, position) => [trial.id, position]));
  const ordered = () =>
    [...rows.values()].sort((a, b) => (order.get(a.trial.id) ?? 0) - (order.get(b.trial.id) ?? 0));
  const record = (row: SweepTrialResult) => {
    rows.set(row.trial.id, row);
    options.onTrialEnd?.(row);
  };

  const outstanding = new Map<string, SweepTrial>();
  for (const trial of trials) {
    const directory = trialDirectory(options.directory, trial);
    const done = completedResult(directory, trial);
    if (done) record({ trial, directory, status: done.status, summary: done.summary, reused: true });
    else outstanding.set(trial.id, trial);
  }
  if (outstanding.size === 0 || options.signal?.aborted) return ordered();
  removeStagingLeftovers(join(options.directory, 'trials'));

  const handles = openQueue(options.queueUrl, options.queueName);
  const eventsClient = createRedisClient(address);
  const events = new QueueEvents(queueName, {
    connection: eventsClient,
    prefix: queueKeyPrefix,
  });
  events.on('error', () => {});
  const started = new Set<string>();
  /** Unfinished trials whose job is in Redis; the others wait in `pending`, in trial order. */
  const onQueue = new Set<string>();
  const pending = [...outstanding.values()];
  const finish = (trialId: string) => {
    outstanding.delete(trialId);
    onQueue.delete(trialId);
  };
  /** The last state seen of each unfinished trial's job (none yet: just enqueued, so waiting). */
  const lastState = new Map<string, string>();
  const settling = new Map<string, Promise<void>>();
  /** How often each trial was queued again after its job completed without a result. */
  const redeliveries = new Map<string, number>();
  let wake: () => void = () => {};
  let failure: Error | undefined;

  const markStarted = (trial: SweepTrial) => {
    if (started.has(trial.id)) return;
    started.add(trial.id);
    options.onTrialStart?.(trial);
  };

  /** Writes the trial's row once its job has finished (completed or failed for good). */
  let stopped = false;
  const settle = (trialId: string): Promise<void> => {
    const trial = outstanding.get(trialId);
    // Once stopped, nothing more is written: every directory written is in the returned rows.
    if (!trial || !onQueue.has(trialId) || stopped || settling.has(trialId)) {
      return settling.get(trialId) ?? Promise.resolve();
    }
    const work = (async () => {
      // The state first (one small call); the job itself only once it has ended.
      const state = await handles.queue.getJobState(trialId);
      const ended = state === 'completed' || state === 'failed';
      const job = ended ? await Job.fromId<TrialJobData, TrialJobResult>(handles.queue, trialId) : undefined;
      lastState.set(trialId, state);
      const directory = trialDirectory(options.directory, trial);
      if (job && state === 'completed') {
        const result = job.returnvalue;
        const files = result?.formatVersion === 1 ? await resultFiles(result) : undefined;
        if (!files) {
          const problem = `job ${trialId} returned no Contour run directory (got ${JSON.stringify(result)?.slice(0, 60)})`;
          // A completed job without its result was seen twice in CI (around a Redis restart and a
          // killed worker; cause not found). The worker keeps every finished run until it is
          // delivered and hands it over when the trial comes back, so the trial is queued again
          // (as often as a job is attempted) rather than failed.
          const redelivered = (redeliveries.get(trialId) ?? 0) + 1;
          if (redelivered <= attempts) {
            redeliveries.set(trialId, redelivered);
            await job.remove();
            await addTrials(handles.queue, [trial], attempts);
            lastState.set(trialId, 'waiting');
            options.onStateLost?.(`${problem}: queued again (${redelivered} of ${attempts})`);
            return;
          }
          finish(trialId);
          record(failedRow(trial, directory, problem));
          return;
        }
        // Without blocking: other trials' results are read from Redis and written meanwhile.
        await writeRunDirectoryConcurrently(directory, files);
        finish(trialId);
        markStarted(trial);
        const written = completedResult(directory, trial);
        if (written) {
          // Stored durably (fsynced, renamed into place): the job and its files leave Redis, so
          // Redis holds only unfinished trials whatever the sweep's size.
          await job.remove().catch(() => {});
          if (result.filesKey !== undefined) await client.del(result.filesKey);
          record({ trial, directory, status: written.status, summary: written.summary, reused: false });
        } else {
          record(failedRow(trial, directory, `job ${trialId} returned a result for another config`));
        }
      } else if (job && state === 'failed') {
        finish(trialId);
        markStarted(trial);
        record(failedRow(trial, directory, recordFailedJob(directory, job)));
      } else if (state === 'unknown') {
        // A job that vanished with the rest of Redis's data is queued again, not failed.
        if (await stateLost()) return;
        // Queued again meanwhile by a recovery that ran while this job was read.
        if ((await handles.queue.getJobState(trialId)) !== 'unknown') return;
        finish(trialId);
        record(failedRow(trial, directory, `job ${trialId} was removed from the queue before it finished`));
      } else if (state === 'active') {
        markStarted(trial);
      }
    })()
      .catch((error: Error) => {
        failure ??= error;
      })
      .finally(() => {
        settling.delete(trialId);
        wake();
      });
    settling.set(trialId, work);
    return work;
  };

  events.on('completed', ({ jobId }) => {
    if (outstanding.has(jobId)) lastState.set(jobId, 'completed');
    void settle(jobId);
  });
  events.on('failed', ({ jobId }) => {
    if (outstanding.has(jobId)) lastState.set(jobId, 'failed');
    void settle(jobId);
  });
  events.on('active', ({ jobId }) => {
    const trial = outstanding.get(jobId);
    if (!trial) return;
    lastState.set(jobId, 'active');
    markStarted(trial);
  });
  events.on('progress', ({ jobId, data }) => {
    const trial = outstanding.get(jobId);
    if (!trial || !isTrialJobProgress(data)) return;
    lastState.set(jobId, 'active');
    markStarted(trial);
    options.onEpoch?.(trial, data.record);
  });
  const lost = () => {
    failure ??= new QueueConnectionError(address.display, 'the connection was lost');
    wake();
  };
  handles.clients[0]?.on('end', lost);
  eventsClient.on('end', lost);
  const abort = () => wake();
  const client = handles.clients[0] as Redis;
  let stateToken = '';
  let recovering: Promise<void> | undefined;
  /** A result's files: inline, or read from the key the worker stored them under. */
  const resultFiles = async (result: TrialJobResult): Promise<readonly RunDirectoryFile[] | undefined> => {
    if (Array.isArray(result.files)) return result.files;
    if (result.filesKey !== trialFilesKey(queueName, result.trialId)) return undefined;
    const text = await client.get(result.filesKey);
    const files: unknown = text === null ? undefined : JSON.parse(text);
    return Array.isArray(files) ? (files as RunDirectoryFile[]) : undefined;
  };
  /** Whether Redis lost the queue's data since the coordinator last looked (token changed). */
  const stateLost = async (): Promise<boolean> => {
    if (recovering) {
      await recovering;
      return true;
    }
    if ((await client.get(queueStateKey(queueName))) === stateToken) return false;
    recovering ??= (async () => {
      stateToken = await ensureQueueStateToken(client, queueName);
      const queued = [...onQueue].flatMap((trialId) => outstanding.get(trialId) ?? []);
      const again = await addTrials(handles.queue, queued, attempts);
      for (const trialId of again.added) lastState.set(trialId, 'waiting');
      options.onStateLost?.(
        `${describeLostQueueState(address.display)}: ${plural(again.added.length, 'unfinished trial')} queued again`,
      );
    })().finally(() => {
      recovering = undefined;
    });
    await recovering;
    return true;
  };
  let workerSeenAt = performance.now();
  /** Counts the unfinished trials by their last known state and asks Redis for the workers. */
  const waitReport = async (): Promise<QueueWaitReport> => {
    const workers = (await handles.queue.getWorkers()).length;
    if (workers > 0) workerSeenAt = performance.now();
    let running = 0;
    for (const trialId of outstanding.keys()) if (lastState.get(trialId) === 'active') running += 1;
    return {
      address: address.display,
      queueName,
      waiting: outstanding.size - running,
      running,
      workers,
      secondsWithoutWorkers:
        workers === 0 ? Math.floor((performance.now() - workerSeenAt) / 1000) : undefined,
    };
  };
  options.signal?.addEventListener('abort', abort, { once: true });

  try {
    await events.waitUntilReady();
    stateToken = await ensureQueueStateToken(client, queueName);
    /** Enqueues the next pending trials while fewer than `maxQueued` are in Redis. */
    const topUp = async (): Promise<EnqueueSweepResult> => {
      const batch = pending.splice(0, Math.max(0, maxQueued - onQueue.size));
      for (const trial of batch) onQueue.add(trial.id);
      return batch.length === 0 ? { added: [], existing: [] } : addTrials(handles.queue, batch, attempts);
    };
    options.onEnqueued?.(await topUp());
    let polledAt = Number.NEGATIVE_INFINITY;
    let reportAt = performance.now() + reportInterval;
    while (outstanding.size > 0 && !options.signal?.aborted && !failure) {
      if (performance.now() - polledAt >= pollInterval) {
        // Poll every outstanding job now and then: catches what the event stream missed (jobs
        // that ended before it was read, events trimmed from the stream).
        polledAt = performance.now();
        await stateLost();
        await Promise.all([...onQueue].map((trialId) => settle(trialId)));
        if (outstanding.size === 0 || options.signal?.aborted || failure) break;
      }
      if (pending.length > 0 && onQueue.size < maxQueued) await topUp();
      if (performance.now() >= reportAt) {
        reportAt = performance.now() + reportInterval;
        const report = await waitReport();
        if (outstanding.size === 0 || options.signal?.aborted || failure) break;
        options.onWaiting?.(report);
      }
      await new Promise<void>((resolve) => {
        const next = Math.min(polledAt + pollInterval, reportAt);
        const timer = setTimeout(resolve, Math.max(0, next - performance.now()));
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = () => {};
    }
    stopped = true;
    await Promise.all(settling.values());
    if (failure) throw failure;
    if (options.signal?.aborted && outstanding.size > 0) options.onStopWaiting?.(await waitReport());
    return ordered();
  } finally {
    stopped = true;
    events.removeAllListeners();
    events.on('error', () => {});
    options.signal?.removeEventListener('abort', abort);
    await events.close().catch(() => {});
    eventsClient.disconnect();
    await handles.close();
  }
}

function failedRow(trial: SweepTrial, directory: string, error: string): SweepTrialResult {
  return { trial, directory, status: 'failed', summary: undefined, reused: false, error };
}
