import { join, resolve } from 'node:path';
import type { SuccessiveHalvingJob, SweepTrial } from '@contour/core';
import {
  lockDirectory,
  type SuccessiveHalvingSweepOptions,
  SuccessiveHalvingSweepState,
  type SuccessiveHalvingTrialResult,
} from '@contour/runs';
import { Job, Queue, QueueEvents } from 'bullmq';
import {
  checkQueueConnection,
  createRedisClient,
  defaultQueueName,
  ensureQueueStateToken,
  parseQueueUrl,
  QueueConnectionError,
  QueueOptionError,
  QueueStateLostError,
  queueKeyPrefix,
  queueStateKey,
} from './queue-connection.js';
import {
  type RunDirectoryFile,
  readRunDirectoryFiles,
  recordFailedJob,
  removeStagingLeftovers,
  writeRunDirectoryConcurrently,
} from './run-directory-files.js';
import { eventStreamLength } from './run-sweep-on-queue.js';
import { stageJobId } from './successive-halving-stage.js';
import { trialFilesKey } from './trial-files.js';
import { type TrialJobData, type TrialJobResult, trialJobName } from './trial-job.js';

/** Options of {@link runSuccessiveHalvingOnQueue}: the local ASHA sweep's, with the queue. */
export interface SuccessiveHalvingQueueOptions extends SuccessiveHalvingSweepOptions {
  /** The Redis address, `redis://host:6379`. */
  readonly queueUrl: string;
  /** Default `contour-trials`; coordinator and workers must agree. */
  readonly queueName?: string;
  /** Attempts per stage when its training process crashes. Default 3. */
  readonly attempts?: number;
  /** How often job states are polled besides the event stream, in milliseconds. Default 2000. */
  readonly pollInterval?: number;
  /**
   * At most this many stages are in Redis at once (queued, running, or finished and not yet
   * stored); the scheduler's other jobs wait in the coordinator, promotions first, and are
   * enqueued as stages are stored. It bounds Redis's memory whatever the sweep's size (a first
   * rung of thousands of trials is not queued at once) and should be at least the number of
   * trials all workers train at once. Default 256, as `runSweepOnQueue`'s.
   */
  readonly maxQueuedTrials?: number;
  /** One line when Ctrl-C stops the coordinator with stages still on the queue. */
  readonly onStopWaiting?: (line: string) => void;
}

/** The Redis key of the run directory a promoted stage resumes from (removed with the stage). */
export function stageResumeKey(queueName: string, jobId: string): string {
  return `${queueKeyPrefix}:${queueName}:resume:${jobId}`;
}

/**
 * A sweep under asynchronous successive halving across `contour worker`s: the coordinator (this
 * process) holds the scheduler and decides as results arrive. Each trial trains in stages — a
 * job per stage (job id `<trial id>.to-<epoch>`), from scratch to the first rung, or from the run
 * directory of its rung (its checkpoint, sent through Redis) to the next rung or the end — and
 * each stage's run directory is written into `directory/trials/<id>/` when it arrives, replacing
 * the previous one. A result at a rung is reported to the scheduler at once, and the promotions it
 * allows are enqueued at once (ASHA: no waiting for the rest of the rung) — ahead of the first-rung
 * stages still held back by `maxQueuedTrials`.
 *
 * As the local `runSuccessiveHalvingSweep`, the state is rebuilt from the run directories, so
 * running it again after Ctrl-C re-attaches to the stages still on the queue (same job ids) and
 * trains nothing twice; `successive-halving.json` holds the decisions at the end. Redis is checked
 * before anything is written.
 *
 * @throws QueueOptionError for a bad option; QueueConnectionError when Redis does not answer;
 * QueueStateLostError when Redis lost its data mid-sweep (restarted without persistence, flushed,
 * evicted: the stages on the queue are gone; the same call again continues); CoreSpecError for
 * trials with different epochs or early stopping; DirectoryLockedError when another process runs
 * a sweep there.
 */
