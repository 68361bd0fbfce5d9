import { describe, expect, it } from 'vitest';
import { createModel } from '../model/model.js';
import { parseModelSpec } from '../model/model-spec.js';
import { smallDataset } from '../test-support/small-dataset.js';
import { judgeHalvingAttempt, runHalvingSearch } from './halving-search.js';

describe('judgeHalvingAttempt', () => {
  it('diverged on any NaN or infinite loss', () => {
    expect(judgeHalvingAttempt([2.3, 1.5, Number.NaN])).toMatchObject({
      diverged: true,
      reason: 'loss NaN at step 3',
    });
    expect(judgeHalvingAttempt([2.3, Number.POSITIVE_INFINITY]).diverged).toBe(true);
  });

  it('diverged when the mean of the last ⌈n/10⌉ losses is not below the first', () => {
    // 20 losses: the last 2 average (2.2 + 2.4)/2 = 2.3, not below 2.3.
    const flat = [2.3, ...new Array(17).fill(1), 2.2, 2.4];
    expect(judgeHalvingAttempt(flat)).toMatchObject({ diverged: true, initialLoss: 2.3, finalLoss: 2.3 });
    const falling = [2.3, ...new Array(17).fill(1), 2.2, 2.38];
    expect(judgeHalvingAttempt(falling)).toMatchObject({
      diverged: false,
      finalLoss: expect.closeTo(2.29, 12),
    });
  });
});

describe('runHalvingSearch', () => {
  it('halves from 10 until the loss falls, reports every attempt and restores the weights', async () => {
    const dataset = await smallDataset(600);
    const model = createModel(parseModelSpec('mlp:32'), { inputSize: 784, outputSize: 10, seed: 1 });
    const weights = model.getWeights();
    const result = await runHalvingSearch(model, dataset, {
      optimizer: { type: 'sgd', momentum: 0.9 },
      startLearningRate: 10,
      budgetSteps: 20,
    });
    expect(model.getWeights()).toEqual(weights);
    expect(result.attempts.length).toBeGreaterThan(1);
    expect(result.attempts.map((attempt) => attempt.learningRate)).toEqual(
      result.attempts.map((_, index) => 10 * 0.5 ** index),
    );
    expect(result.attempts.slice(0, -1).every((attempt) => attempt.diverged)).toBe(true);
    expect(result.attempts.at(-1)?.diverged).toBe(false);
    expect(result.learningRate).toBe(result.attempts.at(-1)?.learningRate);
    // Every attempt starts from the same weights and batches: the same first loss.
    expect(new Set(result.attempts.map((attempt) => attempt.initialLoss)).size).toBe(1);
    model.dispose();
  });
});
