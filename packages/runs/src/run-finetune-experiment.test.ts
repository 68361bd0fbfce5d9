import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveRunConfig } from '@contour/core';
import { afterAll, describe, expect, it } from 'vitest';
import { DirectoryLockedError, lockDirectory, lockFileName } from './directory-lock.js';
import { readJsonFile, runFiles } from './run-directory.js';
import {
  defaultSourceClasses,
  defaultTargetClasses,
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
});
