import {
  type EventRecord,
  MemorySink,
  MetricsLogger,
  type MetricsRecord,
  parseMetricsJsonl,
  serializeRecord,
  summarizeRun,
} from '@contour/metrics-logger';
import { createBatcher } from '@contour/mnist-loader';
import { createOptimizer, type OptimizerSpec } from '@contour/optimizers';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { createModel } from '../model/model.js';
import { parseModelSpec } from '../model/model-spec.js';
import { smallDataset } from '../test-support/small-dataset.js';
import { rangeTestLearningRate } from './range-test-recorder.js';
import { runRangeTest } from './run-range-test.js';
import { trainingStep } from './training-step.js';

describe('runRangeTest', () => {
  it('sweeps the rate exponentially on the embedded sample and suggests rates inside the sweep', async () => {
    const dataset = await smallDataset(1200);
    const model = createModel(parseModelSpec('linear'), { inputSize: 784, outputSize: 10, seed: 1 });
    const before = tf.memory().numTensors;
    const result = await runRangeTest(model, dataset, {
      optimizer: { type: 'sgd', lr: 0.1 },
      startLearningRate: 1e-4,
      endLearningRate: 100,
      iterations: 60,
    });
    expect(tf.memory().numTensors).toBe(before);
    // 900 training examples / 64 = 15 batches per epoch: the sweep runs over several epochs.
    expect(result.batchesPerEpoch).toBe(15);
    result.points.forEach((point, index) => {
      expect(point.learningRate).toBeCloseTo(rangeTestLearningRate(1e-4, 100, 60, index), 15);
    });
    expect(['completed', 'diverged', 'non-finite']).toContain(result.stop);
    const suggested = Object.values(result.suggestions).map((suggestion) => suggestion.learningRate);
    expect(suggested.length).toBeGreaterThan(0);
    for (const rate of suggested) expect(rate).toBeGreaterThan(1e-5);
    for (const rate of suggested) expect(rate).toBeLessThan(100);
    // Softmax regression starts near ln 10 ≈ 2.30 and learns at moderate rates (the smoothed
    // curve lags the raw one by ~1/(1 − β) = 50 points).
    expect(result.points[0]?.loss).toBeCloseTo(Math.log(10), 0);
    expect(Math.min(...result.points.map((point) => point.loss))).toBeLessThan(1.5);
    expect(result.bestSmoothedLoss).toBeLessThan(2.2);
    model.dispose();
  });

  it('restores the weights and a live optimizer state bit for bit, so training continues as if it never ran', async () => {
    const dataset = await smallDataset(600);
    const spec: OptimizerSpec = { type: 'adam', lr: 0.01, groups: [{ layer: 'head', lrMult: 3 }] };
    const batcher = createBatcher(dataset, { batchSize: 32, seed: 3 });
    const makeTrained = () => {
      const model = createModel(parseModelSpec('mlp:16'), { inputSize: 784, outputSize: 10, seed: 2 });
      const optimizer = createOptimizer(spec, { stepsPerEpoch: batcher.batchCount });
      let count = 0;
      for (const batch of batcher.batches(0)) {
        trainingStep(model, optimizer, batch, 'cross-entropy', count);
        count += 1;
        if (count === 4) break;
      }
      return { model, optimizer };
    };
    const reference = makeTrained();
    const tested = makeTrained();
    const weights = tested.model.getWeights();
    const state = tested.optimizer.exportState();
    const result = await runRangeTest(tested.model, dataset, { optimizer: tested.optimizer, iterations: 20 });
    expect(result.points).toHaveLength(result.stop === 'completed' ? 20 : result.points.length);
    expect(tested.model.getWeights()).toEqual(weights);
    expect(tested.optimizer.exportState()).toEqual(state);
    // Two more steps on both: identical numbers.
    for (const run of [reference, tested]) {
      let count = 0;
      for (const batch of batcher.batches(1)) {
        trainingStep(run.model, run.optimizer, batch, 'cross-entropy', 100 + count);
        count += 1;
        if (count === 2) break;
      }
    }
    expect(tested.model.getWeights()).toEqual(reference.model.getWeights());
    expect(tested.optimizer.exportState()).toEqual(reference.optimizer.exportState());
    for (const run of [reference, tested]) {
      run.model.dispose();
      run.optimizer.dispose();
    }
  });

  it('restores the weights after a sweep that ends in NaN', async () => {
    const dataset = await smallDataset(600);
    const model = createModel(parseModelSpec('linear'), { inputSize: 784, outputSize: 10, seed: 1 });
    const weights = model.getWeights();
    const result = await runRangeTest(model, dataset, {
      optimizer: { type: 'sgd' },
      startLearningRate: 1e30,
      endLearningRate: 1e38,
      iterations: 10,
    });
    expect(result.stop).not.toBe('completed');
    expect(model.getWeights()).toEqual(weights);
    model.dispose();
  });

  it('records through the training RunRecorder: run-start, a step per point at its rate, the stop event, finish', async () => {
    const dataset = await smallDataset(600);
    const model = createModel(parseModelSpec('linear'), { inputSize: 784, outputSize: 10, seed: 1 });
    const sink = new MemorySink();
    const events: EventRecord[] = [];
    const batches: number[] = [];
    let finished: string | undefined;
    const result = await runRangeTest(model, dataset, {
      optimizer: { type: 'sgd' },
      startLearningRate: 1e-3,
      endLearningRate: 1e4,
      iterations: 40,
      logger: new MetricsLogger([sink]),
      runId: 'lr-test',
      callbacks: {
        onBatchEnd: (info) => batches.push(info.learningRate),
        onEvent: (event) => events.push(event),
        onFinish: (outcome) => {
          finished = outcome.status;
        },
      },
    });
    // The sweep to 1e4 blows up: the smoothed loss passes 4× its best (or a loss is NaN) before 40 points.
    expect(result.stop).not.toBe('completed');
    expect(result.points.length).toBeLessThan(40);
    const records: readonly MetricsRecord[] = sink.records;
    const kinds = records.map((record) => record.kind);
    expect(kinds[0]).toBe('run-start');
    expect(kinds.at(-1)).toBe('finish');
    expect(records[0]).toMatchObject({
      kind: 'run-start',
      runId: 'lr-test',
      batchesPerEpoch: result.batchesPerEpoch,
      epochs: Math.ceil(40 / result.batchesPerEpoch),
    });
    const finitePoints = result.points.filter((point) => Number.isFinite(point.loss));
    const steps = records.filter((record) => record.kind === 'step');
    expect(steps.map((step) => [step.step, step.loss, step.learningRate])).toEqual(
      finitePoints.map((point) => [point.iteration + 1, point.loss, point.learningRate]),
    );
    expect(batches).toEqual(finitePoints.map((point) => point.learningRate));
    // One event, the stop, recorded as a training run's divergence is.
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ kind: 'event', event: 'diverged', step: result.points.length });
    const last = result.points.at(-1);
    expect(events[0]?.message).toBe(
      result.stop === 'non-finite'
        ? `loss is ${last?.loss} at step ${result.points.length} (epoch ${events[0]?.epoch}, rate ${last?.learningRate})`
        : `smoothed loss ${last?.smoothedLoss.toPrecision(4)} at rate ${last?.learningRate} exceeds 4× its best (${result.bestSmoothedLoss.toPrecision(4)})`,
    );
    expect(records.at(-1)).toMatchObject({ kind: 'finish', status: 'diverged', steps: result.points.length });
    expect(finished).toBe('diverged');
    // A valid run log: what `contour plot` reads.
    const text = records.map(serializeRecord).join('');
    expect(summarizeRun(parseMetricsJsonl(text).records).status).toBe('diverged');
    model.dispose();
  });

  it('records an interruption as a training run does, and a completed sweep as finished', async () => {
    const dataset = await smallDataset(600);
    const model = createModel(parseModelSpec('linear'), { inputSize: 784, outputSize: 10, seed: 1 });
    const controller = new AbortController();
    const sink = new MemorySink();
    const result = await runRangeTest(model, dataset, {
      optimizer: { type: 'sgd' },
      iterations: 30,
      logger: new MetricsLogger([sink]),
      onPoint: (point) => {
        if (point.iteration === 4) controller.abort();
      },
      signal: controller.signal,
    });
    expect(result.interrupted).toBe(true);
    expect(result.points).toHaveLength(5);
    expect(sink.records.filter((record) => record.kind === 'event')).toEqual([
      { kind: 'event', event: 'interrupted', epoch: 1, step: 5, message: 'interrupted at step 5 (epoch 1)' },
    ]);
    expect(sink.records.at(-1)).toMatchObject({ kind: 'finish', status: 'interrupted', epochs: 1, steps: 5 });

    const complete = new MemorySink();
    const completed = await runRangeTest(model, dataset, {
      optimizer: { type: 'sgd' },
      startLearningRate: 1e-6,
      endLearningRate: 1e-3,
      iterations: 10,
      logger: new MetricsLogger([complete]),
    });
    expect(completed.stop).toBe('completed');
    expect(complete.records.map((record) => record.kind)).toEqual([
      'run-start',
      ...Array.from({ length: 10 }, () => 'step'),
      'finish',
    ]);
    expect(complete.records.at(-1)).toMatchObject({
      kind: 'finish',
      status: 'finished',
      epochs: 2,
      steps: 10,
    });
    model.dispose();
  });
});
