import fs, { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { summarizeRun } from '@contour/metrics-logger';
import { DiskFullError, readMetricsFile } from '@contour/metrics-logger/node';
import { readRunRecords, readRunState } from '@contour/runs';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { cpuBackend, regressionData, tf, tfl } from '../test-support/tiny-model.js';
import { contourLogger } from './contour-logger-node.js';

beforeAll(cpuBackend);
const root = mkdtempSync(join(tmpdir(), 'contour-layers-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

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

  it('refuses a directory it cannot create in one line naming it, never hanging', () => {
    const file = join(root, 'a-file');
    fs.writeFileSync(file, '');
    expect(() => contourLogger(join(file, 'run'))).toThrow(
      `cannot write to ${join(file, 'run')}: ${file} is not a directory`,
    );
    // Checked after the regular file: Node's recursive mkdir (which the check above would catch)
    // retries forever under /proc and would hang here.
    if (existsSync('/proc/self'))
      expect(() => contourLogger('/proc/nope/x')).toThrow(
        /^cannot write to \/proc\/nope\/x: (no directory can be created in \/proc|permission denied)$/,
      );
  });

  describe('on a full disk', () => {
    /** A callback before the logger that fills the disk at the end of epoch 1. */
    class FillDiskAfterEpoch extends tfl.Callback {
      constructor(readonly fill: () => void) {
        super();
      }
      override async onEpochEnd(): Promise<void> {
        this.fill();
      }
    }

    /**
     * Trains 3 epochs; after epoch 1 `fs.writeSync` fails with ENOSPC `failures` times (then works
     * again, as when space is freed), as a disk that filled up during the run.
     */
    async function fitOnFullDisk(directory: string, failures: number) {
      const { x, y } = regressionData(32);
      const model = tfl.sequential({ layers: [tfl.layers.dense({ units: 1, inputShape: [2] })] });
      model.compile({ optimizer: tf.train.adam(0.05), loss: 'meanSquaredError' });
      const logger = contourLogger(directory, { runId: 'full-disk' });
      const real = fs.writeSync.bind(fs) as (...args: unknown[]) => number;
      let left = failures;
      const fillDisk = () =>
        vi.spyOn(fs, 'writeSync').mockImplementation(((...args: unknown[]) => {
          if (left <= 0) return real(...args);
          left -= 1;
          throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
        }) as typeof fs.writeSync);
      const fit = model.fit(x, y, {
        epochs: 3,
        batchSize: 8,
        verbose: 0,
        callbacks: [new FillDiskAfterEpoch(fillDisk), logger],
      });
      await expect(fit).rejects.toBeInstanceOf(DiskFullError);
      vi.restoreAllMocks();
      logger.close();
      tf.dispose([x, y]);
      model.dispose();
    }

    it('rejects fit with DiskFullError and leaves the run marked failed, not running', async () => {
      const directory = join(root, 'full-once');
      await fitOnFullDisk(directory, 1);
      const status = JSON.parse(readFileSync(join(directory, 'status.json'), 'utf8'));
      expect(status).toMatchObject({ status: 'failed', epoch: 0, step: 0 });
      expect(status.message).toBe(`no space left on ${join(directory, 'metrics.jsonl')}`);
      expect(existsSync(join(directory, 'result.json'))).toBe(false);
      // What `contour report` reads: failed, with the message, not running.
      const records = readRunRecords(directory);
      const summary = summarizeRun(records, readRunState(directory, records));
      expect(summary.status).toBe('failed');
      expect(summary.statusMessage).toBe(`no space left on ${join(directory, 'metrics.jsonl')}`);
    });

    it('removes status.json when not even the failed status can be written', async () => {
      const directory = join(root, 'full-always');
      await fitOnFullDisk(directory, Number.POSITIVE_INFINITY);
      expect(existsSync(join(directory, 'config.json'))).toBe(true);
      expect(existsSync(join(directory, 'status.json'))).toBe(false);
      expect(existsSync(join(directory, 'result.json'))).toBe(false);
      // No finish record, no status.json, no live writer: reports do not call it running.
      const records = readRunRecords(directory);
      expect(summarizeRun(records).status).toBe('running');
      expect(summarizeRun(records, readRunState(directory, records))).toMatchObject({
        status: 'failed',
        statusMessage: 'not running: metrics.jsonl has no finish record and no status.json or live writer',
      });
    });
  });
});
