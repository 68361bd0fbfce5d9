import { MemorySink, MetricsLogger, type MetricsRecord } from '@contour/metrics-logger';
import { StackedOptimizer } from '@contour/optimizers';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it, vi } from 'vitest';
import { expectFailingStep } from '../test-support/failing-step.js';
import { smallDataset } from '../test-support/small-dataset.js';
import { train } from './trainer.js';
import type { TrainingCheckpoint } from './training-checkpoint.js';
import { resolveTrainingConfig, type TrainingConfig } from './training-config.js';
import { trainVectorised, type VectorisedTrial, vectorisedSupport } from './vectorised-sweep.js';

const config = (overrides: Record<string, unknown> = {}) =>
  resolveTrainingConfig({
    epochs: 2,
    batchSize: 64,
    optimizer: { type: 'sgd', lr: 0.1 },
    seed: 3,
    ...overrides,
  });

/** Records without the wall-clock fields (time, seconds), which differ between any two runs. */
function comparable(records: readonly MetricsRecord[]): unknown[] {
  return records.map((record) => {
    const {
      time: _time,
      seconds: _seconds,
      ...rest
    } = record as MetricsRecord & { time?: string; seconds?: number };
    return rest;
  });
}

interface Outcome {
  readonly records: unknown[];
  readonly checkpoints: TrainingCheckpoint[];
  readonly weights: Record<string, Float32Array>;
  readonly status: string;
}

async function oneAtATime(
  configs: readonly TrainingConfig[],
  dataset: Awaited<ReturnType<typeof smallDataset>>,
) {
  const outcomes: Outcome[] = [];
  for (const trial of configs) {
    const sink = new MemorySink();
    const checkpoints: TrainingCheckpoint[] = [];
    const result = await train(trial, {
      dataset,
      logger: new MetricsLogger([sink]),
      saveCheckpoint: (checkpoint) => {
        checkpoints.push({ ...checkpoint, elapsedSeconds: 0 });
      },
    });
    outcomes.push({
      records: comparable(sink.records),
      checkpoints,
      weights: result.model.getWeights(),
      status: result.status,
    });
    result.model.dispose();
  }
  return outcomes;
}

async function together(
  configs: readonly TrainingConfig[],
  dataset: Awaited<ReturnType<typeof smallDataset>>,
  chunkSteps = 5,
  pauseAfter: (index: number, epoch: number) => boolean = () => false,
) {
  const sinks = configs.map(() => new MemorySink());
  const checkpoints = configs.map((): TrainingCheckpoint[] => []);
  const results = await trainVectorised(
    configs.map((trial, index) => ({
      config: trial,
      logger: new MetricsLogger([sinks[index] as MemorySink]),
      saveCheckpoint: (checkpoint: TrainingCheckpoint) => {
        checkpoints[index]?.push({ ...checkpoint, elapsedSeconds: 0 });
      },
      pauseAfterEpoch: (epoch: number) => (pauseAfter(index, epoch) ? 'paused by the test' : undefined),
    })),
    { dataset, chunkSteps },
  );
  return results.map((result, index): Outcome => {
    const outcome = {
      records: comparable((sinks[index] as MemorySink).records),
      checkpoints: checkpoints[index] as TrainingCheckpoint[],
      weights: result.model.getWeights(),
      status: result.status,
    };
    result.model.dispose();
    return outcome;
  });
}

