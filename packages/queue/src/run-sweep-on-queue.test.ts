import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expandSweep, resolveRunConfig, type SweepTrial } from '@contour/core';
import { DirectoryLockedError, lockDirectory, runSweep, type SweepTrialResult } from '@contour/runs';
import { Job, Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueueConnectionError, queueKeyPrefix } from './queue-connection.js';
import { cleanQueue, queueStatus } from './queue-status.js';
import { readRunDirectoryFiles } from './run-directory-files.js';
import {
  describeQueueStop,
  describeQueueWait,
  enqueueSweep,
  type QueueWaitReport,
  runSweepOnQueue,
} from './run-sweep-on-queue.js';
import { freePort, type RedisServer, startRedisServer } from './start-redis-server.js';
import { startWorkerProcess, type WorkerProcess } from './test-support/worker-process.js';

const scratch = mkdtempSync(join(tmpdir(), 'contour-queue-'));
let redis: RedisServer;
let workers: WorkerProcess[] = [];
let inspector: Queue;
let inspectorClient: Redis;

beforeAll(async () => {
  redis = await startRedisServer();
  workers = await Promise.all([1, 2, 3].map(() => startWorkerProcess(redis.url, 1)));
  inspectorClient = new Redis(redis.url, { maxRetriesPerRequest: null });
  inspector = new Queue('contour-trials', { connection: inspectorClient, prefix: queueKeyPrefix });
}, 360_000); // with workerStartTimeout (300 s) for the workers it starts

afterAll(async () => {
  await inspector?.close();
  inspectorClient?.disconnect();
  await Promise.all(workers.map((worker) => worker.stop()));
  await redis?.stop();
  rmSync(scratch, { recursive: true, force: true });
}, 60_000);

/** Tiny, deterministic (cpu) trials: seconds each. */
function tinyTrials(sweepId: string, axes: Parameters<typeof expandSweep>[2], epochs = 2): SweepTrial[] {
  const base = resolveRunConfig({
    data: { trainLimit: 600 },
    training: { epochs, batchSize: 64, optimizer: { type: 'sgd', lr: 0.5 } },
    backend: 'cpu',
  });
  return expandSweep(sweepId, base, axes);
}

/** A row's numbers without timings (those differ between any two runs). */
function comparable(row: SweepTrialResult) {
  const { seconds: _seconds, ...summary } = row.summary ?? ({} as Record<string, unknown>);
  return { id: row.trial.id, status: row.status, summary, error: row.error };
}

function epochNumbers(directory: string): number[] {
  return readFileSync(join(directory, 'metrics.jsonl'), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as { kind: string; epoch?: number })
    .filter((record) => record.kind === 'epoch')
    .map((record) => record.epoch as number);
}

describe('describeQueueWait', () => {
  const report = { address: 'redis://host:6379', queueName: 'contour-trials' } as const;
  it('names the worker command while no worker is connected, and counts trials otherwise', () => {
    expect(
      describeQueueWait({ ...report, waiting: 1, running: 2, workers: 0, secondsWithoutWorkers: 40 }),
    ).toBe(
      '1 trial waiting, 2 running, 0 workers connected for 40 s — start `contour worker --queue redis://host:6379`',
    );
    expect(
      describeQueueWait({ ...report, waiting: 5, running: 2, workers: 1, secondsWithoutWorkers: undefined }),
    ).toBe('5 trials waiting, 2 running; 1 worker connected');
  });
});

describe('describeQueueStop', () => {
  it('says the trials stay for the connected workers', () => {
    expect(
      describeQueueStop({
        address: 'redis://host:6379',
        queueName: 'contour-trials',
        waiting: 0,
        running: 1,
        workers: 2,
        secondsWithoutWorkers: undefined,
      }),
    ).toBe(
      'stopped waiting: 1 unfinished trial stays on the queue for the 2 connected workers; run the same command again to collect their results',
    );
  });
});

