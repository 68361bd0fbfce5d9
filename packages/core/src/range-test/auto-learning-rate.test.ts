import { describe, expect, it } from 'vitest';
import {
  autoScheduleSpec,
  autoSweepLearningRates,
  chooseCurveLearningRate,
  chooseLearningRate,
  findUsableRegion,
} from './auto-learning-rate.js';

/** A hand-made trimmed curve: rates 10^(-6 + i/10), losses given point by point. */
function curve(losses: readonly number[], firstExponent = -6) {
  const learningRates = losses.map((_, index) => 10 ** (firstExponent + index / 10));
  return { trimmed: { start: 0, end: losses.length, learningRates, losses } };
}

/** Flat at 2.3 for `flat` points, falling linearly to `minimum` over `fall` points, then rising. */
function valleyCurve(flat: number, fall: number, rise: number, minimum = 1.3): number[] {
  const losses: number[] = [];
  for (let index = 0; index < flat; index += 1) losses.push(2.3);
  for (let index = 1; index <= fall; index += 1) losses.push(2.3 - ((2.3 - minimum) * index) / fall);
  for (let index = 1; index <= rise; index += 1) losses.push(minimum + 0.5 * index);
  return losses;
}

describe('findUsableRegion', () => {
  it('runs from where the loss has fallen by startFraction of its drop to its lowest point', () => {
    // 20 flat points, then 10 falling by 0.1 each to 1.3 at index 29, then rising.
    const { learningRates, losses } = curve(valleyCurve(20, 10, 5)).trimmed;
    const region = findUsableRegion(learningRates, losses, 0.15);
    // Threshold 2.3 − 0.15·1.0 = 2.15: index 20 has 2.2, index 21 has 2.1.
    expect(region).toMatchObject({ startIndex: 21, endIndex: 29, initialLoss: 2.3, minimumLoss: 1.3 });
    expect(region?.startLearningRate).toBeCloseTo(10 ** (-6 + 2.1), 12);
    expect(region?.endLearningRate).toBeCloseTo(10 ** (-6 + 2.9), 12);
    // startFraction 0.45: the first point below 1.85 is index 24 (1.8).
    expect(findUsableRegion(learningRates, losses, 0.45)?.startIndex).toBe(24);
  });
  it('is undefined for a curve that never falls or is too short', () => {
    expect(findUsableRegion([1, 2, 3], [2, 2.1, 2.5])).toBeUndefined();
    expect(findUsableRegion([1, 2], [2, 1])).toBeUndefined();
  });
});

describe('chooseCurveLearningRate', () => {
  it('is the rate at the lowest smoothed loss ÷ 10', () => {
    const choice = chooseCurveLearningRate(curve(valleyCurve(20, 30, 5)));
    // Lowest loss at index 49: rate 10^(-6 + 4.9); ÷ 10 = 10^(-2.1), inside the region (starts at index 23).
    expect(choice.learningRate).toBeCloseTo(10 ** -2.1, 12);
    expect(choice.region?.startIndex).toBe(23);
  });
  it('never goes below where the loss starts falling (a sharp valley)', () => {
    // Falls over 3 points only (1.967, 1.633, 1.3 at indices 40–42): the region is 0.2 decades
    // wide, narrower than ÷ 10, so the rate is the region's start, 10^(−6 + 4.0).
    const choice = chooseCurveLearningRate(curve(valleyCurve(40, 3, 5)));
    expect(choice.region).toMatchObject({ startIndex: 40, endIndex: 42 });
    expect(choice.learningRate).toBeCloseTo(10 ** -2, 12);
  });
  it('names the problem of a flat curve', () => {
    expect(chooseCurveLearningRate(curve([2, 2, 2, 2]))).toEqual({
      learningRate: undefined,
      region: undefined,
      problem: 'the smoothed loss never falls',
    });
  });
});

