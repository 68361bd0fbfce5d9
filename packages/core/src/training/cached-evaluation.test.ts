import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { createModel } from '../model/model.js';
import { parseModelSpec } from '../model/model-spec.js';
import { smallDataset } from '../test-support/small-dataset.js';
import { CachedEvaluator } from './cached-evaluation.js';
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
});
