import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  epochsToCsv,
  findings,
  lossCurvesChartSpec,
  MetricsLogger,
  metricsFormatVersion,
  runCurves,
  summarizeRun,
} from '@contour/metrics-logger';
import { JsonlFileSink, readMetricsFile } from '@contour/metrics-logger/node';

// Your own training loop, logged in Contour's format (`contour plot`/`report` and the web app read it).
const directory = mkdtempSync(join(tmpdir(), 'run-'));
const file = join(directory, 'metrics.jsonl');
const logger = new MetricsLogger([new JsonlFileSink(file)]); // add `new ConsoleSink()` for a progress bar
logger.log({
  kind: 'run-start',
  formatVersion: metricsFormatVersion,
  runId: 'lr=0.1',
  time: new Date().toISOString(),
  config: { optimizer: { type: 'sgd', lr: 0.1 } },
  versions: { node: process.versions.node },
  epochs: 6,
});
for (let epoch = 1; epoch <= 6; epoch += 1) {
  const train = 2.3 / epoch; // your loop's measured numbers go here
  const validation = 2.3 / Math.min(epoch, 3) + 0.05 * epoch; // stops improving after epoch 3
  logger.log({
    kind: 'epoch',
    epoch,
    step: epoch * 100,
    learningRate: 0.1,
    seconds: 1.5,
    train: { crossEntropy: train, classificationError: 0.9 / epoch },
    validation: { crossEntropy: validation, classificationError: 0.9 / Math.min(epoch, 3) },
  });
}
logger.log({
  kind: 'finish',
  status: 'finished',
  time: new Date().toISOString(),
  epochs: 6,
  steps: 600,
  seconds: 9,
});
logger.close();

const { records } = readMetricsFile(file); // validated line by line; a torn last line is dropped
const summary = summarizeRun(records);
console.log(summary.status, summary.epochs, summary.bestValidationCrossEntropy?.epoch); // finished 6 3
console.log(summary.overfitGap?.toFixed(3)); // final validation − train cross entropy
for (const finding of findings(records)) console.log(finding.kind, finding.severity);
console.log(epochsToCsv(records).split('\n')[0]); // the CSV header
const spec = lossCurvesChartSpec([runCurves('lr=0.1', records)]); // training solid, validation dashed
writeFileSync(join(directory, 'loss.vl.json'), JSON.stringify(spec)); // draw with vega-embed or vl2png
console.log(spec.$schema); // https://vega.github.io/schema/vega-lite/v5.json
