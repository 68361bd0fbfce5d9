import { existsSync, rmSync } from 'node:fs';
import { availableParallelism, hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BackendChoice } from '@contour/core';
import { WorkerProcessPool, workerExecArgv } from '@contour/runs';
import { Worker } from 'bullmq';
import { defaultStackSize, maxConcurrency, maxStackSize } from './options.js';
import {
  checkQueueConnection,
  createRedisClient,
  defaultQueueName,
  describeLostQueueState,
  ensureQueueStateToken,
  parseQueueUrl,
  QueueOptionError,
  queueKeyPrefix,
  queueStateKey,
} from './queue-connection.js';
import { createStackedProcessor } from './stacked-processor.js';
import type { StackedTrainReply, StackedTrainRequest } from './stacked-trial-job.js';
import {
  type TrialJobData,
  type TrialJobResult,
  workerBackendVariable,
  workerQueueNameVariable,
  workerQueueUrlVariable,
  workerResultsVariable,
} from './trial-job.js';

/** Options of {@link startQueueWorker}. */
export interface QueueWorkerOptions {
  /** The Redis address, `redis://host:6379`: the only thing workers and coordinator share. */
  readonly queueUrl: string;
  /**
   * Training passes at once, each in its own child process (reused from pass to pass). Default:
   * the number of cores; at most {@link maxConcurrency}.
   */
  readonly concurrency?: number;
  /**
   * Trials one pass may train together (`contour worker --stack`): a pass that starts claims up to
   * this many waiting trials that can be trained in one vectorised pass (same data, backend,
   * model, seed, batch size and epochs; the local sweep's check), each still its own job with its
   * own lock, progress, result and retries. 1 trains one trial at a time. Default
   * {@link defaultStackSize}.
   */
  readonly stack?: number;
  /**
   * Backend for trials whose config asks for `auto` (default `auto`: the fastest that trains on
   * this machine). Trials that name a backend (e.g. `cpu` for reproducible numbers) keep it.
   */
  readonly backend?: BackendChoice;
  /** Default `contour-trials`; coordinator and workers must agree. */
  readonly queueName?: string;
  /** This worker's name in job records; default `<host>:<pid>`. */
  readonly name?: string;
  /**
   * How long a trial stays locked without renewal before another worker may take it over, in
   * milliseconds (BullMQ `lockDuration`, renewed every half of it). Default 30000.
   */
  readonly lockDuration?: number;
  /** How often this worker looks for trials whose worker died, in milliseconds. Default 30000. */
  readonly stalledInterval?: number;
  /**
   * Where finished runs wait until the coordinator has them (`<dir>/<trial id>/`), default
   * `<tmp>/contour-worker-results`. A run whose result Redis could not take (Redis lost its data,
   * or the trial's lock expired) stays there, and is delivered without training again if its
   * trial comes back to this machine.
   */
  readonly resultsDirectory?: string;
  /**
   * The sandboxed processor module each child process runs (a file URL or path whose default
   * export takes a BullMQ job and returns a `TrialJobResult`, its files stored with
   * `storeTrialFiles`). Default: Contour's trainer. For benchmarks and tests that load the queue
   * without training (a stub trainer).
   */
  readonly processor?: URL | string;
  readonly onTrialStart?: (trialId: string) => void;
  /**
   * The trials of each training pass as it starts (several: trained stacked in one vectorised
   * pass; one: alone). Not called with a custom `processor`.
   */
  readonly onPass?: (trialIds: readonly string[]) => void;
  readonly onTrialEnd?: (trialId: string, outcome: { status: string; error?: string }) => void;
  /**
   * Problems after the start, one line each: connection trouble, Redis that lost its data, a
   * finished run Redis could not take (and where it is kept).
   */
  readonly onError?: (message: string) => void;
}

/** A running queue worker. */
export interface QueueWorker {
  readonly name: string;
  /** The Redis address without credentials. */
  readonly address: string;
  /**
   * Stops taking trials. Without `force` it waits for the running trials to finish; with it, it
   * stops their child processes at once (their trials go back to the queue when their lock expires).
   */
  close(force?: boolean): Promise<void>;
  /** Resolves when the worker has stopped; rejects when its Redis connection was lost for good. */
  readonly closed: Promise<void>;
}

