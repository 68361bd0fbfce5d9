import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import {
  defaultQueueName,
  QueueConnectionError,
  QueueOptionError,
  queueStateKey,
} from './queue-connection.js';
import { startQueueWorker } from './start-queue-worker.js';
import { freePort, startRedisServer } from './start-redis-server.js';

describe('startQueueWorker', () => {
  it('rejects a bad concurrency, stack or address before connecting', async () => {
    await expect(startQueueWorker({ queueUrl: 'redis://127.0.0.1:1', concurrency: 0 })).rejects.toThrow(
      new QueueOptionError('--concurrency must be an integer ≥ 1; got 0'),
    );
    await expect(startQueueWorker({ queueUrl: 'tcp://host:1' })).rejects.toBeInstanceOf(QueueOptionError);
    await expect(startQueueWorker({ queueUrl: 'redis://127.0.0.1:1', stack: 257 })).rejects.toThrow(
      new QueueOptionError('--stack must be at most 256; got 257'),
    );
    await expect(startQueueWorker({ queueUrl: 'redis://127.0.0.1:1', concurrency: 257 })).rejects.toThrow(
      new QueueOptionError('--concurrency must be at most 256; got 257'),
    );
    await expect(startQueueWorker({ queueUrl: 'redis://127.0.0.1:1', concurrency: 1.5 })).rejects.toThrow(
      new QueueOptionError('--concurrency must be an integer ≥ 1; got 1.5'),
    );
  });

  it('fails at once naming the address when Redis is unreachable', async () => {
    const port = await freePort();
    await expect(startQueueWorker({ queueUrl: `redis://127.0.0.1:${port}` })).rejects.toThrow(
      new RegExp(`^cannot reach Redis at redis://127\\.0\\.0\\.1:${port}: `),
    );
    await expect(startQueueWorker({ queueUrl: `redis://127.0.0.1:${port}` })).rejects.toBeInstanceOf(
      QueueConnectionError,
    );
  });

  it('an idle worker says in one line that Redis lost its data when it reconnects to a restarted Redis without persistence', async () => {
    const redis = await startRedisServer({ appendOnly: false });
    const errors: string[] = [];
    let said: () => void = () => {};
    const saidLoss = new Promise<void>((resolve) => {
      said = resolve;
    });
    const worker = await startQueueWorker({
      queueUrl: redis.url,
      concurrency: 1,
      onError: (message) => {
        errors.push(message);
        if (message.includes('lost its data')) said();
      },
    });
    const probe = new Redis(redis.url, { lazyConnect: true, maxRetriesPerRequest: null });
    probe.on('error', () => {});
    try {
      // Never given a trial: only its reconnect can tell it that Redis came back empty.
      await redis.restart();
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        saidLoss,
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, 30_000);
        }),
      ]);
      clearTimeout(timer);
      expect(errors).toEqual([
        `Redis at ${redis.url} lost its data (restarted without persistence? see "Redis persistence" in the @contour/queue README): trials this worker was training are gone from the queue; their finished runs are kept in ${join(tmpdir(), 'contour-worker-results')}`,
      ]);
      // It wrote the new state token, so a later lock error is not taken for another loss.
      await probe.connect();
      expect(await probe.get(queueStateKey(defaultQueueName))).toMatch(/^[0-9a-z]+-[0-9a-z]+$/);
    } finally {
      probe.disconnect();
      await worker.close(true);
      await redis.stop();
    }
  }, 60_000);
});
