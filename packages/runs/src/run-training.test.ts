import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { expandSweep, resolveRunConfig } from '@contour/core';
import { readMetricsFile } from '@contour/metrics-logger/node';
import { afterAll, describe, expect, it } from 'vitest';
import { DirectoryLockedError, lockDirectory, lockFileName } from './directory-lock.js';
import { loadModel } from './model-files.js';
import { freshRunId, openRunDirectory, RunDirectoryError } from './open-run-directory.js';
import { type RunStatusFile, readJsonFile, readRunRecords, runFiles } from './run-directory.js';
import { runTraining } from './run-training.js';
import { runSweep } from './sweep-runner.js';

const scratch = mkdtempSync(join(tmpdir(), 'contour-core-run-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const config = resolveRunConfig({
  data: { source: 'mnist', trainLimit: 800, validation: 0.25 },
  training: {
    epochs: 3,
    batchSize: 64,
    model: 'mlp:16',
    optimizer: { type: 'sgd', lr: 0.2, momentum: 0.9 },
    seed: 3,
  },
  backend: 'cpu',
});

const epochNumbers = (directory: string) =>
  readMetricsFile(runFiles(directory).metrics).records.flatMap((record) =>
    record.kind === 'epoch' ? [record.epoch] : [],
  );

describe('runTraining', () => {
  it('writes config, status, metrics, checkpoint, model and result into the run directory', async () => {
    const directory = join(scratch, 'whole');
    const outcome = await runTraining(config, { directory, console: false });
    expect(outcome.status).toBe('finished');
    const files = runFiles(directory);
    for (const path of [
      files.config,
      files.status,
      files.metrics,
      files.checkpoint,
      files.result,
      join(files.modelDirectory, 'model.json'),
      join(files.modelDirectory, 'weights.bin'),
    ]) {
      expect(existsSync(path), path).toBe(true);
    }
    expect(readJsonFile<RunStatusFile>(files.status)?.status).toBe('finished');
    expect(JSON.parse(readFileSync(files.config, 'utf8'))).toMatchObject({
      config: { backend: 'cpu' },
      backend: { chosen: 'cpu' },
    });
    expect(epochNumbers(directory)).toEqual([1, 2, 3]);
    const model = loadModel(files.modelDirectory);
    expect(model.parameterNames).toEqual(['hidden1/kernel', 'hidden1/bias', 'head/kernel', 'head/bias']);
    model.dispose();
  });

  it('refuses a directory that already holds a run, leaving it untouched', async () => {
    const directory = join(scratch, 'whole');
    const before = readFileSync(runFiles(directory).metrics, 'utf8');
    await expect(runTraining(config, { directory, console: false })).rejects.toThrow(/already holds a run/);
    expect(readFileSync(runFiles(directory).metrics, 'utf8')).toBe(before);
  });

  it('trains in a directory the caller opened (openRunDirectory) as freshRunId names it, and closes it', async () => {
    const directory = join(scratch, 'opened');
    const opened = openRunDirectory(directory);
    expect(existsSync(join(directory, lockFileName))).toBe(true);
    const outcome = await runTraining(config, { directory, opened, console: false });
    expect(outcome.runId).toBe(freshRunId(config));
    expect(readMetricsFile(runFiles(directory).metrics).records[0]).toMatchObject({
      kind: 'run-start',
      runId: freshRunId(config),
      epochs: config.training.epochs,
    });
    expect(existsSync(join(directory, lockFileName))).toBe(false);
    // It refuses what runTraining refuses, releasing the lock it took.
    expect(() => openRunDirectory(directory)).toThrow(RunDirectoryError);
    expect(() => openRunDirectory(join(scratch, 'nothing-here'), { resume: true })).toThrow(
      /no config.json there/,
    );
    expect(existsSync(join(directory, lockFileName))).toBe(false);
    // A run that fails before writing config.json leaves no directory that the opening created.
    const failing = join(scratch, 'opened-failing');
    const missingData = { ...config, data: { ...config.data, source: join(scratch, 'no-such-data') } };
    await expect(
      runTraining(missingData, { directory: failing, opened: openRunDirectory(failing), console: false }),
    ).rejects.toThrow(/no-such-data/);
    expect(existsSync(failing)).toBe(false);
  });

  it('refuses to resume a run another writer recorded (no data/training config), changing nothing', async () => {
    // What @contour/layers' contourLogger writes for a model.fit: config.json without data/training.
    const directory = join(scratch, 'layers-run');
    mkdirSync(directory, { recursive: true });
    const configText = `${JSON.stringify({
      formatVersion: 1,
      runId: 'own',
      createdAt: '2026-01-01T00:00:00.000Z',
      config: { source: '@contour/layers', model: { name: 'cnn' }, optimizer: { className: 'SGD' } },
    })}\n`;
    writeFileSync(runFiles(directory).config, configText);
    writeFileSync(runFiles(directory).metrics, '');
    await expect(runTraining(config, { directory, resume: true, console: false })).rejects.toThrow(
      `--resume ${directory}: its config.json has no data and training sections to continue from (recorded by @contour/layers, not contour train); only runs contour train or sweep wrote can be resumed (contour plot and report read any run)`,
    );
    await expect(
      runTraining(config, { directory, resume: true, restart: true, console: false }),
    ).rejects.toThrow(/no data and training sections/);
    expect(readdirSync(directory).sort()).toEqual(['config.json', 'metrics.jsonl']);
    expect(readFileSync(runFiles(directory).config, 'utf8')).toBe(configText);
  });

  it('resumes an interrupted run to the same numbers, without duplicate or missing epochs', async () => {
    const directory = join(scratch, 'interrupted');
    const controller = new AbortController();
    const first = await runTraining(config, {
      directory,
      console: false,
      signal: controller.signal,
      callbacks: { onBatchEnd: (info) => info.epoch === 2 && info.batch === 3 && controller.abort() },
    });
    expect(first.status).toBe('interrupted');
    expect(readJsonFile<RunStatusFile>(runFiles(directory).status)?.status).toBe('interrupted');
    // A crash mid-write leaves a torn line too.
    writeFileSync(
      runFiles(directory).metrics,
      `${readFileSync(runFiles(directory).metrics, 'utf8')}{"kind":"step","ep`,
    );
    const resumed = await runTraining(config, { directory, resume: true, console: false });
    expect(resumed.status).toBe('finished');
    expect(epochNumbers(directory)).toEqual([1, 2, 3]);
    const whole = readMetricsFile(runFiles(join(scratch, 'whole')).metrics).records.filter(
      (record) => record.kind === 'epoch',
    );
    const again = readMetricsFile(runFiles(directory).metrics).records.filter(
      (record) => record.kind === 'epoch',
    );
    expect(again.map((record) => record.kind === 'epoch' && record.train)).toEqual(
      whole.map((record) => record.kind === 'epoch' && record.train),
    );
    const steps = readMetricsFile(runFiles(directory).metrics).records.filter(
      (record) => record.kind === 'step',
    );
    expect(steps.map((record) => record.kind === 'step' && record.step)).toEqual(
      steps.map((_, index) => index),
    );
  });
});

