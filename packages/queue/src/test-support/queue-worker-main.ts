// A worker process for tests: `node --import tsx queue-worker-main.ts <redis url> <concurrency> [queue name]`.
// Locks short enough that a killed worker's trial is taken over within ~10 s, and long enough for
// their renewal on a loaded 2-core CI machine: with 3 s locks one healthy trial came back `failed`
// once in CI (most likely a lock that expired under load; not reproduced). Prints `ready <name>`,
// and `pass <id>,<id>,…` as each training pass starts. CONTOUR_TEST_WORKER_STACK sets `stack`.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startQueueWorker } from '../start-queue-worker.js';

const [queueUrl = '', concurrency = '1', queueName] = process.argv.slice(2);
const resultsDirectory = mkdtempSync(join(tmpdir(), 'contour-test-worker-'));
process.on('exit', () => rmSync(resultsDirectory, { recursive: true, force: true }));
const worker = await startQueueWorker({
  queueUrl,
  ...(queueName === undefined ? {} : { queueName }),
  concurrency: Number(concurrency),
  ...(process.env.CONTOUR_TEST_WORKER_STACK ? { stack: Number(process.env.CONTOUR_TEST_WORKER_STACK) } : {}),
  onPass: (trialIds) => process.stdout.write(`pass ${trialIds.join(',')}\n`),
  lockDuration: 10_000,
  stalledInterval: 2000,
  // Its own: a run kept by an earlier test run must never stand in for training.
  resultsDirectory,
  onError: (message) => process.stdout.write(`error ${message}\n`),
  onTrialStart: (trialId) => process.stdout.write(`start ${trialId}\n`),
  onTrialEnd: (trialId, outcome) =>
    process.stdout.write(
      `end ${trialId} ${outcome.status}${outcome.error ? `: ${outcome.error.split('\n')[0]}` : ''}\n`,
    ),
});
process.stdout.write(`ready ${worker.name}\n`);
process.on('SIGTERM', () => {
  void worker.close().then(() => process.exit(0));
});
await worker.closed;
