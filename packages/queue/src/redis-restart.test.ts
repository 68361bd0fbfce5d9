import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expandSweep, resolveRunConfig, type SweepTrial } from '@contour/core';
import type { SuccessiveHalvingFile } from '@contour/runs';
import { afterAll, describe, expect, it } from 'vitest';
import {
  gridEpochs,
  successiveHalvingTrials,
  trainedBesideGrid,
} from '../../runs/src/test-support/successive-halving-trials.js';
import { QueueStateLostError } from './queue-connection.js';
import { runSuccessiveHalvingOnQueue } from './run-successive-halving-on-queue.js';
import { runSweepOnQueue } from './run-sweep-on-queue.js';
import { startRedisServer } from './start-redis-server.js';
import { startWorkerProcess } from './test-support/worker-process.js';

const scratch = mkdtempSync(join(tmpdir(), 'contour-queue-restart-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function tinyTrials(sweepId: string, epochs: number): SweepTrial[] {
  const base = resolveRunConfig({
    data: { trainLimit: 600 },
    training: { epochs, batchSize: 32, optimizer: { type: 'sgd', lr: 0.5 } },
    backend: 'cpu',
  });
  return expandSweep(sweepId, base, [{ key: 'lr', values: [0.1, 0.2, 0.3, 0.5] }]);
}

function epochNumbers(directory: string): number[] {
  return readFileSync(join(directory, 'metrics.jsonl'), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as { kind: string; epoch?: number })
    .filter((record) => record.kind === 'epoch')
    .map((record) => record.epoch as number);
}

/**
 * Runs 4 trials on 2 worker processes (each connected and holding the queue's state token before
 * the sweep starts) and restarts Redis as soon as the first epoch is reported (a trial is then
 * mid-training), waiting on that condition, not on time.
 */
async function sweepThroughRestart(sweepId: string, appendOnly: boolean) {
  const redis = await startRedisServer({ appendOnly });
  const workers = await Promise.all([1, 2].map(() => startWorkerProcess(redis.url, 1)));
  try {
    const trials = tinyTrials(sweepId, 6);
    const lost: string[] = [];
    let restart: Promise<void> | undefined;
    const rows = await runSweepOnQueue(trials, {
      directory: join(scratch, sweepId),
      queueUrl: redis.url,
      pollInterval: 200,
      onEpoch: () => {
        restart ??= redis.restart();
      },
      onStateLost: (message) => lost.push(message),
    });
    await restart;
    if (!appendOnly) {
      // A worker idle at the restart (the other claimed all 4 trials in one pass) learns of the
      // loss only when it reconnects, which may come after the last trial ended.
      for (const worker of workers) {
        await expect
          .poll(() => worker.output(), { timeout: 30_000, interval: 100 })
          .toMatch(/^error Redis at \S+ lost its data /m);
      }
    }
    return { redis, trials, rows, lost, outputs: workers.map((worker) => worker.output()) };
  } finally {
    await Promise.all(workers.map((worker) => worker.stop()));
    await redis.stop();
  }
}

describe('runSweepOnQueue across a Redis restart', () => {
  it('with append-only persistence: nothing is lost, exactly one result per trial', async () => {
    const { trials, rows, lost, outputs } = await sweepThroughRestart('aof', true);
    expect(rows.map((row) => row.trial.id)).toEqual(trials.map((trial) => trial.id));
    expect(
      rows.map((row) => row.status),
      JSON.stringify(rows.map((row) => row.error ?? null)),
    ).toEqual(['finished', 'finished', 'finished', 'finished']);
    for (const row of rows) expect(epochNumbers(row.directory)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(lost).toEqual([]);
    for (const output of outputs) expect(output).not.toContain('lost its data');
  }, 480_000); // with workerStartTimeout (300 s) for the workers it starts

  it('without persistence: the loss is said in one line by coordinator and workers, the trials are queued again, one result each', async () => {
    const { redis, trials, rows, lost, outputs } = await sweepThroughRestart('amnesia', false);
    expect(rows.map((row) => row.trial.id)).toEqual(trials.map((trial) => trial.id));
    expect(
      rows.map((row) => row.status),
      JSON.stringify(rows.map((row) => row.error ?? null)),
    ).toEqual(['finished', 'finished', 'finished', 'finished']);
    for (const row of rows) expect(epochNumbers(row.directory)).toEqual([1, 2, 3, 4, 5, 6]);

    const address = redis.url.replace(/[.]/g, '\\.');
    expect(lost).toHaveLength(1);
    expect(lost[0]).toMatch(
      new RegExp(
        `^Redis at ${address} lost its data \\(restarted without persistence\\? see "Redis persistence" in the @contour/queue README\\): [1-4] unfinished trials? queued again$`,
      ),
    );
    // Every worker reconnected and said it, also one that was idle at the restart; the one
    // training then kept its finished run.
    for (const output of outputs) {
      expect(output).toMatch(
        new RegExp(`^error Redis at ${address} lost its data .*finished runs are kept in `, 'm'),
      );
      expect(output).not.toContain('Missing key');
    }
    // What becomes of the attempt that was training during the restart depends on timing: its
    // result is refused (the worker says where the run is kept), or BullMQ hands the trial queued
    // again to the still-busy child ("cannot start a not idling child process") and that attempt
    // is retried. Either way the finished run is delivered once, as checked above.
    const oldAttempts = outputs.join('\n');
    expect(
      /^error trial amnesia-\d{3}-[0-9a-f]{8}: the queue could not take its result \(Redis lost it\); this worker's finished run is kept in .+\/amnesia-\d{3}-[0-9a-f]{8} \(delivered at once if the trial is queued here again\)$/m.test(
        oldAttempts,
      ) ||
        /^end amnesia-\d{3}-[0-9a-f]{8} failed: cannot start a not idling child process$/m.test(oldAttempts),
      oldAttempts,
    ).toBe(true);
  }, 480_000); // with workerStartTimeout (300 s) for the workers it starts
});

describe('runSuccessiveHalvingOnQueue across a Redis restart', () => {
  it('without persistence: stops with one line saying Redis lost its data and that the same command continues; run again, it finishes with the grid run’s numbers', async () => {
    const redis = await startRedisServer({ appendOnly: false });
    const workers = await Promise.all([1, 2].map(() => startWorkerProcess(redis.url, 1)));
    try {
      const trials = successiveHalvingTrials('restart-halving');
      const directory = join(scratch, 'restart-halving');
      const options = {
        directory,
        queueUrl: redis.url,
        pollInterval: 200,
        successiveHalving: { reductionFactor: 3, minEpochs: 1 },
        onPlan: () => {},
      };
      // Restarted at the first epoch reported: that stage is mid-training, the others queued.
      let restart: Promise<void> | undefined;
      const stopped: unknown = await runSuccessiveHalvingOnQueue(trials, {
        ...options,
        onEpoch: () => {
          restart ??= redis.restart();
        },
      }).then(
        () => 'finished without noticing',
        (error: unknown) => error,
      );
      await restart;
      expect(stopped).toBeInstanceOf(QueueStateLostError);
      const literal = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
      expect((stopped as Error).message).toMatch(
        new RegExp(
          `^Redis at ${literal(redis.url)} lost its data \\(restarted without persistence\\? see "Redis persistence" in the @contour/queue README\\): the [2-6] stages on the queue lost with it; run the same command again to continue \\(what is stored in ${literal(directory)} is kept\\)$`,
        ),
      );
      expect(existsSync(join(directory, 'successive-halving.json'))).toBe(false);

      // The same call again: rebuilt from the run directories, the missing stages queued anew.
      const results = await runSuccessiveHalvingOnQueue(trials, options);
      const grid = await gridEpochs(trials, scratch);
      const beside = trainedBesideGrid(results, grid);
      expect(beside.trained).toEqual(beside.grid);
      const trained = results.map((result) => result.decision.epochs);
      expect(trained.every((epochs) => epochs >= 1)).toBe(true);
      expect(results.filter((result) => result.decision.state === 'finished').length).toBeGreaterThanOrEqual(
        1,
      );
      const file = JSON.parse(
        readFileSync(join(directory, 'successive-halving.json'), 'utf8'),
      ) as SuccessiveHalvingFile;
      expect(file.epochsUsed).toBe(trained.reduce((sum, epochs) => sum + epochs, 0));
    } finally {
      await Promise.all(workers.map((worker) => worker.stop()));
      await redis.stop();
    }
  }, 600_000); // with workerStartTimeout (300 s) for the workers it starts
});
