import { Redis } from 'ioredis';
import type { QueueAddress } from './options.js';

export { defaultQueueName, parseQueueUrl, type QueueAddress, QueueOptionError } from './options.js';

/** Prefix of every Redis key Contour's queue writes (BullMQ's own default is `bull`). */
export const queueKeyPrefix = 'contour';

/** Redis could not be reached: the CLI prints it in one line and exits 1. Nothing was written. */
export class QueueConnectionError extends Error {
  override readonly name = 'QueueConnectionError';
  constructor(
    readonly address: string,
    readonly reason: string,
  ) {
    super(`cannot reach Redis at ${address}: ${reason}`);
  }
}

/** How long connecting may take before Redis counts as unreachable, in milliseconds. */
export const connectTimeoutMilliseconds = 3000;

/**
 * A Redis client for BullMQ: `maxRetriesPerRequest: null` as BullMQ requires, and a bounded
 * reconnect (about half a minute of attempts) so a lost server ends in an error, not a hang.
 */
export function createRedisClient(address: QueueAddress): Redis {
  const client = new Redis(address.url, {
    lazyConnect: true,
    connectTimeout: connectTimeoutMilliseconds,
    maxRetriesPerRequest: null,
    retryStrategy: (times) => (times > 15 ? null : Math.min(times * 250, 2000)),
  });
  // Errors surface through the commands that fail and through `end`; never as unhandled events.
  client.on('error', () => {});
  return client;
}

/**
 * Checks at once that Redis answers at the address: one connection attempt with a short timeout
 * and no retry, then PING.
 *
 * @throws QueueConnectionError naming the address when it does not answer.
 */
export async function checkQueueConnection(
  address: QueueAddress,
  timeoutMilliseconds = connectTimeoutMilliseconds,
): Promise<void> {
  const client = new Redis(address.url, {
    lazyConnect: true,
    connectTimeout: timeoutMilliseconds,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  let lastError: Error | undefined;
  client.on('error', (error: Error) => {
    lastError = error;
  });
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`no answer within ${timeoutMilliseconds} ms`)),
        timeoutMilliseconds + 500,
      );
    });
    await Promise.race([
      (async () => {
        await client.connect();
        await client.ping();
      })(),
      timeout,
    ]);
  } catch (error) {
    const reason = describeConnectionError(lastError ?? (error as Error));
    throw new QueueConnectionError(address.display, reason);
  } finally {
    clearTimeout(timer);
    client.disconnect();
  }
}

function describeConnectionError(error: Error): string {
  const code = (error as NodeJS.ErrnoException).code;
  const message = (error.message.split('\n')[0] ?? '').trim();
  if (code && !message.includes(code)) return `${code} ${message}`.trim();
  return message || error.name;
}

/**
 * The Redis key holding a queue's state token: a random value written once by the first
 * coordinator or worker that finds it missing. Redis keeps it as long as it keeps the jobs, so a
 * token that changed or vanished means Redis lost its data (restarted without persistence,
 * flushed, or evicted).
 */
export function queueStateKey(queueName: string): string {
  return `${queueKeyPrefix}:${queueName}:state-token`;
}

/** Reads the queue's state token, writing a fresh one first when there is none. */
export async function ensureQueueStateToken(client: Redis, queueName: string): Promise<string> {
  const key = queueStateKey(queueName);
  await client.set(key, `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`, 'NX');
  return (await client.get(key)) ?? '';
}

/** The one line coordinator and workers print when Redis lost its data. */
export function describeLostQueueState(address: string): string {
  return `Redis at ${address} lost its data (restarted without persistence? see "Redis persistence" in the @contour/queue README)`;
}

/**
 * Redis lost the queue's data while a coordinator that cannot queue its work again by itself was
 * waiting (an ASHA sweep): one line saying so and that running the same command again continues.
 * The CLI prints it and exits 1; what was stored in the sweep directory is kept.
 */
export class QueueStateLostError extends Error {
  override readonly name = 'QueueStateLostError';
  constructor(
    readonly address: string,
    readonly detail: string,
  ) {
    super(`${describeLostQueueState(address)}: ${detail}`);
  }
}