describe('chooseLearningRate', () => {
  it('takes the median of the seeds (in log space) and reports their spread', () => {
    // Lowest losses at 10^-1.1, 10^-0.6 and 10^-1.6 → rates 10^-2.1, 10^-1.6, 10^-2.6.
    const curves = [valleyCurve(20, 30, 5), valleyCurve(20, 35, 5), valleyCurve(20, 25, 5)].map((losses) =>
      curve(losses),
    );
    const auto = chooseLearningRate(curves);
    expect(auto.learningRate).toBeCloseTo(10 ** -2.1, 12);
    expect(auto.medianIndex).toBe(0);
    expect(auto.spread).toBeCloseTo(10, 9);
    expect(auto.seeds.map((seed) => seed.learningRate)).toEqual([
      expect.closeTo(10 ** -2.1, 12),
      expect.closeTo(10 ** -1.6, 12),
      expect.closeTo(10 ** -2.6, 12),
    ]);
    expect(auto.explanation).toMatch(
      /^lr 0\.00794 = lowest smoothed loss at 0\.0794 ÷ 10, median of 3 seeds \(spread ×10\.00\)/,
    );
  });
  it('leaves out curves that cannot decide; two left give their geometric mean', () => {
    const auto = chooseLearningRate([
      curve(valleyCurve(20, 30, 5)),
      curve([2, 2, 2, 2]),
      curve(valleyCurve(20, 20, 5)),
    ]);
    // Lowest losses at 10^-1.1 and 10^-2.1: rates 10^-2.1 and 10^-3.1.
    expect(auto.learningRate).toBeCloseTo(Math.sqrt(10 ** -2.1 * 10 ** -3.1), 12);
    expect(auto.explanation).toMatch(/geometric mean of the two middle seeds' rates 0\.000794 and 0\.00794/);
    expect(auto.seeds[1]?.problem).toBe('the smoothed loss never falls');
  });
  it('follows its settings and refuses bad ones or curves without a usable region', () => {
    expect(chooseLearningRate([curve(valleyCurve(20, 30, 5))], { divisor: 4 }).learningRate).toBeCloseTo(
      10 ** -1.1 / 4,
      12,
    );
    expect(() => chooseLearningRate([curve([2, 2, 2])])).toThrow(/curves/);
    expect(() => chooseLearningRate([], {})).toThrow(/curves/);
    expect(() => chooseLearningRate([curve(valleyCurve(20, 30, 5))], { divisor: 0.5 })).toThrow(/divisor/);
    expect(() => chooseLearningRate([curve(valleyCurve(20, 30, 5))], { startFraction: 1 })).toThrow(
      /startFraction/,
    );
  });
});

describe('autoSweepLearningRates', () => {
  it('centres a log grid on the rate and spans the usable region', () => {
    const auto = { learningRate: 0.1, region: { startLearningRate: 0.001, endLearningRate: 1 } };
    expect(autoSweepLearningRates(auto as never, 5)).toEqual([0.001, 0.01, 0.1, 1, 10]);
    // Half-width = the wider side: end ÷ centre = 10 (1 decade) vs centre ÷ start = 2.
    const narrow = { learningRate: 0.1, region: { startLearningRate: 0.05, endLearningRate: 1 } };
    expect(autoSweepLearningRates(narrow as never, 3)).toEqual([0.01, 0.1, 1]);
    expect(autoSweepLearningRates(narrow as never, 1)).toEqual([0.1]);
    expect(() => autoSweepLearningRates(narrow as never, 0)).toThrow(/count/);
    expect(() => autoSweepLearningRates(narrow as never, 2.5)).toThrow(/count/);
  });
});

describe('autoScheduleSpec', () => {
  it("is fastai's one-cycle for SGD and a warm-up + cosine for adaptive rules", () => {
    expect(autoScheduleSpec('sgd', 0.2, 1000)).toEqual({
      type: 'oneCycle',
      maxLr: 0.2,
      totalSteps: 1000,
      pctStart: 0.25,
      divFactor: 25,
      finalDivFactor: 1e5,
    });
    expect(autoScheduleSpec('adam', 0.003, 1000)).toEqual({
      type: 'warmup',
      lr: 0.003,
      steps: 100,
      schedule: { type: 'cosine', tMax: 900, etaMin: 0 },
    });
    expect(() => autoScheduleSpec('adam', 0.003, 1)).toThrow(/totalSteps/);
  });
});
