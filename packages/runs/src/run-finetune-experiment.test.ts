import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveRunConfig } from '@contour/core';
import { readMetricsFile } from '@contour/metrics-logger/node';
import { afterAll, describe, expect, it } from 'vitest';
import { DirectoryLockedError, lockDirectory, lockFileName } from './directory-lock.js';
import { readJsonFile, runFiles } from './run-directory.js';
import {
  defaultSourceClasses,
  defaultTargetClasses,
  type FinetuneExperimentOptions,
  type FinetuneRunConfigFile,
  runFinetuneExperiment,
} from './run-finetune-experiment.js';

const scratch = mkdtempSync(join(tmpdir(), 'contour-core-finetune-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const pretrain = resolveRunConfig({
  data: { source: 'mnist', trainLimit: 600, validation: 0.25, classes: [...defaultSourceClasses] },
  training: {
    epochs: 2,
    batchSize: 32,
    model: 'mlp:32',
    optimizer: { type: 'sgd', lr: 0.1, momentum: 0.9 },
    seed: 1,
  },
  backend: 'cpu',
});
const target = resolveRunConfig({
  data: { source: 'mnist', trainLimit: 300, validation: 0.25, classes: [...defaultTargetClasses] },
  training: {
    epochs: 2,
    batchSize: 32,
    model: 'mlp:32',
    optimizer: { type: 'sgd', lr: 0.01, momentum: 0.9 },
    seed: 1,
  },
  backend: 'cpu',
});

