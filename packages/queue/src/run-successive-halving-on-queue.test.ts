import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expandSweep, resolveRunConfig } from '@contour/core';
import type { EpochRecord } from '@contour/metrics-logger';
import { readMetricsFile } from '@contour/metrics-logger/node';
import { runFiles, rungLoss, runSweep, type SuccessiveHalvingFile } from '@contour/runs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSuccessiveHalvingOnQueue } from './run-successive-halving-on-queue.js';
import { type RedisServer, startRedisServer } from './start-redis-server.js';
import { startWorkerProcess, type WorkerProcess } from './test-support/worker-process.js';

const scratch = mkdtempSync(join(tmpdir(), 'contour-queue-asha-'));
let redis: RedisServer;
let workers: WorkerProcess[] = [];

beforeAll(async () => {
  redis = await startRedisServer();
  workers = await Promise.all([1, 2].map(() => startWorkerProcess(redis.url, 1)));
}, 60_000);

afterAll(async () => {
  await Promise.all(workers.map((worker) => worker.stop()));
  await redis?.stop();
  rmSync(scratch, { recursive: true, force: true });
}, 60_000);

const epochsOf = (directory: string): EpochRecord[] =>
  readMetricsFile(runFiles(directory).metrics).records.filter(
    (record): record is EpochRecord => record.kind === 'epoch',
  );
const numbers = (record: EpochRecord) => ({
  epoch: record.epoch,
  step: record.step,
  learningRate: record.learningRate,
  train: record.train,
  validation: record.validation,
});

describe('runSuccessiveHalvingOnQueue', () => {
  const base = resolveRunConfig({
    data: { source: 'mnist', trainLimit: 400, validation: 0.25 },
    training: { epochs: 4, batchSize: 50, optimizer: { type: 'sgd', lr: 0.1 }, seed: 3 },
    backend: 'cpu',
  });
  const trials = expandSweep('queue-halving', base, [{ key: 'lr', values: [2, 0.5, 0.2, 0.1, 0.02, 0.005] }]);

  it('promotes as results arrive, resumes promoted stages on workers from their rung checkpoint, numbers equal to the grid', async () => {
    const grid = await runSweep(trials, { directory: join(scratch, 'grid'), workers: 0, onPlan: () => {} });
    const gridEpochs = grid.map((result) => epochsOf(result.directory));
    const directory = join(scratch, 'asha');
    const decisions: string[] = [];
    const results = await runSuccessiveHalvingOnQueue(trials, {
      directory,
      queueUrl: redis.url,
      pollInterval: 500,
      successiveHalving: { reductionFactor: 3, minEpochs: 1 },
      onPlan: () => {},
      onDecision: (line) => decisions.push(line),
    });
    // Every epoch a trial trained — from scratch, or resumed on a worker from the rung checkpoint
    // the coordinator sent — equals the uninterrupted grid run's (cpu).
    const trained = results.map((result) => result.decision.epochs);
    for (const [trial, result] of results.entries())
      expect(epochsOf(result.directory).map(numbers)).toEqual(
        (gridEpochs[trial] as EpochRecord[]).slice(0, trained[trial]).map(numbers),
      );
    expect(decisions.filter((line) => / from its epoch-(1|3) checkpoint$/.test(line)).length).toBeGreaterThan(
      0,
    );
    // ASHA's guarantees, whatever order the results arrived in: the top ⌊6/3⌋ = 2 of rung 0 (by
    // the grid's own epoch-1 losses) went on; every trial stopped there ranks below them; the
    // best of rung 1 trained to the end.
    const rank = (epoch: number, among: number[]) =>
      [...among].sort(
        (a, b) =>
          rungLoss(gridEpochs[a]?.[epoch - 1] as EpochRecord) -
            rungLoss(gridEpochs[b]?.[epoch - 1] as EpochRecord) || a - b,
      );
    const rung0 = rank(1, [0, 1, 2, 3, 4, 5]);
    for (const trial of rung0.slice(0, 2)) expect(trained[trial]).toBeGreaterThanOrEqual(3);
    for (const [trial, result] of results.entries()) {
      if (result.decision.state !== 'stopped') continue;
      expect(result.decision.rung === 0 ? rung0.indexOf(trial) : 0).not.toBeLessThan(
        result.decision.rung === 0 ? 2 : 0,
      );
    }
    const reachedRung1 = [0, 1, 2, 3, 4, 5].filter((trial) => (trained[trial] ?? 0) >= 3);
    expect(trained[rank(3, reachedRung1)[0] as number]).toBe(4);
    expect(results.filter((result) => result.decision.state === 'finished').length).toBeGreaterThanOrEqual(1);
    const file = JSON.parse(
      readFileSync(join(directory, 'successive-halving.json'), 'utf8'),
    ) as SuccessiveHalvingFile;
    expect(file.epochsUsed).toBe(trained.reduce((sum, epochs) => sum + epochs, 0));
    expect(file.epochsUsed).toBeLessThan(24);
    // Redis keeps nothing of the sweep once it is stored.
    const again = await runSuccessiveHalvingOnQueue(trials, {
      directory,
      queueUrl: redis.url,
      onPlan: () => {},
    });
    expect(again.map((result) => result.decision)).toEqual(results.map((result) => result.decision));
  }, 240_000);
});