export async function runSuccessiveHalvingOnQueue(
  trials: readonly SweepTrial[],
  options: SuccessiveHalvingQueueOptions,
): Promise<SuccessiveHalvingTrialResult[]> {
  const attempts = options.attempts ?? 3;
  if (!Number.isSafeInteger(attempts) || attempts < 1)
    throw new QueueOptionError(`attempts must be an integer ≥ 1; got ${options.attempts}`);
  const pollInterval = options.pollInterval ?? 2000;
  if (!(pollInterval > 0))
    throw new QueueOptionError(
      `pollInterval must be a number of milliseconds > 0; got ${options.pollInterval}`,
    );
  const maxQueued = options.maxQueuedTrials ?? 256;
  if (!Number.isSafeInteger(maxQueued) || maxQueued < 1)
    throw new QueueOptionError(`maxQueuedTrials must be an integer ≥ 1; got ${options.maxQueuedTrials}`);
  if (options.lock !== undefined && resolve(options.lock.directory) !== resolve(options.directory))
    throw new QueueOptionError(`lock is the lock of ${options.lock.directory}, not of ${options.directory}`);
  const state = new SuccessiveHalvingSweepState(trials, options.directory, options.successiveHalving);
  await checkQueueConnection(parseQueueUrl(options.queueUrl));
  const lock = options.lock ?? lockDirectory(options.directory);
  try {
    return await coordinate(state, options, { attempts, pollInterval, maxQueued });
  } finally {
    if (options.lock === undefined) lock.release();
  }
}

