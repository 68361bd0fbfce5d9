import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EpochRecord } from '@contour/metrics-logger';
import type { SuccessiveHalvingFile } from '@contour/runs';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  gridEpochs,
  rankByGrid,
  successiveHalvingTrials,
  trainedBesideGrid,
} from '../../runs/src/test-support/successive-halving-trials.js';
import { QueueOptionError, queueKeyPrefix } from './queue-connection.js';
import { cleanQueue, trialJobStates } from './queue-status.js';
import { runSuccessiveHalvingOnQueue } from './run-successive-halving-on-queue.js';
import { type RedisServer, startRedisServer } from './start-redis-server.js';
import { startWorkerProcess, type WorkerProcess } from './test-support/worker-process.js';

const scratch = mkdtempSync(join(tmpdir(), 'contour-queue-asha-'));
let redis: RedisServer;
let workers: WorkerProcess[] = [];

beforeAll(async () => {
  redis = await startRedisServer();
  workers = await Promise.all([1, 2].map(() => startWorkerProcess(redis.url, 1)));
}, 360_000); // with workerStartTimeout (300 s) for the workers it starts

afterAll(async () => {
  await Promise.all(workers.map((worker) => worker.stop()));
  await redis?.stop();
  rmSync(scratch, { recursive: true, force: true });
}, 60_000);