describe('trainVectorised', () => {
  it('equals training the rates one at a time on cpu: every record, checkpoint and weight (linear, plain SGD)', async () => {
    const dataset = await smallDataset(700);
    const configs = [1, 0.5, 0.1, 0.01].map((lr) => config({ optimizer: { type: 'sgd', lr } }));
    const expected = await oneAtATime(configs, dataset);
    const actual = await together(configs, dataset);
    // Same float32 operations on the same values in the same order: equal to the last bit on cpu.
    expect(actual).toEqual(expected);
  });

  it('equals one at a time for an MLP with momentum, Nesterov, weight decay and per-trial schedules', async () => {
    const dataset = await smallDataset(500);
    const base = { model: 'mlp:24,12', epochs: 2 };
    const configs = [
      config({
        ...base,
        optimizer: { type: 'sgd', lr: 0.05, momentum: 0.9, nesterov: true, weightDecay: 1e-3 },
      }),
      config({
        ...base,
        optimizer: {
          type: 'sgd',
          lr: { type: 'step', lr: 0.2, stepSize: 5, gamma: 0.5 },
          momentum: 0.9,
          nesterov: true,
          weightDecay: 1e-3,
        },
      }),
      config({
        ...base,
        optimizer: {
          type: 'sgd',
          lr: { type: 'oneCycle', maxLr: 0.3, totalSteps: 14 },
          momentum: 0.9,
          nesterov: true,
          weightDecay: 1e-3,
        },
      }),
    ];
    expect(vectorisedSupport(configs)).toMatchObject({ supported: true });
    const expected = await oneAtATime(configs, dataset);
    const actual = await together(configs, dataset, 3);
    expect(actual).toEqual(expected);
  });

  it('drops paused trials from the stack and trains the rest exactly as one at a time', async () => {
    const dataset = await smallDataset(400);
    const base = { model: 'mlp:16', epochs: 3 };
    const configs = [
      config({ ...base, optimizer: { type: 'sgd', lr: 0.05, momentum: 0.9 } }),
      config({ ...base, optimizer: { type: 'adam', lr: 0.01 } }),
      config({ ...base, optimizer: { type: 'sgd', lr: 0.2, momentum: 0.5 } }),
      config({ ...base, optimizer: { type: 'adam', lr: { type: 'cosine', lr: 0.02, tMax: 12 } } }),
    ];
    const expected = await oneAtATime(configs, dataset);
    const importStates = vi.spyOn(StackedOptimizer.prototype, 'importStates');
    // Trials 0 and 3 pause after epoch 1, trial 1 after epoch 2: stacks of 4, 2, then 1.
    const paused = new Map([
      [0, 1],
      [3, 1],
      [1, 2],
    ]);
    const actual = await together(configs, dataset, 4, (index, epoch) => paused.get(index) === epoch);
    expect(importStates.mock.calls.map(([states]) => states.length)).toEqual([2, 1]);
    importStates.mockRestore();
    const full = actual[2] as Outcome;
    expect(full).toEqual(expected[2]);
    for (const [index, epoch] of paused) {
      const checkpoints = (actual[index] as Outcome).checkpoints;
      expect(checkpoints).toEqual((expected[index] as Outcome).checkpoints.slice(0, epoch));
      const epochs = (actual[index] as Outcome).records.filter(
        (record) => (record as { kind: string }).kind === 'epoch',
      );
      expect(epochs).toEqual(
        (expected[index] as Outcome).records
          .filter((record) => (record as { kind: string }).kind === 'epoch')
          .slice(0, epoch),
      );
    }
  });

  it('stops a diverging trial at its first non-finite step without touching the others (Sutskever momentum)', async () => {
    const dataset = await smallDataset(600);
    // 7 batches per epoch; a rate of 1e38 from step 9 overflows the weights of trial 1 only.
    const configs = [
      config({ epochs: 3, optimizer: { type: 'sgd', lr: 0.1, momentum: 0.5, momentumForm: 'sutskever' } }),
      config({
        epochs: 3,
        optimizer: {
          type: 'sgd',
          lr: { type: 'expr', expr: 't < 9 ? 0.1 : 1e38' },
          momentum: 0.5,
          momentumForm: 'sutskever',
        },
      }),
      config({ epochs: 3, optimizer: { type: 'sgd', lr: 0.02, momentum: 0.5, momentumForm: 'sutskever' } }),
    ];
    const expected = await oneAtATime(configs, dataset);
    expect(expected.map((outcome) => outcome.status)).toEqual(['finished', 'diverged', 'finished']);
    // Chunks of 4 steps: the divergence is found at the end of a chunk, after later steps ran.
    const actual = await together(configs, dataset, 4);
    expect(actual.map((outcome) => outcome.status)).toEqual(['finished', 'diverged', 'finished']);
    expect(actual[0]).toEqual(expected[0]);
    expect(actual[2]).toEqual(expected[2]);
    // The diverged trial: the same records and checkpoints; its returned model holds the weights
    // of its last finished epoch (train's holds those of the step before the non-finite loss).
    expect(actual[1]?.records).toEqual(expected[1]?.records);
    expect(actual[1]?.checkpoints).toEqual(expected[1]?.checkpoints);
  });

  it('keeps the tensor count flat across epochs and leaves nothing behind', async () => {
    const dataset = await smallDataset(400);
    const before = tf.memory().numTensors;
    const counts: number[] = [];
    const results = await trainVectorised(
      [0.1, 0.2].map((lr) => ({
        config: config({ epochs: 3, model: 'mlp:8', optimizer: { type: 'sgd', lr, momentum: 0.9 } }),
        callbacks: { onEpochEnd: () => counts.push(tf.memory().numTensors) },
      })),
      { dataset },
    );
    // Two trials log each epoch at the same moment.
    expect(new Set(counts).size).toBe(1);
    for (const result of results) result.model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('equals one at a time for every update rule, mixed in one pass (MLP, per-trial hyperparameters)', async () => {
    const dataset = await smallDataset(400);
    const base = { model: 'mlp:12', epochs: 2 };
    const specs = [
      { type: 'sgd', lr: 0.1, momentum: 0.9, dampening: 0.1 },
      { type: 'adam', lr: 0.01 },
      { type: 'rmsprop', lr: 0.005, centered: true, momentum: 0.5 },
      { type: 'adam', lr: 0.003, amsgrad: true, beta1: 0.8, weightDecay: 1e-3 },
      { type: 'adagrad', lr: 0.05, lrDecay: 0.01, initialAccumulatorValue: 0.1 },
      { type: 'adadelta', lr: 1, rho: 0.95 },
      { type: 'adamw', lr: { type: 'oneCycle', maxLr: 0.01, totalSteps: 14 }, weightDecay: 0.05 },
      { type: 'rprop', lr: 0.001, etaPlus: 1.1 },
      { type: 'localGains', lr: 0.05, momentum: 0.5 },
      { type: 'rmsprop', lr: 0.01 },
    ];
    const configs = specs.map((optimizer) => config({ ...base, optimizer }));
    expect(vectorisedSupport(configs)).toMatchObject({ supported: true });
    const expected = await oneAtATime(configs, dataset);
    const actual = await together(configs, dataset, 3);
    expect(actual).toEqual(expected);
  });

  it('equals one at a time with parameter groups (lrMult, weightDecay, frozen) and clipping', async () => {
    const dataset = await smallDataset(400);
    const base = { model: 'mlp:10', epochs: 2 };
    const specs = [
      { type: 'sgd', lr: 0.05, momentum: 0.9, groups: [{ layer: 'head', lrMult: 10 }] },
      { type: 'sgd', lr: 0.05, momentum: 0.9, groups: [{ layer: 'hidden1', frozen: true }] },
      { type: 'sgd', lr: 0.05, momentum: 0.9, clipGlobalNorm: 0.5 },
      { type: 'adam', lr: 0.01, clipValue: 0.01, groups: [{ match: '*/kernel', weightDecay: 0.1 }] },
      { type: 'adamw', lr: 0.01, groups: [{ layer: 'head', frozen: true }], clipGlobalNorm: 1 },
    ];
    const configs = specs.map((optimizer) => config({ ...base, optimizer }));
    const expected = await oneAtATime(configs, dataset);
    const actual = await together(configs, dataset, 4);
    expect(actual).toEqual(expected);
  });

  it('leaves no tensor behind when a checkpoint writer, a callback or a step throws', async () => {
    const dataset = await smallDataset(300);
    const trialsWith = (extra: Partial<VectorisedTrial>): VectorisedTrial[] =>
      [0.1, 0.01].map((lr) => ({
        config: config({ model: 'mlp:6', optimizer: { type: 'adam', lr } }),
        ...extra,
      }));
    const before = tf.memory().numTensors;
    await expect(
      trainVectorised(
        trialsWith({
          saveCheckpoint: () => {
            throw new Error('disk full');
          },
        }),
        { dataset },
      ),
    ).rejects.toThrow('disk full');
    expect(tf.memory().numTensors).toBe(before);
    await expect(
      trainVectorised(
        trialsWith({
          callbacks: {
            onBatchEnd: () => {
              throw new Error('callback failed');
            },
          },
        }),
        { dataset },
      ),
    ).rejects.toThrow('callback failed');
    expect(tf.memory().numTensors).toBe(before);
    await expectFailingStep(StackedOptimizer.prototype, () => trainVectorised(trialsWith({}), { dataset }));
    expect(tf.memory().numTensors).toBe(before);
  });

  it('runs where setImmediate does not exist (a Web Worker), yielding between chunks', async () => {
    const dataset = await smallDataset(1200);
    vi.stubGlobal('setImmediate', undefined);
    let yielded = 0;
    const timer = setInterval(() => {
      yielded += 1;
    }, 0);
    try {
      const results = await trainVectorised(
        [0.1, 0.05].map((lr) => ({
          config: config({ epochs: 3, batchSize: 16, optimizer: { type: 'sgd', lr } }),
        })),
        { dataset, chunkSteps: 1 },
      );
      expect(results.map((result) => result.status)).toEqual(['finished', 'finished']);
      for (const result of results) result.model.dispose();
    } finally {
      clearInterval(timer);
      vi.unstubAllGlobals();
    }
    // Timers ran during training: the loop gave the event loop turns without setImmediate.
    expect(yielded).toBeGreaterThan(0);
  });

  it('says why trials cannot be vectorised', () => {
    expect(vectorisedSupport([config({ loss: 'mse' })]).reason).toMatch(/loss "mse"/);
    expect(vectorisedSupport([config(), config({ batchSize: 32 })]).reason).toMatch(/differs from trial 0/);
    expect(vectorisedSupport([config({ model: { type: 'mlp', hidden: [8], dropout: 0.5 } })]).reason).toMatch(
      /dropout/,
    );
    expect(
      vectorisedSupport([config({ optimizer: { type: 'sgd', lr: { type: 'reduceOnPlateau', lr: 0.1 } } })])
        .reason,
    ).toMatch(/stateful schedule/);
    expect(vectorisedSupport([config({ optimizer: { type: 'adam', lr: 0.01 } }), config()]).reason).toMatch(
      /2 trial\(s\) trained together in one pass .*adam, sgd/,
    );
  });
});