describe('runSweep', () => {
  const sweepConfig = resolveRunConfig({
    data: { source: 'mnist', trainLimit: 500, validation: 0.2 },
    training: { epochs: 1, batchSize: 50, optimizer: { type: 'sgd', lr: 0.1 }, seed: 1 },
    backend: 'cpu',
  });
  const trials = expandSweep('grid', sweepConfig, [{ key: 'lr', values: [1, 0.1, 0.01] }]);

  it('runs trials in worker processes, equal to running them here, and skips finished trials on re-run', async () => {
    const inWorkers = join(scratch, 'sweep-workers');
    const inProcess = join(scratch, 'sweep-here');
    const fromWorkers = await runSweep(trials, { directory: inWorkers, workers: 2 });
    const fromHere = await runSweep(trials, { directory: inProcess, workers: 0 });
    expect(fromWorkers.map((result) => result.status)).toEqual(['finished', 'finished', 'finished']);
    expect(fromWorkers.map((result) => result.summary?.final)).toEqual(
      fromHere.map((result) => result.summary?.final),
    );
    const again = await runSweep(trials, { directory: inWorkers, workers: 2 });
    expect(again.every((result) => result.reused)).toBe(true);
  }, 120_000);

  it('trains again, instead of reusing, a finished trial whose log is damaged (as a report reads it)', async () => {
    const directory = join(scratch, 'sweep-damaged');
    const first = await runSweep(trials.slice(0, 2), { directory, workers: 0, onPlan: () => {} });
    const damaged = first[1]?.directory as string;
    const log = readFileSync(runFiles(damaged).metrics, 'utf8').split('\n');
    log[2] = '{"kind":"epoch", cut';
    writeFileSync(runFiles(damaged).metrics, log.join('\n'));
    expect(() => readRunRecords(damaged)).toThrow(/line 3: not valid JSON/);
    const again = await runSweep(trials.slice(0, 2), { directory, workers: 0, onPlan: () => {} });
    expect(again.map((result) => [result.status, result.reused])).toEqual([
      ['finished', true],
      ['finished', false],
    ]);
    expect(again[1]?.summary?.final).toEqual(first[1]?.summary?.final);
    expect(readRunRecords(damaged).filter((record) => record.kind === 'epoch')).toHaveLength(1);
  }, 120_000);

  it('locks the sweep directory while it runs, for library users too, and releases it', async () => {
    const directory = join(scratch, 'sweep-locked');
    const owners: unknown[] = [];
    await runSweep(trials.slice(0, 2), {
      directory,
      workers: 0,
      onPlan: () => {},
      onTrialStart: () => owners.push(JSON.parse(readFileSync(join(directory, lockFileName), 'utf8')).pid),
    });
    expect(owners).toEqual([process.pid, process.pid]);
    expect(existsSync(join(directory, lockFileName))).toBe(false);
  }, 120_000);

  it('refuses a sweep directory another live process holds, before writing anything', async () => {
    const directory = join(scratch, 'sweep-taken');
    mkdirSync(directory);
    // The parent process is alive; without `processStart` its pid cannot be taken for a reused one.
    const owner = {
      pid: process.ppid,
      hostname: hostname(),
      startedAt: '2026-12-01T00:00:00.000Z',
      command: 'contour sweep',
    };
    writeFileSync(join(directory, lockFileName), JSON.stringify(owner));
    await expect(runSweep(trials, { directory, workers: 0, onPlan: () => {} })).rejects.toThrow(
      new DirectoryLockedError(directory, owner),
    );
    expect(readdirSync(directory)).toEqual([lockFileName]);
  });

  it('runs under a lock the caller holds, and refuses one of another directory', async () => {
    const directory = join(scratch, 'sweep-caller-lock');
    const lock = lockDirectory(directory);
    try {
      const results = await runSweep(trials.slice(0, 1), { directory, lock, workers: 0, onPlan: () => {} });
      expect(results.map((result) => result.status)).toEqual(['finished']);
      // Still the caller's until it releases it.
      expect(existsSync(join(directory, lockFileName))).toBe(true);
      await expect(
        runSweep(trials, { directory: join(scratch, 'elsewhere'), lock, workers: 0 }),
      ).rejects.toThrow(`runSweep: "lock" is the lock of ${directory}, not of ${join(scratch, 'elsewhere')}`);
    } finally {
      lock.release();
    }
    expect(existsSync(join(directory, lockFileName))).toBe(false);
  }, 120_000);
});
