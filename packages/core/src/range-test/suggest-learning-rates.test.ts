import { describe, expect, it } from 'vitest';
import {
  numpyGradient,
  suggestLearningRates,
  suggestMinimum,
  suggestSlide,
  suggestSteep,
  suggestValley,
  trimRangeTestCurve,
} from './suggest-learning-rates.js';

// Rates a factor e apart, so ln(lr[i+1]) − ln(lr[i]) = 1 and steep's slope is the loss difference.
const rates = (count: number) => Array.from({ length: count }, (_, index) => Math.exp(index - 10));

describe('trimRangeTestCurve', () => {
  it('keeps [⌊iterations/10⌋, length − 5) of the recorded points, like fastai lr_find', () => {
    const losses = Array.from({ length: 30 }, (_, index) => 3 - index / 100);
    const trimmed = trimRangeTestCurve(rates(30), losses, 100);
    expect([trimmed.start, trimmed.end]).toEqual([10, 25]);
    expect(trimmed.losses).toEqual(losses.slice(10, 25));
    expect(trimmed.learningRates).toEqual(rates(30).slice(10, 25));
  });

  it('cuts at the first NaN (and ±∞) of the window', () => {
    const losses = Array.from({ length: 30 }, () => 1);
    losses[18] = Number.NaN;
    expect(trimRangeTestCurve(rates(30), losses, 100).end).toBe(18);
    losses[18] = 1;
    losses[14] = Number.POSITIVE_INFINITY;
    expect(trimRangeTestCurve(rates(30), losses, 100).end).toBe(14);
  });

  it('is empty when the test stopped before ⌊iterations/10⌋ + 5 points', () => {
    const trimmed = trimRangeTestCurve(rates(12), new Array(12).fill(1), 100);
    expect(trimmed.losses).toEqual([]);
    expect(suggestLearningRates(trimmed.learningRates, trimmed.losses)).toEqual({});
  });
});

describe('suggestValley', () => {
  it('picks maxStart + ⌊len/3⌋ + ⌊len/6⌋ of the longest decreasing run (worked by hand)', () => {
    // lds = [1, 2, 1, 3, 4, 1]: the run 3 > 2 > 1 > 0.5 ends at 4; fastai's maxStart = 4 − lds[4] = 0;
    // sections = 4/3 → index 0 + 1 + ⌊0.67⌋ = 1.
    const suggestion = suggestValley(rates(6), [3, 2, 4, 1, 0.5, 5]);
    expect(suggestion).toEqual({
      name: 'valley',
      learningRate: Math.exp(-9),
      index: 1,
      loss: 2,
      pointLearningRate: Math.exp(-9),
    });
  });

  it("keeps fastai's maxStart of −1 for a curve that falls from its first point", () => {
    // 10 falling points: lds[9] = 10, maxStart = 9 − 10 = −1; sections = 10/3 → −1 + 3 + 1 = 3.
    const losses = Array.from({ length: 10 }, (_, index) => 10 - index);
    expect(suggestValley(rates(10), losses)?.index).toBe(3);
    // Two falling points: −1 + 0 + 0 = −1, which Python reads as the last point.
    expect(suggestValley(rates(2), [2, 1])?.index).toBe(1);
  });

  it('is undefined for an empty curve', () => {
    expect(suggestValley([], [])).toBeUndefined();
  });
});

describe('suggestSteep', () => {
  it('takes the left point of the most negative Δloss / Δln(lr)', () => {
    // Δloss over Δln lr = 1: [−1, 2, −3, −0.5, 4.5] → pair 2.
    expect(suggestSteep(rates(6), [3, 2, 4, 1, 0.5, 5])).toEqual({
      name: 'steep',
      learningRate: Math.exp(-8),
      index: 2,
      loss: 4,
      pointLearningRate: Math.exp(-8),
    });
  });

  it('divides by the log-rate step (uneven spacing changes the answer)', () => {
    // Δloss = [−1, −1.5]; Δln lr = [ln 2, ln 10]: slopes −1.44 and −0.65 → pair 0.
    expect(suggestSteep([1, 2, 20], [3, 2, 0.5])?.index).toBe(0);
    expect(suggestSteep([1], [3])).toBeUndefined();
  });
});

describe('suggestMinimum', () => {
  it('is the rate at the lowest loss ÷ 10 (first one on ties)', () => {
    const suggestion = suggestMinimum(rates(6), [3, 0.5, 4, 1, 0.5, 5]);
    expect(suggestion).toEqual({
      name: 'minimum',
      learningRate: Math.exp(-9) / 10,
      index: 1,
      loss: 0.5,
      pointLearningRate: Math.exp(-9),
    });
  });
});

describe('numpyGradient', () => {
  it('uses one-sided differences at the ends and central ones inside (numpy.gradient)', () => {
    expect(numpyGradient([1, 2, 4, 7])).toEqual([1, 1.5, 2.5, 3]);
  });
});

describe('suggestSlide', () => {
  it('returns lr[n − 1 − 15] when the gradient is the same everywhere (the loop never runs)', () => {
    const losses = Array.from({ length: 20 }, (_, index) => 3 - 0.1 * index);
    expect(suggestSlide(rates(20), losses)?.index).toBe(4);
  });

  it('slides left while |g[r] − g[l]| > 0.005 (worked by hand)', () => {
    // 20 points: flat (gradient 0) up to index 16, then falling 0.1 per step.
    // g = [0 … 0 (0..15), −0.05 (16), −0.1, −0.1, −0.1]; r = −1 (g −0.1) vs l = −16 (index 4, g 0):
    // differ → candidate index 4, then r = −2 vs index 3 … r = −4 (index 16, g −0.05) vs index 1 → still
    // differ, candidate 1; r = −5 (index 15, g 0) vs index 0: equal → stop. Suggestion: lr[1].
    const losses = Array.from({ length: 20 }, (_, index) => (index <= 16 ? 3 : 3 - 0.1 * (index - 16)));
    const expected = [0, 0, -0.05, -0.1, -0.1, -0.1];
    numpyGradient(losses)
      .slice(14)
      .forEach((value, index) => {
        expect(value).toBeCloseTo(expected[index] as number, 12);
      });
    const suggestion = suggestSlide(rates(20), losses);
    expect(suggestion?.index).toBe(1);
    expect(suggestion?.learningRate).toBe(Math.exp(-9));
  });

  it('stops at the first point when the window runs out of curve', () => {
    // Every gradient differs from every other by more than 0.005 (quadratic losses).
    const losses = Array.from({ length: 18 }, (_, index) => index * index);
    expect(suggestSlide(rates(18), losses)?.index).toBe(0);
  });

  it('is undefined with 15 points or fewer (fastai raises an IndexError there)', () => {
    expect(suggestSlide(rates(15), new Array(15).fill(1))).toBeUndefined();
  });
});
