import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expandSweep, resolveRunConfig } from '@contour/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSweepOnQueue } from './run-sweep-on-queue.js';
import { type QueueWorker, startQueueWorker } from './start-queue-worker.js';
import { type RedisServer, startRedisServer } from './start-redis-server.js';

const scratch = mkdtempSync(join(tmpdir(), 'contour-queue-lost-result-'));
const queueName = 'lost-result';
let redis: RedisServer;
let worker: QueueWorker;

beforeAll(async () => {
  redis = await startRedisServer();
  const seen = join(scratch, 'seen');
  mkdirSync(seen);
  // Sandboxed children are forked with this process's environment.
  process.env.CONTOUR_TEST_SEEN_TRIALS = seen;
  worker = await startQueueWorker({
    queueUrl: redis.url,
    queueName,
    concurrency: 1,
    resultsDirectory: join(scratch, 'kept'),
    processor: new URL('./test-support/result-lost-once-processor.ts', import.meta.url),
  });
}, 60_000);

afterAll(async () => {
  await worker?.close(true);
  await redis?.stop();
  rmSync(scratch, { recursive: true, force: true });
}, 60_000);

describe('runSweepOnQueue', () => {
  it('queues a trial again when its job completed without a result, and stores the result of the next attempt', async () => {
    const base = resolveRunConfig({
      data: { trainLimit: 300 },
      training: { epochs: 1, batchSize: 64, optimizer: { type: 'sgd', lr: 0.5 } },
      backend: 'cpu',
    });
    const trials = expandSweep('lost', base, [{ key: 'optimizer.lr', values: [0.5, 0.1] }]);
    const messages: string[] = [];
    const directory = join(scratch, 'sweep');
    const rows = await runSweepOnQueue(trials, {
      directory,
      queueUrl: redis.url,
      queueName,
      pollInterval: 300,
      onStateLost: (message) => messages.push(message),
    });
    expect(
      rows.map((row) => row.status),
      JSON.stringify(rows.map((row) => row.error ?? null)),
    ).toEqual(['finished', 'finished']);
    // One line per lost result, naming the job, what it returned and the attempt.
    expect(messages.sort()).toEqual(
      trials
        .map((trial) => `job ${trial.id} returned no Contour run directory (got null): queued again (1 of 3)`)
        .sort(),
    );
    for (const row of rows) expect(existsSync(join(row.directory, 'result.json'))).toBe(true);
  }, 180_000);
});
