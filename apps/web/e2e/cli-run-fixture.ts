import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MetricsLogger } from '@contour/metrics-logger';
import { JsonlFileSink } from '@contour/metrics-logger/node';
import { sampleRunRecords } from '../src/test-support/sample-records.js';

/** A sweep folder as the CLI writes it: `trials/<id>/{metrics.jsonl, config.json, status.json}`. */
export interface CliSweepFixture {
  readonly directory: string;
  readonly trials: ReadonlyArray<{
    readonly id: string;
    readonly metricsPath: string;
    readonly status: string;
    /** status.json's message (the failed run's). */
    readonly message?: string;
  }>;
}

/**
 * Writes a small CLI sweep folder with the CLI's own JSONL writer (`JsonlFileSink` through a
 * `MetricsLogger`): one run that finished, one that diverged (NaN in its second epoch) and one that
 * failed in its second epoch (no finish record; status.json says why, as `markRunFailed` writes it).
 */
export function writeCliSweepFixture(): CliSweepFixture {
  const directory = join(mkdtempSync(join(tmpdir(), 'contour-web-e2e-')), 'cli-sweep');
  const trials = [
    { id: 'cli-000-1a2b3c4d', rate: 0.1, losses: [1.9, 1.2, 0.9], status: 'finished' },
    { id: 'cli-001-5e6f7a8b', rate: 5, losses: [2.4, Number.NaN], status: 'diverged' },
    {
      id: 'cli-002-9c0d1e2f',
      rate: 0.01,
      losses: [2.2],
      status: 'failed',
      message: 'no space left on /runs/cli-sweep/trials/cli-002-9c0d1e2f/metrics.jsonl',
    },
  ];
  return {
    directory,
    trials: trials.map((trial) => {
      const folder = join(directory, 'trials', trial.id);
      mkdirSync(folder, { recursive: true });
      const metricsPath = join(folder, 'metrics.jsonl');
      const logger = new MetricsLogger([new JsonlFileSink(metricsPath)]);
      for (const record of sampleRunRecords(trial.id, trial.rate, trial.losses))
        if (trial.status !== 'failed' || record.kind !== 'finish') logger.log(record);
      logger.close();
      writeFileSync(
        join(folder, 'config.json'),
        `${JSON.stringify({ formatVersion: 1, runId: trial.id, config: { backend: 'cpu' }, backend: { requested: 'cpu', chosen: 'cpu', reason: 'cpu as requested' } }, null, 2)}\n`,
      );
      writeFileSync(
        join(folder, 'status.json'),
        `${JSON.stringify({ status: trial.status, epoch: trial.losses.length, step: 2 * trial.losses.length, updatedAt: '2026-11-01T10:00:05.000Z', ...(trial.message ? { message: trial.message } : {}) })}\n`,
      );
      return {
        id: trial.id,
        metricsPath,
        status: trial.status,
        ...(trial.message ? { message: trial.message } : {}),
      };
    }),
  };
}