describe('runSuccessiveHalvingOnQueue', () => {
  // The local ASHA tests' sweep: 6 rates, η 3, r 1, R 4 (rungs at epochs 1 and 3).
  const trials = successiveHalvingTrials('queue-halving');
  /** The uninterrupted local grid run's epochs of every trial, computed once. */
  let gridRun: Promise<EpochRecord[][]> | undefined;
  const gridEpochsOf = () => {
    gridRun ??= gridEpochs(trials, scratch);
    return gridRun;
  };

  it('promotes as results arrive, resumes promoted stages on workers from their rung checkpoint, numbers equal to the grid', async () => {
    const grid = await gridEpochsOf();
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
    const beside = trainedBesideGrid(results, grid);
    expect(beside.trained).toEqual(beside.grid);
    expect(decisions.filter((line) => / from its epoch-(1|3) checkpoint$/.test(line)).length).toBeGreaterThan(
      0,
    );
    // ASHA's guarantees, whatever order the results arrived in: the top ⌊6/3⌋ = 2 of rung 0 (by
    // the grid's own epoch-1 losses) went on; every trial stopped there ranks below them; the
    // best of rung 1 trained to the end.
    const rank = (epoch: number, among: number[]) => rankByGrid(grid, epoch, among);
    const rung0 = rank(1, [0, 1, 2, 3, 4, 5]);
    for (const trial of rung0.slice(0, 2)) expect(trained[trial]).toBeGreaterThanOrEqual(3);
    for (const [trial, result] of results.entries()) {
      if (result.decision.state !== 'stopped') continue;
      expect(result.decision.rung === 0 ? rung0.indexOf(trial) : 0).not.toBeLessThan(
        result.decision.rung === 0 ? 2 : 0,
      );
    }
    // Stopped trials say so in their own run directories, with the scheduler's reason.
    for (const result of results.filter((result) => result.decision.state === 'stopped')) {
      expect(result.status).toBe('stopped');
      expect(JSON.parse(readFileSync(join(result.directory, 'status.json'), 'utf8'))).toMatchObject({
        status: 'stopped',
        message: result.decision.reason,
      });
    }
    expect(results.filter((result) => result.decision.state === 'stopped').length).toBeGreaterThan(0);
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

  it('keeps at most maxQueuedTrials stages in Redis, holding the rest in the coordinator, numbers equal to the grid', async () => {
    const grid = await gridEpochsOf();
    // A queue no worker listens to yet: 2 of the 6 first-rung stages are queued, the rest held.
    const queueName = 'asha-bounded';
    const directory = join(scratch, 'asha-bounded');
    const queue = new Queue(queueName, {
      connection: { host: '127.0.0.1', port: redis.port },
      prefix: queueKeyPrefix,
    });
    const stops: string[] = [];
    try {
      const alone = new AbortController();
      const queuedLines: string[] = [];
      const none = await runSuccessiveHalvingOnQueue(trials, {
        directory,
        queueUrl: redis.url,
        queueName,
        pollInterval: 20,
        maxQueuedTrials: 2,
        successiveHalving: { reductionFactor: 3, minEpochs: 1 },
        signal: alone.signal,
        onPlan: () => {},
        onDecision: (line) => {
          if (line.includes(': queued to epoch')) queuedLines.push(line);
          if (queuedLines.length === 2) alone.abort();
        },
        onStopWaiting: (line) => stops.push(line),
      });
      expect(none.map((result) => result.status)).toEqual(trials.map(() => 'interrupted'));
      expect(queuedLines).toEqual([
        `${trials[0]?.label}: queued to epoch 1`,
        `${trials[1]?.label}: queued to epoch 1`,
      ]);
      expect((await queue.getJobs(['waiting'])).map((job) => job.id).sort()).toEqual(
        [`${trials[0]?.id}.to-1`, `${trials[1]?.id}.to-1`].sort(),
      );
      expect(stops).toEqual([
        'stopped waiting: 2 stage(s) stay on the queue for the workers; run the same command again to collect them and go on',
      ]);

      // With a worker, the same command re-attaches to those 2 and finishes the sweep, never
      // holding more than 2 stages in Redis (waiting, running, or finished and not yet stored).
      const worker = await startWorkerProcess(redis.url, 1, queueName, 1);
      try {
        let running = true;
        const counts: number[] = [];
        const watch = (async () => {
          while (running) {
            const byState = await queue.getJobCounts(...trialJobStates);
            counts.push(Object.values(byState).reduce((sum, count) => sum + count, 0));
            await new Promise((resolve) => setTimeout(resolve, 10));
          }
        })();
        const results = await runSuccessiveHalvingOnQueue(trials, {
          directory,
          queueUrl: redis.url,
          queueName,
          pollInterval: 200,
          maxQueuedTrials: 2,
          successiveHalving: { reductionFactor: 3, minEpochs: 1 },
          onPlan: () => {},
        }).finally(() => {
          running = false;
        });
        await watch;
        expect(counts.length).toBeGreaterThan(0);
        expect(Math.max(...counts)).toBe(2);
        expect(results.every((result) => result.decision.epochs >= 1)).toBe(true);
        const beside = trainedBesideGrid(results, grid);
        expect(beside.trained).toEqual(beside.grid);
        expect(
          results.filter((result) => result.decision.state === 'finished').length,
        ).toBeGreaterThanOrEqual(1);
        expect(await queue.getJobCounts(...trialJobStates)).toEqual(
          Object.fromEntries(trialJobStates.map((state) => [state, 0])),
        );
      } finally {
        await worker.stop();
      }
    } finally {
      await queue.close();
    }
  }, 540_000); // with workerStartTimeout (300 s) for the workers it starts

  it('records a stage removed from the queue before it ended (contour queue clean) as failed, and goes on', async () => {
    // A queue no worker listens to: the 6 first-rung stages wait until they are removed.
    const queueName = 'asha-cleaned';
    let cleaning: ReturnType<typeof cleanQueue> | undefined;
    let queued = 0;
    const results = await runSuccessiveHalvingOnQueue(trials, {
      directory: join(scratch, 'asha-cleaned'),
      queueUrl: redis.url,
      queueName,
      pollInterval: 50,
      successiveHalving: { reductionFactor: 3, minEpochs: 1 },
      onPlan: () => {},
      onDecision: (line) => {
        if (line.includes(': queued to epoch 1')) queued += 1;
        if (queued === trials.length) cleaning ??= cleanQueue({ queueUrl: redis.url, queueName });
      },
    });
    expect((await cleaning)?.removed.slice().sort()).toEqual(
      trials.map((trial) => `${trial.id}.to-1`).sort(),
    );
    expect(results.map((result) => [result.status, result.error])).toEqual(
      trials.map((trial) => [
        'failed',
        `stage ${trial.id}.to-1 was removed from the queue before it finished`,
      ]),
    );
    expect(results.map((result) => result.decision.state)).toEqual(trials.map(() => 'failed'));
  });

  it('refuses a maxQueuedTrials below 1 or not an integer in one line, writing nothing', async () => {
    for (const maxQueuedTrials of [0, 1.5, Number.NaN]) {
      const directory = join(scratch, `bad-bound-${maxQueuedTrials}`);
      await expect(
        runSuccessiveHalvingOnQueue(trials, {
          directory,
          queueUrl: redis.url,
          maxQueuedTrials,
          onPlan: () => {},
        }),
      ).rejects.toThrow(
        new QueueOptionError(`maxQueuedTrials must be an integer ≥ 1; got ${maxQueuedTrials}`),
      );
      expect(existsSync(directory)).toBe(false);
    }
  });
});