describe('runSweepOnQueue', () => {
  it('runs 6 trials on 3 workers, survives a worker killed mid-trial, records a bad trial once, equals a local sweep', async () => {
    // Batch size 100000 is more than the 480 training examples: that trial fails when it trains.
    const trials = tinyTrials('killed', [{ key: 'batchSize', values: [16, 32, 48, 64, 96, 100_000] }], 6);
    const directory = join(scratch, 'killed');
    let killed: { trialId: string; worker: string } | undefined;
    const killing: Array<Promise<void>> = [];
    const rows = await runSweepOnQueue(trials, {
      directory,
      queueUrl: redis.url,
      pollInterval: 500,
      onEpoch: (trial, record) => {
        if (killed || record.epoch !== 1) return;
        killed = { trialId: trial.id, worker: '' };
        killing.push(
          (async () => {
            const job = await Job.fromId(inspector, trial.id);
            const victim = workers.find((worker) => worker.name === job?.processedBy);
            if (!victim || !killed) throw new Error(`no worker holds ${trial.id}`);
            killed.worker = victim.name;
            victim.child.kill('SIGKILL');
          })(),
        );
      },
    });
    await Promise.all(killing);
    expect(killed?.worker).not.toBe('');

    // Exactly one row per trial id, in trial order.
    expect(rows.map((row) => row.trial.id)).toEqual(trials.map((trial) => trial.id));
    expect(
      rows.map((row) => row.status),
      `errors: ${JSON.stringify(rows.map((row) => row.error ?? null))}`,
    ).toEqual(['finished', 'finished', 'finished', 'finished', 'finished', 'failed']);
    expect(rows[5]?.error).toMatch(/"batchSize" must be at most the 480 training examples; got 100000/);

    // Stored in the directory, the finished trials left Redis: only the failed trial's keys remain.
    const left = await inspectorClient.keys(`${queueKeyPrefix}:contour-trials:killed-*`);
    expect(left.length).toBeGreaterThan(0);
    expect(left.filter((key) => !key.includes(trials[5]?.id as string))).toEqual([]);

    // The killed worker's trial was taken over by another worker and trained from the start.
    const trialId = killed?.trialId as string;
    const victim = workers.find((worker) => worker.name === killed?.worker) as WorkerProcess;
    expect(victim.output()).toMatch(new RegExp(`^start ${trialId}$`, 'm'));
    expect(victim.output(), 'the kill must land before the trial finished').not.toMatch(
      new RegExp(`^end ${trialId}`, 'm'),
    );
    // The coordinator may store the result before the finishing worker's `end` line reaches us.
    const finishedBy = () =>
      workers.filter(
        (worker) => worker !== victim && new RegExp(`^end ${trialId} finished$`, 'm').test(worker.output()),
      );
    await expect.poll(() => finishedBy().length, { timeout: 15_000, interval: 100 }).toBeGreaterThan(0);
    expect(finishedBy()).toHaveLength(1);
    // The bad trial failed once, for good.
    const bad = await Job.fromId(inspector, trials[5]?.id as string);
    expect(await bad?.getState()).toBe('failed');
    expect(bad?.attemptsStarted).toBe(1);
    expect(bad?.attemptsMade).toBe(1);

    // No half-written run directory: every finished trial is complete, nothing staged is left.
    expect(readdirSync(join(directory, 'trials')).filter((name) => name.startsWith('.'))).toEqual([]);
    for (const row of rows.slice(0, 5)) {
      const files = readRunDirectoryFiles(row.directory).map((file) => file.path);
      expect(files).toEqual(
        expect.arrayContaining([
          'checkpoint.json',
          'config.json',
          'metrics.jsonl',
          'model/model.json',
          'result.json',
          'status.json',
        ]),
      );
      expect(epochNumbers(row.directory)).toEqual([1, 2, 3, 4, 5, 6]);
      expect(JSON.parse(readFileSync(join(row.directory, 'status.json'), 'utf8')).status).toBe('finished');
    }
    expect(JSON.parse(readFileSync(join(rows[5]?.directory as string, 'status.json'), 'utf8'))).toMatchObject(
      {
        status: 'failed',
      },
    );

    // Same numbers and the same files as a local sweep of the same trials (cpu backend, same seeds).
    const localDirectory = join(scratch, 'killed-local');
    const local = await runSweep(trials, { directory: localDirectory, workers: 0 });
    expect(rows.map(comparable)).toEqual(local.map(comparable));
    for (const [index, row] of rows.slice(0, 5).entries()) {
      const queued = readRunDirectoryFiles(row.directory).map((file) => file.path);
      expect(queued).toEqual(
        readRunDirectoryFiles(local[index]?.directory as string).map((file) => file.path),
      );
    }
  }, 120_000);

  it('re-attaches after the coordinator stops: finished trials are not run again, a diverged trial is a result', async () => {
    // lr = 1e38 overflows float32 at once: the run diverges, which is a valid result.
    const trials = tinyTrials('restart', [{ key: 'lr', values: [0.1, 0.2, 0.5, 1e38] }]);
    const directory = join(scratch, 'restart');
    const controller = new AbortController();
    const first = await runSweepOnQueue(trials, {
      directory,
      queueUrl: redis.url,
      pollInterval: 500,
      signal: controller.signal,
      onTrialEnd: () => controller.abort(),
    });
    expect(first.length).toBeGreaterThanOrEqual(1);
    expect(first.length).toBeLessThan(trials.length);
    const firstIds = new Set(first.map((row) => row.trial.id));

    // The trials that ended while no coordinator watched wait in Redis, with their files, for
    // the next coordinator; the one the first coordinator stored has left Redis.
    const unwatched = trials.filter((trial) => !firstIds.has(trial.id)).map((trial) => trial.id);
    let status = await queueStatus({ queueUrl: redis.url, sweepId: 'restart' });
    while (status.counts.waiting + status.counts.active + status.counts.delayed > 0) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      status = await queueStatus({ queueUrl: redis.url, sweepId: 'restart' });
    }
    expect(status.jobs.map((job) => job.id)).toEqual(unwatched.sort());
    expect(status.counts.completed).toBe(unwatched.length);
    // Enqueueing them again adds nothing while they are in Redis: job id = trial id.
    const again = await enqueueSweep(
      trials.filter((trial) => unwatched.includes(trial.id)),
      { queueUrl: redis.url },
    );
    expect(again.added).toEqual([]);
    expect([...again.existing].sort()).toEqual(unwatched.sort());

    const second = await runSweepOnQueue(trials, { directory, queueUrl: redis.url, pollInterval: 500 });
    expect(second.map((row) => row.trial.id)).toEqual(trials.map((trial) => trial.id));
    expect(second.map((row) => row.status)).toEqual(['finished', 'finished', 'finished', 'diverged']);
    const started = workers.map((worker) => worker.output()).join('\n');
    for (const row of second) {
      expect(row.reused).toBe(firstIds.has(row.trial.id));
      // Every trial was trained exactly once, whether it ended while a coordinator watched or not.
      expect(started.match(new RegExp(`^start ${row.trial.id}$`, 'gm'))).toHaveLength(1);
    }
    expect(second[3]?.summary?.divergedAtEpoch).toBe(1);

    // Every result is in the directory, none is left in Redis.
    status = await queueStatus({ queueUrl: redis.url, sweepId: 'restart' });
    expect(status.jobs).toEqual([]);
    expect(status.workers.length).toBeGreaterThanOrEqual(2);
    expect(status.redis.usedMemoryBytes).toBeGreaterThan(0);
    expect((await cleanQueue({ queueUrl: redis.url, sweepId: 'restart' })).removed).toEqual([]);
    const third = await runSweepOnQueue(trials, { directory, queueUrl: redis.url });
    expect(third.every((row) => row.reused)).toBe(true);
  }, 120_000);

  it('reports every interval what it waits for, and says on Ctrl-C whether any worker will train the rest', async () => {
    // A queue no worker listens to until one is started below.
    const queueName = 'unstaffed';
    const trials = tinyTrials('unstaffed', [{ key: 'lr', values: [0.1, 0.2, 0.5] }], 1);
    const directory = join(scratch, 'unstaffed');
    const reports: QueueWaitReport[] = [];
    const stops: QueueWaitReport[] = [];
    const alone = new AbortController();
    const enqueued: string[][] = [];
    const none = await runSweepOnQueue(trials, {
      directory,
      queueUrl: redis.url,
      queueName,
      pollInterval: 20,
      waitReportInterval: 20,
      // Two in Redis at a time: the third is enqueued once one of them is stored.
      maxQueuedTrials: 2,
      onEnqueued: (result) => enqueued.push([...result.added]),
      signal: alone.signal,
      onWaiting: (report) => {
        reports.push(report);
        if (reports.length === 3) alone.abort();
      },
      onStopWaiting: (report) => stops.push(report),
    });
    expect(none).toEqual([]);
    expect(enqueued).toEqual([[trials[0]?.id, trials[1]?.id]]);
    expect((await queueStatus({ queueUrl: redis.url, queueName })).jobs.map((job) => job.id)).toEqual([
      trials[0]?.id,
      trials[1]?.id,
    ]);
    expect(reports).toHaveLength(3);
    for (const report of reports) {
      expect(report).toMatchObject({ address: redis.url, queueName, waiting: 3, running: 0, workers: 0 });
    }
    const seconds = reports.map((report) => report.secondsWithoutWorkers as number);
    expect(
      seconds.every((value, index) => Number.isInteger(value) && value >= (seconds[index - 1] ?? 0)),
    ).toBe(true);
    expect(describeQueueWait(reports[2] as QueueWaitReport)).toBe(
      `3 trials waiting, 0 workers connected for ${seconds[2]} s — start \`contour worker --queue ${redis.url} --queue-name unstaffed\``,
    );
    expect(stops).toHaveLength(1);
    expect(stops[0]).toMatchObject({ waiting: 3, running: 0, workers: 0 });
    expect(describeQueueStop(stops[0] as QueueWaitReport)).toBe(
      `stopped waiting: 3 unfinished trials stay on the queue, but no worker is connected, so nothing trains them until you start \`contour worker --queue ${redis.url} --queue-name unstaffed\`; run the same command again to collect their results`,
    );

    // With a worker connected, the reports count it and the sweep ends with every trial. It trains
    // one trial at a time (stack 1), so no more than one runs at once.
    const worker = await startWorkerProcess(redis.url, 1, queueName, 1);
    try {
      const staffed: QueueWaitReport[] = [];
      const rows = await runSweepOnQueue(trials, {
        directory,
        queueUrl: redis.url,
        queueName,
        pollInterval: 20,
        waitReportInterval: 20,
        maxQueuedTrials: 2,
        onWaiting: (report) => staffed.push(report),
        onStopWaiting: (report) => stops.push(report),
      });
      expect(rows.map((row) => row.status)).toEqual(['finished', 'finished', 'finished']);
      expect(staffed.length).toBeGreaterThan(0);
      for (const report of staffed) {
        expect(report.workers).toBe(1);
        expect(report.secondsWithoutWorkers).toBeUndefined();
        expect(report.waiting + report.running).toBeGreaterThan(0);
        expect(report.running).toBeLessThanOrEqual(1);
      }
      expect(stops).toHaveLength(1);
    } finally {
      await worker.stop();
    }
  }, 420_000); // with workerStartTimeout (300 s) for the workers it starts

  it('refuses a sweep directory another coordinator holds, naming it, and queues nothing', async () => {
    const directory = join(scratch, 'held');
    const trials = tinyTrials('held', [{ key: 'lr', values: [0.1] }]);
    const held = lockDirectory(directory);
    try {
      const error = await runSweepOnQueue(trials, { directory, queueUrl: redis.url }).catch(
        (caught: unknown) => caught,
      );
      expect(error).toBeInstanceOf(DirectoryLockedError);
      expect((error as Error).message).toContain(`pid ${process.pid}`);
      expect(await inspector.getJobState(trials[0]?.id ?? '')).toBe('unknown');
    } finally {
      held.release();
    }
    // Released by its owner, the directory is free again; the coordinator releases its own lock.
    const rows = await runSweepOnQueue(trials, { directory, queueUrl: redis.url, pollInterval: 300 });
    expect(rows.map((row) => row.status)).toEqual(['finished']);
    lockDirectory(directory).release();
  }, 120_000);

  it('fails in one line naming the address when Redis is unreachable, and writes nothing', async () => {
    const port = await freePort();
    const directory = join(scratch, 'unreachable');
    const trials = tinyTrials('nowhere', [{ key: 'lr', values: [0.1] }]);
    const started = performance.now();
    const error = await runSweepOnQueue(trials, { directory, queueUrl: `redis://127.0.0.1:${port}` }).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(QueueConnectionError);
    expect((error as Error).message).toMatch(
      new RegExp(`^cannot reach Redis at redis://127\\.0\\.0\\.1:${port}: .*ECONNREFUSED`),
    );
    expect((error as Error).message).not.toContain('\n');
    expect(performance.now() - started).toBeLessThan(5000);
    expect(existsSync(directory)).toBe(false);
  });
});
