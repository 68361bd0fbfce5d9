import { describe, expect, it } from 'vitest';
import fastai from '../fixtures/fastai-lr-find.json' with { type: 'json' };
import { RangeTestRecorder, rangeTestLearningRate, resolveRangeTestSettings } from './range-test-recorder.js';
import { suggestionNames } from './suggest-learning-rates.js';

/** Matches a number whose relative difference from `expected` is below 10^−digits. */
const closeTo = (expected: number, digits: number) =>
  expect.closeTo(expected, Math.max(0, digits - Math.ceil(Math.log10(Math.abs(expected) || 1))));

/** Feeds `loss(i, lr)` to a recorder until it stops. */
function sweep(loss: (iteration: number, learningRate: number) => number, settings = {}) {
  const recorder = new RangeTestRecorder(settings);
  while (recorder.record(loss(recorder.iteration, recorder.nextLearningRate())) === undefined);
  return recorder;
}

// Synthetic curves, the same functions as reference/fastai_lr_find.py (a Python transcription of
// fastai's LRFinder loop, AvgSmoothLoss, lr_find trimming and the four suggestion functions from
// fastai/callback/schedule.py, in float64), which wrote the expected numbers to the fixture.
const typical = (iteration: number, learningRate: number) => {
  const x = Math.log10(learningRate);
  return 2.3 - 2 / (1 + Math.exp(-2.5 * (x + 2.5))) + Math.exp(3 * x) + 0.03 * Math.sin(7 * iteration);
};
const exploding = (iteration: number, learningRate: number) => {
  const x = Math.log10(learningRate);
  return (
    2.3 - 2 / (1 + Math.exp(-2.5 * (x + 2.5))) + Math.exp(6 * (x + 0.5)) + 0.03 * Math.sin(7 * iteration)
  );
};

describe('rangeTestLearningRate', () => {
  it('is start·(end/start)^(i/n), fastai SchedExp at train_iter/num_it', () => {
    expect(rangeTestLearningRate(1e-7, 10, 100, 0)).toBe(1e-7);
    expect(rangeTestLearningRate(1e-7, 10, 100, 50)).toBeCloseTo(1e-3, 15);
    // The last of 100 iterations is 10^(−7 + 8·0.99), short of the end rate.
    expect(rangeTestLearningRate(1e-7, 10, 100, 99)).toBeCloseTo(10 ** 0.92, 12);
  });
});

describe('resolveRangeTestSettings', () => {
  it("fills fastai's defaults and names bad fields", () => {
    expect(resolveRangeTestSettings()).toEqual({
      startLearningRate: 1e-7,
      endLearningRate: 10,
      iterations: 100,
      beta: 0.98,
      divergenceFactor: 4,
      skipEnd: 5,
    });
    expect(() => resolveRangeTestSettings({ iterations: 5 })).toThrow(/"iterations" must be an integer ≥ 6/);
    expect(() => resolveRangeTestSettings({ startLearningRate: 1, endLearningRate: 0.1 })).toThrow(
      /"endLearningRate"/,
    );
  });
});

describe('RangeTestRecorder', () => {
  it('smooths with the debiased moving average avg/(1 − β^i)', () => {
    const recorder = new RangeTestRecorder();
    recorder.record(1);
    recorder.record(2);
    // avg₁ = 0.02 → 0.02/0.02 = 1; avg₂ = 0.98·0.02 + 0.02·2 = 0.0596 → 0.0596/(1 − 0.98²) = 2.98/1.98.
    expect(recorder.points.map((point) => point.smoothedLoss)).toEqual([
      expect.closeTo(1, 14),
      expect.closeTo(2.98 / 1.98, 14),
    ]);
  });

  it('stops when the smoothed loss exceeds 4× its best (strictly)', () => {
    // β = 0: the smoothed loss is the loss itself.
    const atFour = new RangeTestRecorder({ beta: 0 });
    expect([1, 0.5, 2].map((loss) => atFour.record(loss))).toEqual([undefined, undefined, undefined]);
    const above = new RangeTestRecorder({ beta: 0 });
    expect([1, 0.5, 2.01].map((loss) => above.record(loss))).toEqual([undefined, undefined, 'diverged']);
    expect(above.points).toHaveLength(3);
  });

  it('stops at a NaN or infinite loss at once (NaN > 4·best is false, so it is tested explicitly)', () => {
    const nan = new RangeTestRecorder();
    expect([2, 2, Number.NaN].map((loss) => nan.record(loss))).toEqual([undefined, undefined, 'non-finite']);
    expect(() => nan.record(1)).toThrow(/already stopped/);
    const infinite = new RangeTestRecorder();
    infinite.record(2);
    expect(infinite.record(Number.POSITIVE_INFINITY)).toBe('non-finite');
    // The non-finite point is the last one recorded and is never analysed.
    expect(nan.result().trimmed.losses.every(Number.isFinite)).toBe(true);
  });

  it('completes after `iterations` points', () => {
    const recorder = sweep(() => 1, { iterations: 6 });
    expect(recorder.stop).toBe('completed');
    expect(recorder.points).toHaveLength(6);
  });

  // Every recorded point, the stop, the trimmed window and the four suggestions against the
  // transcription of fastai (reference/fastai_lr_find.py → src/fixtures/fastai-lr-find.json).
  const cases = [
    ['a typical curve (100 iterations, 1e-7 → 10)', 'typical', typical, {}],
    ['a curve that blows up: stops at 4× best, then trims the last 5', 'exploding', exploding, {}],
    [
      'a straight fall (valley with maxStart −1)',
      'straight',
      (iteration: number) => 3 - 0.02 * iteration,
      {
        iterations: 40,
      },
    ],
  ] as const;
  for (const [title, name, loss, settings] of cases) {
    it(`matches fastai on ${title}`, () => {
      const expected = fastai[name];
      const result = sweep(loss, settings).result();
      expect(result.stop).toBe(expected.stop);
      expect(result.points.map((point) => point.learningRate)).toEqual(
        expected.learningRates.map((value) => closeTo(value, 14)),
      );
      expect(result.points.map((point) => point.smoothedLoss)).toEqual(
        expected.smoothedLosses.map((value) => closeTo(value, 12)),
      );
      expect([result.trimmed.start, result.trimmed.end]).toEqual([
        expected.trimmed.start,
        expected.trimmed.end,
      ]);
      for (const method of suggestionNames) {
        const suggestion = result.suggestions[method];
        const reference = expected.suggestions[method];
        expect(suggestion?.index).toBe(reference.index);
        expect(suggestion?.learningRate).toEqual(closeTo(reference.learningRate, 14));
      }
    });
  }
});
