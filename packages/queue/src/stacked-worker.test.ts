import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expandSweep, resolveRunConfig, type SweepTrial } from '@contour/core';
import { runSweep, type SweepTrialResult } from '@contour/runs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRunDirectoryFiles } from './run-directory-files.js';
import { runSweepOnQueue } from './run-sweep-on-queue.js';
import { type RedisServer, startRedisServer } from './start-redis-server.js';
import { startWorkerProcess, type WorkerProcess } from './test-support/worker-process.js';

const scratch = mkdtempSync(join(tmpdir(), 'contour-stacked-'));
let redis: RedisServer;
const started: WorkerProcess[] = [];

beforeAll(async () => {
  redis = await startRedisServer();
}, 60_000);

afterAll(async () => {
  await Promise.all(started.map((worker) => worker.stop()));
  await redis?.stop();
  rmSync(scratch, { recursive: true, force: true });
}, 60_000);

async function worker(queueName: string, stack: number): Promise<WorkerProcess> {
  const process = await startWorkerProcess(redis.url, 1, queueName, stack);
  started.push(process);
  return process;
}

/**
 * Runs the trials on a queue of their own (its name is also the sweep directory's), with one
 * worker stacking up to 8 started once every trial waits, so its first pass claims them all.
 * `onEpoch` gets that worker at each epoch report.
 */
async function sweepOnOneWorker(
  trials: readonly SweepTrial[],
  queueName: string,
  onEpoch: (only: WorkerProcess) => void = () => {},
): Promise<{ rows: SweepTrialResult[]; only: WorkerProcess }> {
  const starting: Array<Promise<WorkerProcess>> = [];
  let only: WorkerProcess | undefined;
  const rows = await runSweepOnQueue(trials, {
    directory: join(scratch, queueName),
    queueUrl: redis.url,
    queueName,
    pollInterval: 200,
    onEnqueued: () => {
      starting.push(
        worker(queueName, 8).then((process) => {
          only = process;
          return process;
        }),
      );
    },
    onEpoch: () => {
      if (only) onEpoch(only);
    },
  });
  const [started] = await Promise.all(starting);
  return { rows, only: started as WorkerProcess };
}

/** Rate trials (cpu, same seed): compatible, so a worker stacks them. */
function rateTrials(sweepId: string, rates: readonly number[], epochs: number): SweepTrial[] {
  const base = resolveRunConfig({
    data: { trainLimit: 600 },
    training: { epochs, batchSize: 64, optimizer: { type: 'sgd', lr: 0.5 } },
    backend: 'cpu',
  });
  return expandSweep(sweepId, base, [{ key: 'lr', values: [...rates] }]);
}

/** A run directory's records without wall-clock fields. */
function records(directory: string): unknown[] {
  return readFileSync(join(directory, 'metrics.jsonl'), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const { time: _time, seconds: _seconds, ...rest } = JSON.parse(line) as Record<string, unknown>;
      return rest;
    });
}

/** A result.json without its wall-clock fields. */
function storedResult(directory: string): unknown {
  const { summary, ...result } = JSON.parse(readFileSync(join(directory, 'result.json'), 'utf8')) as {
    summary: Record<string, unknown>;
  };
  const { seconds: _seconds, ...numbers } = summary;
  return { ...result, summary: numbers };
}

function lines(output: string, pattern: RegExp): string[] {
  return output.split('\n').filter((line) => pattern.test(line));
}

/** Trials trained alone, one at a time, in this process: what a stacked trial must equal. */
async function aloneResults(trials: readonly SweepTrial[], name: string): Promise<SweepTrialResult[]> {
  return runSweep(trials, { directory: join(scratch, name), workers: 0, vectorise: false, onPlan: () => {} });
}

