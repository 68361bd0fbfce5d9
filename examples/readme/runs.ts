import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveRunConfig } from '@contour/core';
import { readRunRecords, runTraining } from '@contour/runs';

// One run written to a run directory: a softmax layer on 1,000 embedded MNIST digits, SGD at lr 0.1.
const config = resolveRunConfig({
  data: { trainLimit: 1000, testLimit: 200 },
  training: { model: 'linear', optimizer: { type: 'sgd', lr: 0.1 }, epochs: 2, batchSize: 50, seed: 1 },
  backend: 'cpu', // the same numbers everywhere; 'auto' picks the fastest backend that trains here
});
const directory = join(mkdtempSync(join(tmpdir(), 'runs-')), 'lr-0.1');
const outcome = await runTraining(config, { directory, console: false }); // resume: true continues after Ctrl-C
const error = outcome.summary.final.validation?.classificationError;
console.log(outcome.status, outcome.summary.epochs, error?.toFixed(2)); // finished 2 0.18
console.log(readdirSync(directory).sort().join(' '));
// What `contour plot` and `report` read: every record, checked against result.json and status.json.
console.log(readRunRecords(directory).filter((record) => record.kind === 'epoch').length); // 2
