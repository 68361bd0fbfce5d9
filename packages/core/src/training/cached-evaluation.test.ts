import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { createModel } from '../model/model.js';
import { parseModelSpec } from '../model/model-spec.js';
import { smallDataset } from '../test-support/small-dataset.js';
import { CachedEvaluator, maximumDeviceResidentSplitBytes } from './cached-evaluation.js';
import { evaluateSplit } from './evaluate.js';

describe('CachedEvaluator', () => {
  it('gives exactly the numbers of evaluateSplit, every epoch, without leaking tensors', async () => {
    const dataset = await smallDataset(2600);
    const model = createModel(parseModelSpec('mlp:16'), { inputSize: 784, outputSize: 10, seed: 4 });
    const before = tf.memory().numTensors;
    const evaluator = new CachedEvaluator(dataset);
    for (const loss of ['cross-entropy', 'mse'] as const) {
      for (const split of ['train', 'validation', 'test'] as const) {
        expect(evaluator.evaluate(model, split, loss)).toEqual(evaluateSplit(model, dataset, split, loss));
      }
    }
    const cached = tf.memory().numTensors;
    evaluator.evaluate(model, 'train', 'cross-entropy');
    expect(tf.memory().numTensors).toBe(cached);
    evaluator.dispose();
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it('uploads a split over maximumDeviceResidentSplitBytes at each evaluation: the same numbers, only its labels kept', async () => {
    const dataset = await smallDataset(4000);
    // 3,000 training images (9.4 MB of features) go chunk by chunk; 1,000 validation images stay.
    expect(dataset.train.count * 784 * 4).toBeGreaterThan(maximumDeviceResidentSplitBytes);
    expect(dataset.validation.count * 784 * 4).toBeLessThanOrEqual(maximumDeviceResidentSplitBytes);
    const model = createModel(parseModelSpec('mlp:16'), { inputSize: 784, outputSize: 10, seed: 5 });
    const before = tf.memory().numTensors;
    const evaluator = new CachedEvaluator(dataset);
    const expected = evaluateSplit(model, dataset, 'train', 'cross-entropy');
    expect(evaluator.evaluate(model, 'train', 'cross-entropy')).toEqual(expected);
    // One class-index tensor per chunk of 1000 is all that stays.
    expect(tf.memory().numTensors).toBe(before + 3);
    expect(evaluator.evaluate(model, 'train', 'cross-entropy')).toEqual(expected);
    expect(evaluator.evaluate(model, 'train', 'mse')).toEqual(evaluateSplit(model, dataset, 'train', 'mse'));
    expect(tf.memory().numTensors).toBe(before + 3);
    // The resident split: its 1 chunk (inputs, targets) and its labels.
    expect(evaluator.evaluate(model, 'validation', 'mse')).toEqual(
      evaluateSplit(model, dataset, 'validation', 'mse'),
    );
    expect(tf.memory().numTensors).toBe(before + 3 + 3);
    evaluator.dispose();
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });
});
