import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expandSweep, resolveRunConfig } from '@contour/core';
import { readMetricsFile } from '@contour/metrics-logger/node';
import { afterAll, describe, expect, it } from 'vitest';
import { readJsonFile, runFiles } from './run-directory.js';
import { runSweep } from './sweep-runner.js';

const scratch = mkdtempSync(join(tmpdir(), 'contour-core-vectorised-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A run directory's records without wall-clock fields. */
function records(directory: string): unknown[] {
  return readMetricsFile(runFiles(directory).metrics).records.map((record) => {
    const { time: _time, seconds: _seconds, ...rest } = record as { time?: string; seconds?: number };
    return rest;
  });
}

describe('runSweep (vectorised path)', () => {
  const base = resolveRunConfig({
    data: { source: 'mnist', trainLimit: 400, validation: 0.25 },
    training: { epochs: 2, batchSize: 50, optimizer: { type: 'sgd', lr: 0.1, momentum: 0.9 }, seed: 2 },
    backend: 'cpu',
  });
  const trials = expandSweep('rates', base, [
    { key: 'lr', values: [0.5, 0.05] },
    {
      key: 'schedule',
      values: [
        { type: 'exponential', gamma: 0.9 },
        { type: 'step', stepSize: 3, gamma: 0.5 },
      ],
    },
  ]);

  it('trains rate/schedule trials in one pass and writes the same run directories and records as one at a time', async () => {
    const together = join(scratch, 'together');
    const apart = join(scratch, 'apart');
    const plan: string[] = [];
    const vectorised = await runSweep(trials, {
      directory: together,
      workers: 0,
      onPlan: (line) => plan.push(line),
    });
    const oneByOne = await runSweep(trials, {
      directory: apart,
      workers: 0,
      vectorise: false,
      onPlan: () => {},
    });
    expect(plan).toHaveLength(1);
    expect(plan[0]).toMatch(
      /^path: vectorised — trials 0, 1, 2, 3 \(4 in one pass, stacked weights\) on cpu \(cpu as requested\)$/,
    );
    expect(vectorised.map((result) => result.status)).toEqual([
      'finished',
      'finished',
      'finished',
      'finished',
    ]);
    // Everything but the wall-clock seconds (the trials of one pass share theirs).
    const withoutTime = (summary: unknown) => ({ ...(summary as object), seconds: 0 });
    expect(vectorised.map((result) => withoutTime(result.summary))).toEqual(
      oneByOne.map((result) => withoutTime(result.summary)),
    );
    for (const result of vectorised) {
      const other = join(apart, 'trials', result.trial.id);
      expect(readdirSync(result.directory).sort()).toEqual(readdirSync(other).sort());
      expect(records(result.directory)).toEqual(records(other));
      const checkpoint = (directory: string) => ({
        ...readJsonFile<object>(runFiles(directory).checkpoint),
        elapsedSeconds: 0,
        // The checksum covers the elapsed time too.
        checksum: undefined,
      });
      expect(checkpoint(result.directory)).toEqual(checkpoint(other));
      expect(readJsonFile<{ status: string }>(runFiles(result.directory).status)?.status).toBe('finished');
    }
    const again = await runSweep(trials, { directory: together, workers: 0, onPlan: () => {} });
    expect(again.every((result) => result.reused)).toBe(true);
  }, 120_000);

  it('trains a sweep over rule types and rates in one pass, equal to one at a time', async () => {
    const plain = resolveRunConfig({
      data: { source: 'mnist', trainLimit: 300, validation: 0.25 },
      training: { epochs: 2, batchSize: 50, optimizer: { type: 'sgd', lr: 0.1 }, seed: 4 },
      backend: 'cpu',
    });
    const mixed = expandSweep('rules', plain, [
      { key: 'lr', values: [0.1, 0.01] },
      { key: 'optimizer.type', values: ['sgd', 'adam', 'rmsprop'] },
    ]);
    const plan: string[] = [];
    const together = await runSweep(mixed, {
      directory: join(scratch, 'rules-together'),
      workers: 0,
      onPlan: (line) => plan.push(line),
    });
    const apart = await runSweep(mixed, {
      directory: join(scratch, 'rules-apart'),
      workers: 0,
      vectorise: false,
      onPlan: () => {},
    });
    expect(plan).toEqual([
      expect.stringMatching(/^path: vectorised — trials 0, 1, 2, 3, 4, 5 \(6 in one pass/),
    ]);
    for (const [index, result] of together.entries()) {
      expect(result.status).toBe('finished');
      expect(records(result.directory)).toEqual(records((apart[index] as typeof result).directory));
    }
  }, 120_000);

  it('says that resumed trials go one at a time because they resume from their checkpoints', async () => {
    const rates = expandSweep('resumed', base, [{ key: 'lr', values: [0.5, 0.05] }]);
    const directory = join(scratch, 'resumed');
    // Cut after the first epoch, as a killed sweep is: both trials keep their epoch-1 checkpoint.
    const controller = new AbortController();
    await runSweep(rates, {
      directory,
      workers: 0,
      signal: controller.signal,
      onEpoch: (_trial, record) => {
        if (record.epoch === 1) controller.abort();
      },
      onPlan: () => {},
    });
    const plan: string[] = [];
    const resumed = await runSweep(rates, { directory, workers: 0, onPlan: (line) => plan.push(line) });
    expect(plan).toEqual([
      'path: one at a time in this process — trials 0, 1 (they resume from their checkpoints, and a vectorised pass starts at epoch 1)',
    ]);
    const uncut = await runSweep(rates, { directory: join(scratch, 'uncut'), workers: 0, onPlan: () => {} });
    const final = (results: typeof resumed) =>
      results.map((result) => [result.status, result.summary?.final]);
    expect(final(resumed)).toEqual(final(uncut));
  }, 120_000);

  it('sends trials that cannot be vectorised to the usual path and says so', async () => {
    // A stateful schedule (reduceOnPlateau) needs each trial's own metrics between epochs.
    const mixed = expandSweep('mixed', base, [
      { key: 'schedule', values: [{ type: 'reduceOnPlateau' }, { type: 'exponential', gamma: 0.9 }] },
    ]);
    const plan: string[] = [];
    const results = await runSweep(mixed, {
      directory: join(scratch, 'mixed'),
      workers: 0,
      onPlan: (line) => plan.push(line),
    });
    expect(results.map((result) => result.status)).toEqual(['finished', 'finished']);
    expect(plan).toEqual([
      'path: one at a time in this process — trials 0, 1 (they cannot be trained together: trial 0 uses a stateful schedule (reduceOnPlateau))',
    ]);
  }, 120_000);
});
