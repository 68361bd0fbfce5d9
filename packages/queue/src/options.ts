/**
 * `@contour/queue/options` — what the queue's options accept, without BullMQ, ioredis or the
 * training engine: the default queue name, `parseQueueUrl` and `QueueOptionError`, the job states
 * `queueStatus` counts, and a worker's stack and concurrency defaults and limits. Loads none of
 * them, so a program can list and check its queue options before it connects (the `contour worker`
 * and `contour queue` CLI commands do, for their `--help` and usage errors); the main entry
 * re-exports all of it.
 *
 * @packageDocumentation
 */

/** The BullMQ queue Contour's coordinators and workers share, unless told otherwise. */
export const defaultQueueName = 'contour-trials';

/** A bad `--queue` address (or other queue option): the CLI prints it in one line and exits 2. */
export class QueueOptionError extends Error {
  override readonly name = 'QueueOptionError';
}

/** A parsed `redis://` or `rediss://` address. */
export interface QueueAddress {
  /** What the user typed. */
  readonly url: string;
  /** The address without credentials, for messages: `redis://host:port[/db]`. */
  readonly display: string;
  readonly host: string;
  readonly port: number;
  readonly database: number;
  readonly tls: boolean;
}

/**
 * Parses a Redis address, `redis://[user:password@]host[:port][/db]` or `rediss://…` (TLS);
 * the port defaults to 6379 and the database to 0.
 *
 * @throws QueueOptionError naming `--queue` when it is not such an address.
 */
export function parseQueueUrl(url: string): QueueAddress {
  const example = 'redis://host:6379';
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new QueueOptionError(`--queue must be a Redis address like ${example}; got "${url}"`);
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new QueueOptionError(
      `--queue must start with redis:// or rediss:// (e.g. ${example}); got "${parsed.protocol}//"`,
    );
  }
  if (parsed.hostname === '')
    throw new QueueOptionError(`--queue needs a host, e.g. ${example}; got "${url}"`);
  const port = parsed.port === '' ? 6379 : Number(parsed.port);
  const path = parsed.pathname.replace(/^\//, '');
  if (!/^\d*$/.test(path)) {
    throw new QueueOptionError(`--queue database must be a number (redis://host:6379/0); got "/${path}"`);
  }
  const database = path === '' ? 0 : Number(path);
  const display = `${parsed.protocol}//${parsed.hostname}:${port}${database === 0 ? '' : `/${database}`}`;
  return { url, display, host: parsed.hostname, port, database, tls: parsed.protocol === 'rediss:' };
}

/** States a trial's job can be in (BullMQ's job types; `queueStatus` counts them). */
export const trialJobStates = ['waiting', 'active', 'delayed', 'prioritized', 'completed', 'failed'] as const;

/** One of {@link trialJobStates}. */
export type TrialJobState = (typeof trialJobStates)[number];

/** Trials a worker's pass trains together at most, unless `stack` says otherwise. */
export const defaultStackSize = 8;

/**
 * The largest `stack`: a coordinator keeps at most 256 trials in Redis at once (its default
 * `maxQueuedTrials`), so a larger pass could never fill, and K stacked models are held in memory.
 */
export const maxStackSize = 256;

/**
 * The largest `concurrency`: each pass is a child process holding tfjs and its data, and a
 * coordinator keeps at most 256 trials in Redis at once (its default `maxQueuedTrials`), so more
 * passes could never all be busy.
 */
export const maxConcurrency = 256;
