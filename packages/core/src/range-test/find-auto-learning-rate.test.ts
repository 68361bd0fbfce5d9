import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { parseModelSpec } from '../model/model-spec.js';
import { smallDataset } from '../test-support/small-dataset.js';
import { chooseLearningRate } from './auto-learning-rate.js';
import {
  autoLearningRateRecords,
  findAutoLearningRate,
  RangeTestInterruptedError,
} from './find-auto-learning-rate.js';

describe('findAutoLearningRate', () => {
  it('runs one range test per seed and chooses by the rule from their curves; records all of it', async () => {
    const dataset = await smallDataset(1200);
    const before = tf.memory().numTensors;
    const training = {
      model: parseModelSpec('linear'),
      optimizer: { type: 'sgd' as const, lr: 0.1 },
      batchSize: 64,
      seed: 5,
      loss: 'cross-entropy' as const,
    };
    const seen: number[] = [];
    const found = await findAutoLearningRate(training, dataset, {
      seeds: 2,
      settings: { startLearningRate: 1e-4, endLearningRate: 100, iterations: 60 },
      onRangeTest: (seed) => seen.push(seed),
    });
    expect(tf.memory().numTensors).toBe(before);
    expect(seen).toEqual([5, 6]);
    expect(found.rangeTests.map((test) => test.seed)).toEqual([5, 6]);
    // Different seeds draw different weights and batch orders: different curves.
    expect(found.rangeTests[0]?.result.points[0]?.loss).not.toBe(found.rangeTests[1]?.result.points[0]?.loss);
    expect(found.auto).toEqual(chooseLearningRate(found.rangeTests.map((test) => test.result)));

    const records = autoLearningRateRecords(found, { type: 'oneCycle' });
    expect(records.map((record) => record.kind)).toEqual(['range-test', 'range-test', 'auto-learning-rate']);
    const first = records[0];
    if (first?.kind !== 'range-test') throw new Error('expected a range-test record');
    expect(first.points).toHaveLength(found.rangeTests[0]?.result.points.length ?? -1);
    expect(first.suggestions.minimum?.learningRate).toBe(
      found.rangeTests[0]?.result.suggestions.minimum?.learningRate,
    );
    const last = records.at(-1);
    if (last?.kind !== 'auto-learning-rate') throw new Error('expected the auto-learning-rate record');
    expect(last).toMatchObject({
      learningRate: found.auto.learningRate,
      seeds: [5, 6],
      spread: found.auto.spread,
      schedule: { type: 'oneCycle' },
    });
    // The record alone reproduces the choice: the rule on the recorded curves gives the same rate.
    const recorded = records.flatMap((record) =>
      record.kind === 'range-test'
        ? [
            {
              trimmed: {
                ...record.trimmed,
                learningRates: record.points
                  .slice(record.trimmed.start, record.trimmed.end)
                  .map((point) => point.learningRate),
                losses: record.points
                  .slice(record.trimmed.start, record.trimmed.end)
                  .map((point) => point.smoothedLoss),
              },
            },
          ]
        : [],
    );
    expect(chooseLearningRate(recorded).learningRate).toBe(last.learningRate);
  });

  it('chooses no rate from a range test its signal cut short (Ctrl-C): RangeTestInterruptedError', async () => {
    const dataset = await smallDataset(1200);
    const before = tf.memory().numTensors;
    const training = {
      model: parseModelSpec('linear'),
      optimizer: { type: 'sgd' as const, lr: 0.1 },
      batchSize: 64,
      seed: 5,
      loss: 'cross-entropy' as const,
    };
    const controller = new AbortController();
    const seen: number[] = [];
    const found = findAutoLearningRate(training, dataset, {
      seeds: 3,
      settings: { startLearningRate: 1e-4, endLearningRate: 100, iterations: 60 },
      signal: controller.signal,
      // Interrupted after the first seed's test: the second stops at once, with no usable curve.
      onRangeTest: (seed) => {
        seen.push(seed);
        controller.abort();
      },
    });
    await expect(found).rejects.toBeInstanceOf(RangeTestInterruptedError);
    await expect(found).rejects.toThrow(
      'interrupted during the learning-rate range test: no rate was chosen, nothing was trained',
    );
    expect(seen).toEqual([5]);
    expect(tf.memory().numTensors).toBe(before);
  });
});
