import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { summarizeRun } from '@contour/metrics-logger';
import { readMetricsFile } from '@contour/metrics-logger/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpuBackend, regressionData, tf, tfl } from '../test-support/tiny-model.js';
import { contourLogger } from './contour-logger-node.js';

beforeAll(cpuBackend);
const root = mkdtempSync(join(tmpdir(), 'contour-layers-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('contourLogger', () => {
  it('writes a run directory (config, metrics, status, result, findings) in Node', async () => {
    const directory = join(root, 'run');
    const { x, y } = regressionData(32);
    const model = tfl.sequential({ layers: [tfl.layers.dense({ units: 1, inputShape: [2] })] });
    model.compile({ optimizer: tf.train.adam(0.05), loss: 'meanSquaredError' });
    const logger = contourLogger(directory, { runId: 'node-run' });
    await model.fit(x, y, {
      epochs: 4,
      batchSize: 8,
      validationSplit: 0.25,
      verbose: 0,
      callbacks: [logger],
    });
    logger.close();
    const { records, tornLastLine } = readMetricsFile(join(directory, 'metrics.jsonl'));
    expect(tornLastLine).toBeUndefined();
    expect(records.map((record) => record.kind)).toEqual([
      'run-start',
      'epoch',
      'epoch',
      'epoch',
      'epoch',
      'finish',
    ]);
    const summary = summarizeRun(records);
    expect(summary.status).toBe('finished');
    const read = (name: string) => JSON.parse(readFileSync(join(directory, name), 'utf8'));
    expect(read('config.json')).toMatchObject({
      formatVersion: 1,
      runId: 'node-run',
      config: { source: '@contour/layers' },
    });
    expect(read('status.json')).toMatchObject({ status: 'finished', epoch: 4, step: 12 });
    expect(read('result.json')).toMatchObject({ runId: 'node-run', status: 'finished', backend: 'cpu' });
    expect(Array.isArray(read('findings.json'))).toBe(true);
    expect(() => contourLogger(directory)).toThrow(
      /contourLogger: "directory" must be a directory without a run in it/,
    );
    tf.dispose([x, y]);
    model.dispose();
  });
});
