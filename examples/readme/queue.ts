import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expandSweep, resolveRunConfig } from '@contour/core';
import { queueStatus, runSweepOnQueue, startQueueWorker } from '@contour/queue';

const queueUrl = process.argv[2] ?? 'redis://127.0.0.1:6379'; // the only thing the machines share

// A worker: on every training machine (what `contour worker --queue …` runs); trains until closed.
const worker = await startQueueWorker({ queueUrl, concurrency: 2 });

// The coordinator: a learning-rate sweep, trained by whichever workers are connected.
const base = resolveRunConfig({
  data: { trainLimit: 1000, testLimit: 200 },
  training: { model: 'linear', optimizer: { type: 'sgd', lr: 0.1 }, epochs: 2, batchSize: 50, seed: 1 },
  backend: 'cpu', // the same numbers on every machine
});
const trials = expandSweep('lr-study', base, [{ key: 'optimizer.lr', values: [0.5, 0.1, 0.01] }]);
const directory = mkdtempSync(join(tmpdir(), 'lr-study-')); // OUT/trials/<trial id>/, as a local sweep
const rows = await runSweepOnQueue(trials, { directory, queueUrl }); // also onTrialStart, onEpoch, onTrialEnd
for (const row of rows) {
  const error = row.summary?.final.validation?.classificationError;
  console.log(row.trial.label, row.status, row.summary?.epochs, error?.toFixed(2));
}

const status = await queueStatus({ queueUrl }); // what `contour queue status` prints
console.log(status.jobs.length, status.workers.length); // 0 1: collected results leave Redis
await worker.close(); // finishes running trials first; close(true) stops at once