describe('startQueueWorker (stacked passes)', () => {
  it('trains compatible trials in one pass, each its own job and result, equal to the same trials trained alone', async () => {
    // lr = 1e38 overflows at once: that trial diverges, the others finish.
    const trials = rateTrials('stacked', [0.5, 0.1, 0.02, 1e38, 0.005], 2);
    const { rows, only } = await sweepOnOneWorker(trials, 'stacked');
    expect(rows.map((row) => row.trial.id)).toEqual(trials.map((trial) => trial.id));
    expect(rows.map((row) => row.status)).toEqual([
      'finished',
      'finished',
      'finished',
      'diverged',
      'finished',
    ]);
    const output = only.output();
    expect(lines(output, /^pass /)).toEqual([`pass ${trials.map((trial) => trial.id).join(',')}`]);
    for (const trial of trials) {
      // Each trial is its own job: started and ended once, with its own outcome.
      expect(lines(output, new RegExp(`^start ${trial.id}$`))).toHaveLength(1);
      expect(lines(output, new RegExp(`^end ${trial.id} `))).toHaveLength(1);
    }

    const alone = await aloneResults(trials, 'stacked-alone');
    for (const [index, row] of rows.entries()) {
      const reference = alone[index] as SweepTrialResult;
      expect(storedResult(row.directory)).toEqual(storedResult(reference.directory));
      expect(records(row.directory)).toEqual(records(reference.directory));
      // The same files, and the same trained weights.
      const files = readRunDirectoryFiles(row.directory);
      const referenceFiles = readRunDirectoryFiles(reference.directory);
      expect(files.map((file) => file.path)).toEqual(referenceFiles.map((file) => file.path));
      const weights = (list: typeof files) =>
        list.filter((file) => file.path.startsWith('model/') && file.path.endsWith('.bin'));
      expect(weights(files)).toEqual(weights(referenceFiles));
    }
  }, 480_000); // with workerStartTimeout (300 s) for the workers it starts

  it('a worker killed (SIGKILL) mid-pass loses none of its stacked trials and duplicates none', async () => {
    const trials = rateTrials('stacked-killed', [0.5, 0.2, 0.1, 0.05, 0.02, 0.01], 12);
    const queueName = 'stacked-killed';
    const directory = join(scratch, queueName);
    let rescuer: Promise<WorkerProcess> | undefined;
    const { rows, only: killed } = await sweepOnOneWorker(trials, queueName, (victim) => {
      // Its first epoch report: the pass runs. Kill it there, and start the worker that takes
      // the trials over once their locks expire.
      if (rescuer) return;
      victim.child.kill('SIGKILL');
      rescuer = worker(queueName, 8);
    });
    const other = await (rescuer as Promise<WorkerProcess>);

    // One row per trial, every one finished, and one run directory each.
    expect(rows.map((row) => row.trial.id)).toEqual(trials.map((trial) => trial.id));
    expect(rows.map((row) => row.status)).toEqual(trials.map(() => 'finished'));
    expect(readdirSync(join(directory, 'trials')).sort()).toEqual(trials.map((trial) => trial.id).sort());

    // The killed worker had claimed them all in one pass and ended none of them.
    expect(lines(killed.output(), /^pass /)).toEqual([`pass ${trials.map((trial) => trial.id).join(',')}`]);
    expect(lines(killed.output(), /^end /), 'the kill must land before the pass ended').toEqual([]);
    // The other worker took each over and ended each exactly once.
    const ended = () => lines(other.output(), /^end /);
    await expect.poll(() => ended().length, { timeout: 15_000, interval: 100 }).toBe(trials.length);
    for (const trial of trials) {
      expect(lines(other.output(), new RegExp(`^end ${trial.id} finished$`))).toHaveLength(1);
    }
    // Same numbers as trained alone.
    const alone = await aloneResults(trials, 'stacked-killed-alone');
    for (const [index, row] of rows.entries()) {
      expect(records(row.directory)).toEqual(records((alone[index] as SweepTrialResult).directory));
    }
  }, 840_000); // with workerStartTimeout (300 s) for each of the 2 workers it starts
  it('a training child killed mid-pass fails that attempt of each stacked trial, and each is retried and stored once', async () => {
    const trials = rateTrials('stacked-crash', [0.5, 0.1, 0.02, 0.005], 12);
    let crashed: number | undefined;
    const { rows, only } = await sweepOnOneWorker(trials, 'stacked-crash', (training) => {
      if (crashed !== undefined) return;
      // The worker's training child (its only child process): the pass dies, the worker lives.
      const [child] = execFileSync('pgrep', ['-P', String(training.child.pid)], { encoding: 'utf8' })
        .trim()
        .split('\n')
        .map(Number);
      crashed = child as number;
      process.kill(crashed, 'SIGKILL');
    });
    expect(crashed).toBeGreaterThan(0);
    expect(rows.map((row) => row.status)).toEqual(trials.map(() => 'finished'));
    const output = only.output();
    expect(lines(output, /^pass /)[0]).toBe(`pass ${trials.map((trial) => trial.id).join(',')}`);
    for (const trial of trials) {
      // The crashed attempt is said once per trial; the retry ends it, once.
      expect(
        lines(output, new RegExp(`^end ${trial.id} failed: worker exited \\(SIGKILL\\) before reporting$`)),
      ).toHaveLength(1);
      expect(lines(output, new RegExp(`^end ${trial.id} finished$`))).toHaveLength(1);
    }
    const alone = await aloneResults(trials, 'stacked-crash-alone');
    for (const [index, row] of rows.entries()) {
      expect(records(row.directory)).toEqual(records((alone[index] as SweepTrialResult).directory));
    }
  }, 540_000); // with workerStartTimeout (300 s) for the workers it starts
});