export { defaultStackSize, maxConcurrency, maxStackSize } from './options.js';

const sourceExtension = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
const stackedChildUrl = new URL(`./stacked-trial-child${sourceExtension}`, import.meta.url);

function positiveInteger(
  field: string,
  value: number | undefined,
  fallback: number,
  maximum = Number.MAX_SAFE_INTEGER,
): number {
  const result = value ?? fallback;
  if (!Number.isSafeInteger(result) || result < 1) {
    throw new QueueOptionError(`${field} must be an integer ≥ 1; got ${value}`);
  }
  if (result > maximum) throw new QueueOptionError(`${field} must be at most ${maximum}; got ${value}`);
  return result;
}

/**
 * Starts a worker that pulls trials from the queue and trains them in sandboxed child processes
 * (BullMQ sandboxed processors), reporting progress once per epoch. A trial whose worker dies
 * (SIGKILL, lost machine) is taken over by another worker once its lock expires (stalled-job
 * detection); a crash of the child process is retried with exponential backoff up to the job's
 * attempts; a trial whose training throws (bad spec) fails at once and for good. Diverging is a
 * result, not a failure.
 *
 * @throws QueueOptionError for a bad address or option.
 * @throws QueueConnectionError naming the address when Redis does not answer.
 */
export async function startQueueWorker(options: QueueWorkerOptions): Promise<QueueWorker> {
  const address = parseQueueUrl(options.queueUrl);
  const concurrency = positiveInteger(
    '--concurrency',
    options.concurrency,
    availableParallelism(),
    maxConcurrency,
  );
  const stack = positiveInteger('--stack', options.stack, defaultStackSize, maxStackSize);
  const lockDuration = positiveInteger('lockDuration', options.lockDuration, 30_000);
  const stalledInterval = positiveInteger('stalledInterval', options.stalledInterval, 30_000);
  const resultsDirectory = options.resultsDirectory ?? join(tmpdir(), 'contour-worker-results');
  const queueName = options.queueName ?? defaultQueueName;
  await checkQueueConnection(address);
  const name = options.name ?? `${hostname()}:${process.pid}`;
  const connection = createRedisClient(address);
  // Redis's state token: when it changes, Redis lost its data (see queueStateKey). Each reconnect
  // after the token is read checks it, so an idle worker notices too. Listening from here on: the
  // first connection is made (and its 'ready' emitted) while the token is being read below.
  let stateToken: string | undefined;
  let stateWasLost = false;
  let checking: Promise<void> | undefined;
  const checkState = (): Promise<void> => {
    // Not read yet: it is read from whatever Redis holds now.
    if (stateToken === undefined) return Promise.resolve();
    checking ??= (async () => {
      try {
        if ((await connection.get(queueStateKey(queueName))) === stateToken) return;
        stateToken = await ensureQueueStateToken(connection, queueName);
        stateWasLost = true;
        options.onError?.(
          `${describeLostQueueState(address.display)}: trials this worker was training are gone from the queue; their finished runs are kept in ${resultsDirectory}`,
        );
      } catch {
        // Not connected: the next reconnect checks again.
      } finally {
        checking = undefined;
      }
    })();
    return checking;
  };
  connection.on('ready', () => void checkState());
  const childEnvironment = {
    ...process.env,
    [workerBackendVariable]: options.backend ?? 'auto',
    [workerResultsVariable]: resultsDirectory,
    [workerQueueUrlVariable]: options.queueUrl,
    [workerQueueNameVariable]: queueName,
  };
  // Contour's trainer runs in the worker's own reused children and stacks compatible trials;
  // another processor module (the benchmark's stub) runs as a BullMQ sandboxed processor.
  const pool =
    options.processor === undefined
      ? new WorkerProcessPool<StackedTrainRequest, StackedTrainReply>({
          module: stackedChildUrl,
          size: concurrency,
          env: childEnvironment,
          execArgv: process.execArgv,
        })
      : undefined;
  const processor = pool
    ? createStackedProcessor({
        worker: () => worker,
        stack,
        pool,
        client: connection,
        backend: options.backend ?? 'auto',
        ...(options.onTrialStart ? { onTrialStart: options.onTrialStart } : {}),
        ...(options.onPass ? { onPass: options.onPass } : {}),
      })
    : (options.processor as URL | string);
  const worker: Worker<TrialJobData, TrialJobResult> = new Worker<TrialJobData, TrialJobResult>(
    queueName,
    processor,
    {
      connection,
      prefix: queueKeyPrefix,
      name,
      concurrency,
      lockDuration,
      stalledInterval,
      // A trial may be caught by two dying workers in a row before it fails for good.
      maxStalledCount: 2,
      useWorkerThreads: false,
      workerForkOptions: {
        execArgv: pool
          ? process.execArgv
          : workerExecArgv(new URL(String(processor), 'file:///'), process.execArgv),
        env: childEnvironment,
      },
    },
  );
  // The stacked processor reports the trials a pass starts (claimed trials it puts back never start).
  if (!pool) worker.on('active', (job) => options.onTrialStart?.(job.id ?? job.name));
  const keptRun = (trialId: string) => join(resultsDirectory, trialId);
  worker.on('completed', (job, result) => {
    // The coordinator can read it from Redis now: the kept copy is no longer needed.
    if (job.id) rmSync(keptRun(job.id), { recursive: true, force: true });
    options.onTrialEnd?.(job.id ?? job.name, { status: result?.status ?? 'finished' });
  });
  worker.on('failed', (job, error) => {
    if (job) options.onTrialEnd?.(job.id ?? job.name, { status: 'failed', error: error.message });
  });

  stateToken = await ensureQueueStateToken(connection, queueName);
  const reportedTrials = new Set<string>();
  worker.on('error', (error) => {
    const message = error.message.split('\n')[0] ?? error.name;
    // BullMQ's words for a job whose key or lock is gone: once per trial, in our words.
    const match =
      /^(?:(?:Missing (?:key|lock)|Lock mismatch) for job (\S+?)\.|could not renew lock for job (\S+)$)/.exec(
        message,
      );
    const trialId = match?.[1] ?? match?.[2];
    if (trialId === undefined) {
      options.onError?.(message);
      return;
    }
    // Looked at now: a trial queued here again is handed over (and its kept run removed) as soon
    // as this slot is free, which may be before the state check below has answered.
    const kept = existsSync(keptRun(trialId));
    void checkState().then(() => {
      if (kept) {
        if (reportedTrials.has(`kept ${trialId}`)) return;
        reportedTrials.add(`kept ${trialId}`);
        const reason = stateWasLost ? 'Redis lost it' : 'its lock expired and another worker took it over';
        options.onError?.(
          `trial ${trialId}: the queue could not take its result (${reason}); this worker's finished run is kept in ${keptRun(trialId)} (delivered at once if the trial is queued here again)`,
        );
      } else if (!stateWasLost && !reportedTrials.has(trialId)) {
        // Still training: its lock could not be renewed, so another worker may take it over.
        reportedTrials.add(trialId);
        options.onError?.(`trial ${trialId}: ${message}; another worker may take it over`);
      }
    });
  });

  let resolveClosed: () => void = () => {};
  let rejectClosed: (error: Error) => void = () => {};
  const closed = new Promise<void>((resolve, reject) => {
    resolveClosed = resolve;
    rejectClosed = reject;
  });
  let closing: Promise<void> | undefined;
  const close = (force = false): Promise<void> => {
    if (closing && !force) return closing;
    closing = (async () => {
      try {
        if (force) pool?.close(true);
        await worker.close(force);
      } finally {
        pool?.close(force);
        connection.disconnect();
        resolveClosed();
      }
    })();
    return closing;
  };
  connection.on('end', () => {
    if (closing) return;
    rejectClosed(new Error(`lost the connection to Redis at ${address.display}`));
    pool?.close(true);
    void worker.close(true).finally(() => connection.disconnect());
  });
  await worker.waitUntilReady();
  return { name, address: address.display, close, closed };
}
