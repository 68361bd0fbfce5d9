import { MemorySink, MetricsLogger } from '@contour/metrics-logger';
import { ContourOptimizer } from '@contour/optimizers';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { expectFailingStep } from '../test-support/failing-step.js';
import { smallDataset } from '../test-support/small-dataset.js';
import { train } from './trainer.js';
import type { TrainingCheckpoint } from './training-checkpoint.js';
import { resolveTrainingConfig } from './training-config.js';

const config = (overrides: Record<string, unknown> = {}) =>
  resolveTrainingConfig({
    epochs: 3,
    batchSize: 64,
    optimizer: { type: 'sgd', lr: 0.1 },
    seed: 7,
    ...overrides,
  });

describe('train', () => {
  it('leaves no tensor behind when a checkpoint writer, a callback or a step throws', async () => {
    const dataset = await smallDataset(300);
    const spec = config({ model: 'mlp:6', epochs: 2, optimizer: { type: 'adam', lr: 0.01 } });
    const before = tf.memory().numTensors;
    await expect(
      train(spec, {
        dataset,
        saveCheckpoint: () => {
          throw new Error('disk full');
        },
      }),
    ).rejects.toThrow('disk full');
    expect(tf.memory().numTensors).toBe(before);
    await expect(
      train(spec, {
        dataset,
        callbacks: {
          onEpochEnd: () => {
            throw new Error('callback failed');
          },
        },
      }),
    ).rejects.toThrow('callback failed');
    expect(tf.memory().numTensors).toBe(before);
    await expectFailingStep(ContourOptimizer.prototype, () => train(spec, { dataset }));
    expect(tf.memory().numTensors).toBe(before);
  });

  it('learns the embedded MNIST sample with the linear model: validation error < 0.2 after 3 epochs', async () => {
    const dataset = await smallDataset(4000);
    const result = await train(config({ optimizer: { type: 'sgd', lr: 0.5 } }), { dataset });
    const last = result.history.at(-1);
    expect(result.status).toBe('finished');
    expect(result.epochs).toBe(3);
    expect(result.steps).toBe(3 * Math.ceil(dataset.train.count / 64));
    expect(last?.validation?.classificationError).toBeLessThan(0.2);
    // Training cross entropy falls epoch over epoch at a sane rate.
    const losses = result.history.map((record) => record.train.crossEntropy as number);
    expect(losses[2]).toBeLessThan(losses[0] as number);
    result.model.dispose();
  });

  it('gives identical numbers for the same config twice on cpu (seeded data order, init and dropout)', async () => {
    const dataset = await smallDataset(600);
    const spec = config({ model: { type: 'mlp', hidden: [32], dropout: 0.2 }, epochs: 2 });
    const first = await train(spec, { dataset });
    const second = await train(spec, { dataset });
    expect(second.history.map((record) => record.train)).toEqual(first.history.map((record) => record.train));
    expect(second.model.getWeights()).toEqual(first.model.getWeights());
    first.model.dispose();
    second.model.dispose();
  });

  it('keeps the tensor count flat across epochs and runs', async () => {
    const dataset = await smallDataset(400);
    const counts: number[] = [];
    const result = await train(config({ epochs: 3, model: 'mlp:16' }), {
      dataset,
      callbacks: { onEpochEnd: () => counts.push(tf.memory().numTensors) },
    });
    result.model.dispose();
    const before = tf.memory().numTensors;
    const again = await train(config({ epochs: 1 }), { dataset });
    again.model.dispose();
    expect(new Set(counts).size).toBe(1);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('stops as diverged at the first non-finite loss and keeps every earlier epoch', async () => {
    const dataset = await smallDataset(600);
    const sink = new MemorySink();
    // 8 batches per epoch; a rate of 1e38 from step 12 overflows the weights, so the loss of the
    // following step is not finite: the run must stop there, in epoch 2.
    const result = await train(
      config({ epochs: 4, optimizer: { type: 'sgd', lr: { type: 'expr', expr: 't < 12 ? 0.1 : 1e38' } } }),
      { dataset, logger: new MetricsLogger([sink]) },
    );
    expect(result.status).toBe('diverged');
    expect(result.epochs).toBe(1);
    const kinds = sink.records.map((record) => record.kind);
    expect(kinds.filter((kind) => kind === 'epoch')).toHaveLength(1);
    const event = sink.records.find((record) => record.kind === 'event');
    expect(event).toMatchObject({ event: 'diverged', epoch: 2 });
    expect(kinds.at(-1)).toBe('finish');
    expect(sink.records.at(-1)).toMatchObject({ status: 'diverged', epochs: 1 });
    result.model.dispose();
  });

  it('declares a run diverged when its weights give a non-finite loss, whatever the step losses were', async () => {
    const dataset = await smallDataset(600);
    const sink = new MemorySink();
    const result = await train(config({ epochs: 3, optimizer: { type: 'sgd', lr: 1e36 } }), {
      dataset,
      logger: new MetricsLogger([sink]),
    });
    expect(result.status).toBe('diverged');
    const event = sink.records.find((record) => record.kind === 'event' && record.event === 'diverged');
    const nonFinite = result.history.find((record) => !Number.isFinite(record.train.crossEntropy as number));
    // Either a batch loss was already non-finite (no epoch completed), or the epoch that evaluated
    // non-finite is the one the event names.
    if (nonFinite) expect(event).toMatchObject({ epoch: nonFinite.epoch });
    else expect(result.epochs).toBe(0);
    result.model.dispose();
  });

  it('awaits the pause hook once per step without changing the numbers', async () => {
    const dataset = await smallDataset(400);
    const spec = config({ epochs: 1 });
    const plain = await train(spec, { dataset });
    let pauses = 0;
    let stepsSeen = 0;
    const paused = await train(spec, {
      dataset,
      callbacks: { onBatchEnd: () => (stepsSeen += 1) },
      pause: async () => {
        pauses += 1;
        const before = stepsSeen;
        await new Promise((resolve) => setTimeout(resolve, 1));
        // Nothing trains while the pause is pending.
        expect(stepsSeen).toBe(before);
      },
    });
    expect(pauses).toBe(paused.steps);
    expect(paused.history.map((record) => record.train)).toEqual(plain.history.map((record) => record.train));
    plain.model.dispose();
    paused.model.dispose();
  });

  it('resumes from a checkpoint to exactly the numbers of an uninterrupted run', async () => {
    const dataset = await smallDataset(600);
    const spec = config({
      epochs: 4,
      model: 'mlp:16',
      optimizer: { type: 'adam', lr: { type: 'step', lr: 0.01, stepSize: 1, gamma: 0.5, unit: 'epoch' } },
    });
    const whole = await train(spec, { dataset });
    const checkpoints: TrainingCheckpoint[] = [];
    const controller = new AbortController();
    const partial = await train(spec, {
      dataset,
      signal: controller.signal,
      saveCheckpoint: (checkpoint) => {
        checkpoints.push(JSON.parse(JSON.stringify(checkpoint)));
      },
      callbacks: {
        onBatchEnd: (info) => {
          if (info.epoch === 3 && info.batch === 2) controller.abort();
        },
      },
    });
    expect(partial.status).toBe('interrupted');
    expect(checkpoints.map((checkpoint) => checkpoint.epoch)).toEqual([1, 2]);
    const resumed = await train(spec, { dataset, resumeFrom: checkpoints[1] as TrainingCheckpoint });
    expect(resumed.status).toBe('finished');
    expect(resumed.history.map((record) => record.epoch)).toEqual([3, 4]);
    expect(resumed.history.map((record) => record.train)).toEqual(
      whole.history.slice(2).map((record) => record.train),
    );
    expect(resumed.model.getWeights()).toEqual(whole.model.getWeights());
    for (const result of [whole, partial, resumed]) result.model.dispose();
  });

  it('stops early and restores the best weights', async () => {
    const dataset = await smallDataset(600);
    const sink = new MemorySink();
    // A rate of 5 makes validation loss worse after the first epoch.
    const result = await train(
      config({ epochs: 6, optimizer: { type: 'sgd', lr: 5 }, earlyStopping: { patience: 1 } }),
      {
        dataset,
        logger: new MetricsLogger([sink]),
      },
    );
    const events = sink.records
      .filter((record) => record.kind === 'event')
      .map((record) => (record.kind === 'event' ? record.event : ''));
    if (result.status === 'finished' && result.epochs < 6) {
      expect(events).toContain('early-stop');
      expect(events).toContain('restored-best');
    } else {
      expect(result.status).toBe('diverged');
    }
    result.model.dispose();
  });

  it('records the learning rate actually applied and the update:parameter ratio per layer', async () => {
    const dataset = await smallDataset(600);
    const sink = new MemorySink();
    const result = await train(
      config({
        epochs: 2,
        model: 'mlp:16',
        optimizer: { type: 'sgd', lr: { type: 'step', lr: 0.2, stepSize: 1, unit: 'epoch' } },
      }),
      { dataset, logger: new MetricsLogger([sink]) },
    );
    const epochs = result.history;
    expect(epochs.map((record) => record.learningRate)).toEqual([0.2, 0.2 * 0.1]);
    const steps = sink.records.filter((record) => record.kind === 'step');
    expect(steps[0]).toMatchObject({ step: 0, learningRate: 0.2 });
    expect(steps.at(-1)).toMatchObject({ epoch: 2, learningRate: expect.closeTo(0.02, 12) });
    const ratios = epochs[0]?.updateRatios ?? {};
    expect(Object.keys(ratios)).toEqual(['hidden1', 'head']);
    for (const ratio of Object.values(ratios)) expect(ratio).toBeGreaterThan(-6);
    result.model.dispose();
  });
});
