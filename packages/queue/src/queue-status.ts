import { Job, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { type TrialJobState, trialJobStates } from './options.js';
import {
  checkQueueConnection,
  createRedisClient,
  defaultQueueName,
  parseQueueUrl,
  queueKeyPrefix,
} from './queue-connection.js';
import { trialFilesKey } from './trial-files.js';
import { isTrialJobProgress, type TrialJobData, type TrialJobResult } from './trial-job.js';

export { type TrialJobState, trialJobStates } from './options.js';

/** Options of {@link queueStatus} and {@link cleanQueue}. */
export interface QueueSelection {
  readonly queueUrl: string;
  /** Default `contour-trials`. */
  readonly queueName?: string;
  /** Only this sweep's jobs (ids `<sweepId>-<index>-<hash>`); default every job. */
  readonly sweepId?: string;
}

/** One job in {@link QueueStatus}. */
export interface TrialJobStatus {
  readonly id: string;
  readonly state: TrialJobState;
  /** Last epoch reported, when the trial reported any. */
  readonly epoch: number | undefined;
  readonly epochs: number | undefined;
  /** Times a worker started it (more than 1 after a crash or a dead worker). */
  readonly attemptsStarted: number;
  /** The worker holding or last holding it (`host:pid`). */
  readonly worker: string | undefined;
  /** The trial's status when completed (`finished` or `diverged`). */
  readonly result: string | undefined;
  /** Why it failed, when it did. */
  readonly error: string | undefined;
}

/** What {@link queueStatus} returns. */
export interface QueueStatus {
  /** The Redis address without credentials. */
  readonly address: string;
  readonly queueName: string;
  /** Number of jobs per state (of the selected sweep, when one was given). */
  readonly counts: Readonly<Record<TrialJobState, number>>;
  /** Workers connected to the queue now. */
  readonly workers: readonly string[];
  /** Every selected job, sorted by id. */
  readonly jobs: readonly TrialJobStatus[];
  /** What Redis holds now (the whole server, not only this queue). */
  readonly redis: RedisUsage;
}

/** Redis's memory and key count, from `INFO memory` (`used_memory`) and `DBSIZE`. */
export interface RedisUsage {
  /** Bytes Redis has allocated for its data (`used_memory`). */
  readonly usedMemoryBytes: number;
  /** Keys in the selected database. */
  readonly keys: number;
}

/** Reads {@link RedisUsage} from a connected client. */
export async function redisUsage(client: Redis): Promise<RedisUsage> {
  const info = await client.info('memory');
  const used = /^used_memory:(\d+)\s*$/m.exec(info)?.[1];
  return { usedMemoryBytes: used === undefined ? Number.NaN : Number(used), keys: await client.dbsize() };
}

/** Opens the queue after checking that Redis answers. */
export async function openQueueForInspection(selection: QueueSelection) {
  const address = parseQueueUrl(selection.queueUrl);
  await checkQueueConnection(address);
  const client = createRedisClient(address);
  const queueName = selection.queueName ?? defaultQueueName;
  const queue = new Queue<TrialJobData, TrialJobResult>(queueName, {
    connection: client,
    prefix: queueKeyPrefix,
  });
  queue.on('error', () => {});
  return {
    address,
    queueName,
    queue,
    client,
    close: async () => {
      await queue.close().catch(() => {});
      client.disconnect();
    },
  };
}

/** The ids of the selected jobs per state. */
export async function selectedJobIds(
  queue: Queue<TrialJobData, TrialJobResult>,
  sweepId: string | undefined,
): Promise<Array<{ id: string; state: TrialJobState }>> {
  const selected: Array<{ id: string; state: TrialJobState }> = [];
  for (const state of trialJobStates) {
    const ids = await queue.getRanges([state], 0, -1, true);
    for (const id of new Set(ids)) {
      if (sweepId === undefined || id.startsWith(`${sweepId}-`)) selected.push({ id, state });
    }
  }
  return selected.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/**
 * Shows the queue: job counts per state, the connected workers and each job's state, last
 * reported epoch, attempts, worker and error, for one sweep (`sweepId`) or all.
 *
 * @throws QueueOptionError for a bad address; QueueConnectionError when Redis does not answer.
 */
export async function queueStatus(selection: QueueSelection): Promise<QueueStatus> {
  const { address, queueName, queue, client, close } = await openQueueForInspection(selection);
  try {
    const selected = await selectedJobIds(queue, selection.sweepId);
    const counts = Object.fromEntries(trialJobStates.map((state) => [state, 0])) as Record<
      TrialJobState,
      number
    >;
    const jobs: TrialJobStatus[] = [];
    for (const { id, state } of selected) {
      counts[state] += 1;
      const job = await Job.fromId<TrialJobData, TrialJobResult>(queue, id);
      const progress = isTrialJobProgress(job?.progress) ? job.progress : undefined;
      jobs.push({
        id,
        state,
        epoch: progress?.epoch,
        epochs: progress?.epochs,
        attemptsStarted: job?.attemptsStarted ?? 0,
        worker: job?.processedBy,
        result: state === 'completed' ? job?.returnvalue?.status : undefined,
        error: state === 'failed' ? job?.failedReason?.split('\n')[0] : undefined,
      });
    }
    const workers = (await queue.getWorkers()).map(
      (worker) => (worker as { name?: string }).name ?? 'unnamed',
    );
    return { address: address.display, queueName, counts, workers, jobs, redis: await redisUsage(client) };
  } finally {
    await close();
  }
}

/** Options of {@link cleanQueue}. */
export interface CleanQueueOptions extends QueueSelection {
  /** Which states to remove; default every state but `active`. */
  readonly states?: readonly TrialJobState[];
}

/** What {@link cleanQueue} did. */
export interface CleanQueueResult {
  readonly removed: readonly string[];
  /** Jobs a worker is training now: they cannot be removed (stop the workers first). */
  readonly active: readonly string[];
}

/**
 * Removes jobs (with their stored results) from the queue: the selected sweep's, or all, in the
 * given states (default all but active). Run it once a sweep's report is written, or to retry its
 * failed trials (`states: ['failed']`, then run the sweep again). Files in sweep directories are
 * never touched.
 *
 * @throws QueueOptionError for a bad address; QueueConnectionError when Redis does not answer.
 */
export async function cleanQueue(options: CleanQueueOptions): Promise<CleanQueueResult> {
  const states = new Set<TrialJobState>(
    options.states ?? trialJobStates.filter((state) => state !== 'active'),
  );
  const { queue, queueName, client, close } = await openQueueForInspection(options);
  try {
    const removed: string[] = [];
    const active: string[] = [];
    for (const { id, state } of await selectedJobIds(queue, options.sweepId)) {
      if (state === 'active') {
        if (states.has('active')) active.push(id);
        continue;
      }
      if (!states.has(state)) continue;
      // remove() returns 0 for a job locked by a worker (it became active meanwhile).
      if ((await queue.remove(id)) === 1) {
        removed.push(id);
        await client.del(trialFilesKey(queueName, id));
      } else active.push(id);
    }
    return { removed, active };
  } finally {
    await close();
  }
}
