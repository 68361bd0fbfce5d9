import type { Redis } from 'ioredis';
import { createRedisClient, parseQueueUrl, queueKeyPrefix } from './queue-connection.js';
import type { RunDirectoryFile } from './run-directory-files.js';
import { workerQueueNameVariable, workerQueueUrlVariable } from './trial-job.js';

/** The Redis key of a finished trial's run directory files (JSON), until the coordinator has them. */
export function trialFilesKey(queueName: string, trialId: string): string {
  return `${queueKeyPrefix}:${queueName}:files:${trialId}`;
}

let client: Redis | undefined;

/**
 * Stores a finished trial's files in Redis for the coordinator and returns their key: called by a
 * worker's sandboxed processor (the Redis address and queue come from its environment, set by
 * `startQueueWorker`). One connection per child process, reused across trials.
 */
export async function storeTrialFiles(trialId: string, files: readonly RunDirectoryFile[]): Promise<string> {
  const url = process.env[workerQueueUrlVariable];
  const queueName = process.env[workerQueueNameVariable];
  if (url === undefined || queueName === undefined) {
    throw new Error(
      `${workerQueueUrlVariable} and ${workerQueueNameVariable} must be set (startQueueWorker sets them)`,
    );
  }
  if (!client) {
    client = createRedisClient(parseQueueUrl(url));
    await client.connect();
  }
  const key = trialFilesKey(queueName, trialId);
  await client.set(key, JSON.stringify(files));
  return key;
}
