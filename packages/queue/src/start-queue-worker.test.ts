import { describe, expect, it } from 'vitest';
import { QueueConnectionError, QueueOptionError } from './queue-connection.js';
import { startQueueWorker } from './start-queue-worker.js';
import { freePort } from './start-redis-server.js';

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
});