async function coordinate(
  state: SuccessiveHalvingSweepState,
  options: SuccessiveHalvingQueueOptions,
  settings: { attempts: number; pollInterval: number; maxQueued: number },
): Promise<SuccessiveHalvingTrialResult[]> {
  const queueName = options.queueName ?? defaultQueueName;
  const address = parseQueueUrl(options.queueUrl);
  const client = createRedisClient(address);
  const queue = new Queue<TrialJobData, TrialJobResult>(queueName, {
    connection: client,
    prefix: queueKeyPrefix,
    streams: { events: { maxLen: eventStreamLength } },
  });
  queue.on('error', () => {});
  const eventsClient = createRedisClient(address);
  const events = new QueueEvents(queueName, { connection: eventsClient, prefix: queueKeyPrefix });
  events.on('error', () => {});
  const { trials } = state;
  const plan = options.onPlan ?? ((line: string) => console.error(line));
  /** Stages on the queue, by job id. */
  const inFlight = new Map<string, SuccessiveHalvingJob>();
  /** Stages held back while `maxQueued` are on the queue: promotions and resumes, then first stages. */
  const heldResumes: SuccessiveHalvingJob[] = [];
  const heldStarts: SuccessiveHalvingJob[] = [];
  const held = () => heldResumes.length + heldStarts.length;
  let failure: Error | undefined;
  let wake: () => void = () => {};

  const enqueueNow = async (jobs: readonly SuccessiveHalvingJob[]) => {
    for (const job of jobs) {
      const trial = trials[job.trial] as SweepTrial;
      const jobId = stageJobId(trial, job.toEpoch);
      let resumeFilesKey: string | undefined;
      if (job.fromEpoch > 0) {
        resumeFilesKey = stageResumeKey(queueName, jobId);
        const files = readRunDirectoryFiles(state.directories[job.trial] as string);
        await client.set(resumeFilesKey, JSON.stringify(files));
      }
      inFlight.set(jobId, job);
      // Adding a job id that exists (a stage queued by an earlier run of the coordinator) adds nothing.
      await queue.add(
        trialJobName,
        {
          formatVersion: 1,
          trial,
          successiveHalving: { toEpoch: job.toEpoch, ...(resumeFilesKey ? { resumeFilesKey } : {}) },
        },
        {
          jobId,
          attempts: settings.attempts,
          backoff: { type: 'exponential', delay: 2000 },
          removeOnComplete: false,
          removeOnFail: false,
        },
      );
      options.onDecision?.(
        `${trial.label}: queued to epoch ${job.toEpoch}${job.fromEpoch > 0 ? ` from its epoch-${job.fromEpoch} checkpoint` : ''}`,
      );
    }
  };
  const decideAndEnqueue = async () => {
    const jobs = state.scheduler.nextJobs();
    for (const job of jobs)
      if (job.promotedFrom !== undefined)
        options.onDecision?.(
          `${(trials[job.trial] as SweepTrial).label}: promoted from rung ${job.promotedFrom} (epoch ${job.fromEpoch}) to epoch ${job.toEpoch}`,
        );
    hold(jobs);
    await topUp();
  };
  const hold = (jobs: readonly SuccessiveHalvingJob[]) => {
    for (const job of jobs) (job.fromEpoch > 0 ? heldResumes : heldStarts).push(job);
  };
  /** Enqueues held stages while fewer than `maxQueued` are in Redis; promotions and resumes first. */
  const topUp = async () => {
    const room = Math.max(0, settings.maxQueued - inFlight.size);
    const resumes = heldResumes.splice(0, room);
    await enqueueNow([...resumes, ...heldStarts.splice(0, room - resumes.length)]);
  };

  /** Stores a stage that ended and reports it; one at a time (the scheduler is not re-entrant). */
  const settleNow = async (jobId: string) => {
    const stage = inFlight.get(jobId);
    if (!stage) return;
    const jobState = await queue.getJobState(jobId);
    if (jobState === 'unknown') {
      // Vanished with the rest of Redis's data: that ends the wait (in one line).
      await checkStateKept();
      // Removed by hand (`contour queue clean`) before it ended: failed, as in the grid sweep (the
      // same command again queues it anew).
      if (!inFlight.has(jobId)) return;
      inFlight.delete(jobId);
      state.settle(stage.trial, {
        trial: trials[stage.trial] as SweepTrial,
        directory: state.directories[stage.trial] as string,
        status: 'failed',
        summary: undefined,
        reused: false,
        error: `stage ${jobId} was removed from the queue before it finished`,
      });
      await client.del(stageResumeKey(queueName, jobId));
      await decideAndEnqueue();
      return;
    }
    if (jobState !== 'completed' && jobState !== 'failed') return;
    const job = await Job.fromId<TrialJobData, TrialJobResult>(queue, jobId);
    if (!job || !inFlight.has(jobId)) return;
    const trial = trials[stage.trial] as SweepTrial;
    const directory = state.directories[stage.trial] as string;
    inFlight.delete(jobId);
    if (jobState === 'completed') {
      const result = job.returnvalue;
      let files: RunDirectoryFile[] | undefined;
      if (Array.isArray(result?.files)) files = [...result.files];
      else if (result?.filesKey === trialFilesKey(queueName, trial.id)) {
        const text = await client.get(result.filesKey);
        files = text === null ? undefined : (JSON.parse(text) as RunDirectoryFile[]);
      }
      if (!files) {
        state.settle(stage.trial, {
          trial,
          directory,
          status: 'failed',
          summary: undefined,
          reused: false,
          error: `stage ${jobId} returned no run directory`,
        });
      } else {
        // Without blocking: other stages' events are read meanwhile (their settles wait their turn).
        await writeRunDirectoryConcurrently(directory, files);
        state.readLosses(stage.trial);
        if (result.status === 'interrupted') {
          // Paused at its stage's epoch (a rung): the scheduler ranks it now.
          state.scheduler.report(stage.trial, stage.toEpoch, state.lossAt(stage.trial, stage.toEpoch));
        } else {
          state.settle(stage.trial, {
            trial,
            directory,
            status: result.status,
            summary: result.summary,
            reused: false,
          });
        }
        if (result.filesKey !== undefined) await client.del(result.filesKey);
      }
    } else {
      const reason = recordFailedJob(directory, job);
      state.settle(stage.trial, {
        trial,
        directory,
        status: 'failed',
        summary: undefined,
        reused: false,
        error: reason,
      });
    }
    await job.remove().catch(() => {});
    await client.del(stageResumeKey(queueName, jobId));
    await decideAndEnqueue();
  };
  let chain: Promise<void> = Promise.resolve();
  const settle = (jobId: string) => {
    chain = chain
      .then(() => settleNow(jobId))
      .catch((error: Error) => {
        failure ??= error;
      })
      .finally(() => wake());
    return chain;
  };

  events.on('completed', ({ jobId }) => void settle(jobId));
  events.on('failed', ({ jobId }) => void settle(jobId));
  events.on('progress', ({ jobId, data }) => {
    const stage = inFlight.get(jobId);
    const record = (data as { record?: unknown } | undefined)?.record;
    if (stage && record) options.onEpoch?.(trials[stage.trial] as SweepTrial, record as never);
  });
  let stateToken = '';
  /**
   * Throws QueueStateLostError when Redis lost the queue's data since the coordinator started
   * (the state token changed or vanished, as `runSweepOnQueue` detects it). The grid coordinator
   * then queues its unfinished trials again; here the stages on the queue carried resume
   * checkpoints the scheduler decided from, so the coordinator stops, and the same command run
   * again rebuilds everything from the run directories and queues the missing stages anew.
   */
  const checkStateKept = async () => {
    if ((await client.get(queueStateKey(queueName))) === stateToken) return;
    throw new QueueStateLostError(
      address.display,
      `${inFlight.size === 1 ? 'the stage' : `the ${inFlight.size} stages`} on the queue lost with it; run the same command again to continue (what is stored in ${options.directory} is kept)`,
    );
  };
  const lost = () => {
    failure ??= new QueueConnectionError(address.display, 'the connection was lost');
    wake();
  };
  client.on('end', lost);
  eventsClient.on('end', lost);
  const abort = () => wake();
  options.signal?.addEventListener('abort', abort, { once: true });
  try {
    await events.waitUntilReady();
    stateToken = await ensureQueueStateToken(client, queueName);
    plan(`${state.describe()}; stages on ${address.display}`);
    removeStagingLeftovers(join(options.directory, 'trials'));
    const resumes = state.rebuild(options.onDecision);
    const first = [...resumes, ...state.scheduler.nextJobs()];
    // Stages an earlier run of the coordinator left in Redis are attached first, whatever the bound
    // (they are in Redis already); the others are held until there is room.
    const queued = await Promise.all(
      first.map(async (job) => {
        const jobId = stageJobId(trials[job.trial] as SweepTrial, job.toEpoch);
        return (await queue.getJobState(jobId)) !== 'unknown';
      }),
    );
    await enqueueNow(first.filter((_, index) => queued[index]));
    hold(first.filter((_, index) => !queued[index]));
    await topUp();
    /** Waits until no settle is in progress (a settle may enqueue the next stages). */
    const quiet = async () => {
      for (let current = chain; ; current = chain) {
        await current;
        if (current === chain) return;
      }
    };
    for (;;) {
      await quiet();
      if ((inFlight.size === 0 && held() === 0) || options.signal?.aborted || failure) break;
      // Polled: a Redis that lost its data sends no event for the stages it lost.
      await checkStateKept().catch((error: Error) => {
        failure ??= error;
      });
      if (failure) break;
      await Promise.all([...inFlight.keys()].map((jobId) => settle(jobId)));
      await quiet();
      if ((inFlight.size === 0 && held() === 0) || options.signal?.aborted || failure) break;
      // Held stages with nothing in Redis (a settle that ended without topping up): enqueue them.
      if (inFlight.size === 0) {
        await topUp();
        continue;
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, settings.pollInterval);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = () => {};
    }
    await quiet();
    if (failure) throw failure;
    if (options.signal?.aborted && inFlight.size > 0)
      options.onStopWaiting?.(
        `stopped waiting: ${inFlight.size} stage(s) stay on the queue for the workers; run the same command again to collect them and go on`,
      );
    return state.finish(options.onTrialEnd);
  } finally {
    events.removeAllListeners();
    events.on('error', () => {});
    options.signal?.removeEventListener('abort', abort);
    await events.close().catch(() => {});
    eventsClient.disconnect();
    await queue.close().catch(() => {});
    client.disconnect();
  }
}