describe('runFinetuneExperiment', () => {
  it('pretrains on 0–4, then runs boosted head, one global rate and scratch on 5–9 into run directories', async () => {
    const directory = join(scratch, 'compare');
    const outcome = await runFinetuneExperiment({
      directory,
      data: target.data,
      training: target.training,
      backend: 'cpu',
      pretrain,
      settings: {},
      compare: true,
      console: false,
    });
    expect(outcome.source).toEqual({
      directory: join(directory, 'pretrain'),
      pretrained: true,
      classes: [0, 1, 2, 3, 4],
    });
    expect(outcome.runs.map((run) => [run.name, run.status])).toEqual([
      ['boosted-head', 'finished'],
      ['global-rate', 'finished'],
      ['scratch', 'finished'],
    ]);
    for (const name of ['pretrain', 'boosted-head', 'global-rate', 'scratch']) {
      const files = runFiles(join(directory, name));
      for (const path of [
        files.config,
        files.metrics,
        files.status,
        files.result,
        join(files.modelDirectory, 'model.json'),
      ])
        expect(existsSync(path), path).toBe(true);
    }
    const boosted = readJsonFile<FinetuneRunConfigFile>(runFiles(join(directory, 'boosted-head')).config);
    expect(boosted?.finetune).toMatchObject({
      variant: 'boosted-head',
      settings: { learningRateMultipliers: { head: 10 } },
    });
    expect(boosted?.config.training.optimizer).toMatchObject({
      lr: 0.01,
      groups: [{ layer: 'head', lrMult: 10 }],
    });
    const scratchConfig = readJsonFile<FinetuneRunConfigFile>(runFiles(join(directory, 'scratch')).config);
    expect(scratchConfig?.config.training.optimizer).toEqual(pretrain.training.optimizer);
    // Every run learned the new task: validation error below chance (0.8 for 5 classes).
    for (const run of outcome.runs)
      expect(run.summary.final.validation?.classificationError).toBeLessThan(0.8);

    // Fine-tuning again from the pretrained run directory, without --compare: one run, `finetune/`.
    /** Fine-tunes into `into` from the pretrained run, without --compare. */
    const fromPretrained = (into: string, settings: { freeze?: string[] } = {}) =>
      runFinetuneExperiment({
        directory: join(scratch, into),
        from: join(directory, 'pretrain'),
        data: target.data,
        training: target.training,
        backend: 'cpu',
        settings,
        console: false,
      });
    const again = await fromPretrained('from', { freeze: ['hidden1'] });
    expect(again.runs.map((run) => run.name)).toEqual(['finetune']);
    await expect(fromPretrained('from')).rejects.toThrow(/already holds a run/);
    // Each run held its directory's lock while it trained, and released it.
    expect(existsSync(join(scratch, 'from', 'finetune', lockFileName))).toBe(false);

    // Another process training into the run directory: this one stops before writing anything.
    const held = lockDirectory(join(scratch, 'locked', 'finetune'));
    try {
      await expect(fromPretrained('locked')).rejects.toBeInstanceOf(DirectoryLockedError);
      expect(existsSync(runFiles(join(scratch, 'locked', 'finetune')).config)).toBe(false);
    } finally {
      held.release();
    }
  });

  describe('run again into the same directory', () => {
    const options = (directory: string): FinetuneExperimentOptions => ({
      directory,
      data: target.data,
      training: target.training,
      backend: 'cpu',
      pretrain,
      settings: {},
      console: false,
    });
    /** A signal that turns aborted after `reads` checks once `armed` (a cut at a known step). */
    const cutAfter = (reads: number) => {
      let armed = false;
      let count = 0;
      const signal = {
        get aborted() {
          if (!armed) return false;
          count += 1;
          return count > reads;
        },
        addEventListener() {},
        removeEventListener() {},
      } as unknown as AbortSignal;
      return { signal, arm: () => (armed = true) };
    };
    const metricsTimes = (directory: string) =>
      ['pretrain', 'finetune'].map((name) => statSync(runFiles(join(directory, name)).metrics).mtimeMs);

    it('keeps finished runs (nothing retrained) and reports their results as before', async () => {
      const directory = join(scratch, 'again');
      const first = await runFinetuneExperiment(options(directory));
      const times = metricsTimes(directory);
      const second = await runFinetuneExperiment(options(directory));
      expect(second.runs.map((run) => [run.name, run.status])).toEqual([['finetune', 'finished']]);
      expect(second.runs[0]?.summary).toEqual(first.runs[0]?.summary);
      expect(metricsTimes(directory)).toEqual(times);
      // A different config in the same directory is still refused, and nothing there changes.
      await expect(
        runFinetuneExperiment({ ...options(directory), settings: { freeze: ['hidden1'] } }),
      ).rejects.toThrow(/finetune already holds a run of a different config/);
      await expect(
        runFinetuneExperiment({
          ...options(directory),
          pretrain: { ...pretrain, training: { ...pretrain.training, seed: 2 } },
        }),
      ).rejects.toThrow(/pretrain already holds a run of a different config/);
      expect(metricsTimes(directory)).toEqual(times);
    });

    it('continues a run cut in pretraining or in fine-tuning to the numbers of an uncut run', async () => {
      const whole = await runFinetuneExperiment(options(join(scratch, 'whole')));
      const final = whole.runs[0]?.summary.final;
      expect(final?.validation?.classificationError).toBeLessThan(0.8);

      // Cut in pretraining's second epoch (15 steps an epoch): resumed from its epoch-1 checkpoint.
      const inPretrain = join(scratch, 'cut-pretrain');
      const pretrainCut = cutAfter(20);
      pretrainCut.arm();
      const cut = await runFinetuneExperiment({ ...options(inPretrain), signal: pretrainCut.signal });
      expect(cut.runs).toEqual([]);
      expect(readJsonFile<{ status: string }>(runFiles(join(inPretrain, 'pretrain')).status)?.status).toBe(
        'interrupted',
      );
      const resumed = await runFinetuneExperiment(options(inPretrain));
      expect(resumed.runs[0]?.summary.final).toEqual(final);

      // Cut in fine-tuning: that run starts over (old outputs set aside), pretraining is kept.
      const inFinetune = join(scratch, 'cut-finetune');
      const finetuneCut = cutAfter(5);
      const cutLater = await runFinetuneExperiment({
        ...options(inFinetune),
        signal: finetuneCut.signal,
        onRunStart: (name) => {
          if (name === 'finetune') finetuneCut.arm();
        },
      });
      expect(cutLater.runs.map((run) => run.status)).toEqual(['interrupted']);
      const pretrainTime = metricsTimes(inFinetune)[0];
      const continued = await runFinetuneExperiment(options(inFinetune));
      expect(continued.runs.map((run) => run.status)).toEqual(['finished']);
      expect(continued.runs[0]?.summary.final).toEqual(final);
      expect(metricsTimes(inFinetune)[0]).toBe(pretrainTime);
      expect(readdirSync(join(inFinetune, 'finetune')).some((name) => name.startsWith('discarded-'))).toBe(
        true,
      );
    });

    it('with --lr auto reuses the rate the first run recorded: no new range test, kept or continued to the same numbers', async () => {
      const chosen: number[] = [];
      const reused: string[] = [];
      const autoOptions = (directory: string): FinetuneExperimentOptions => ({
        ...options(directory),
        autoLearningRate: {
          seeds: 2,
          onChosen: (found) => chosen.push(found.auto.learningRate),
          onReused: (record, _optimizer, runDirectory) =>
            reused.push(`${record.learningRate} ${runDirectory}`),
        },
      });
      const leading = (directory: string) =>
        readMetricsFile(runFiles(join(directory, 'finetune')).metrics).records.filter(
          (record) => record.kind === 'range-test' || record.kind === 'auto-learning-rate',
        );
      const wholeDirectory = join(scratch, 'auto-whole');
      const whole = await runFinetuneExperiment(autoOptions(wholeDirectory));
      expect(chosen).toHaveLength(1);
      const rate = chosen[0];
      const times = metricsTimes(wholeDirectory);
      const again = await runFinetuneExperiment(autoOptions(wholeDirectory));
      expect(chosen).toHaveLength(1);
      expect(reused).toEqual([`${rate} ${join(wholeDirectory, 'finetune')}`]);
      expect(again.runs[0]?.summary).toEqual(whole.runs[0]?.summary);
      expect(metricsTimes(wholeDirectory)).toEqual(times);

      // Cut in fine-tuning after its range tests were logged: restarted at the recorded rate.
      const inFinetune = join(scratch, 'auto-cut-finetune');
      const finetuneCut = cutAfter(5);
      const cutLater = await runFinetuneExperiment({
        ...autoOptions(inFinetune),
        signal: finetuneCut.signal,
        onRunStart: (name) => {
          if (name === 'finetune') finetuneCut.arm();
        },
      });
      expect(cutLater.runs.map((run) => run.status)).toEqual(['interrupted']);
      expect(chosen).toEqual([rate, rate]);
      const continued = await runFinetuneExperiment(autoOptions(inFinetune));
      expect(chosen).toHaveLength(2);
      expect(reused).toHaveLength(2);
      expect(continued.runs[0]?.summary.final).toEqual(whole.runs[0]?.summary.final);
      expect(leading(inFinetune)).toEqual(leading(wholeDirectory));
      const config = readJsonFile<FinetuneRunConfigFile>(runFiles(join(inFinetune, 'finetune')).config);
      expect(config?.config.training.optimizer.lr).toBe(rate);
    });
  });
});
