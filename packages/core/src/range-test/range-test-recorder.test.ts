import { describe, expect, it } from 'vitest';
import { RangeTestRecorder, rangeTestLearningRate, resolveRangeTestSettings } from './range-test-recorder.js';

/** Feeds `loss(i, lr)` to a recorder until it stops. */
function sweep(loss: (iteration: number, learningRate: number) => number, settings = {}) {
  const recorder = new RangeTestRecorder(settings);
  while (recorder.record(loss(recorder.iteration, recorder.nextLearningRate())) === undefined);
  return recorder;
}

// Synthetic curves, the same functions as the reference script that produced the expected numbers
// (a Python transcription of fastai's LRFinder loop, AvgSmoothLoss, lr_find trimming and the four
// suggestion functions from fastai/callback/schedule.py, in float64).
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

  it('matches fastai on a typical curve (100 iterations, 1e-7 → 10)', () => {
    const result = sweep(typical).result();
    expect(result.stop).toBe('completed');
    expect(result.points).toHaveLength(100);
    expect(result.points[0]?.smoothedLoss).toBeCloseTo(2.2999739865013225, 12);
    expect(result.points[1]?.smoothedLoss).toBeCloseTo(2.309925420153087, 12);
    expect([result.trimmed.start, result.trimmed.end]).toEqual([10, 95]);
    const { valley, steep, minimum, slide } = result.suggestions;
    expect(valley?.index).toBe(44);
    expect(valley?.learningRate).toBeCloseTo(0.0020892961308540407, 14);
    expect(steep?.index).toBe(56);
    expect(steep?.learningRate).toBeCloseTo(0.019054607179632484, 14);
    expect(minimum?.index).toBe(77);
    expect(minimum?.learningRate).toBeCloseTo(0.09120108393559095, 14);
    expect(slide?.index).toBe(52);
    expect(slide?.learningRate).toBeCloseTo(0.009120108393559097, 14);
  });

  it('matches fastai on a curve that blows up: stops at 4× best, then trims the last 5', () => {
    const result = sweep(exploding).result();
    expect(result.stop).toBe('diverged');
    expect(result.points).toHaveLength(92);
    expect(result.points.at(-1)?.smoothedLoss).toBeCloseTo(7.601200552536696, 10);
    expect(result.points.at(-1)?.learningRate).toBeCloseTo(1.9054607179632481, 12);
    expect([result.trimmed.start, result.trimmed.end]).toEqual([10, 87]);
    const { valley, steep, minimum, slide } = result.suggestions;
    expect([valley?.index, steep?.index, minimum?.index, slide?.index]).toEqual([41, 56, 71, 51]);
    expect(valley?.learningRate).toBeCloseTo(0.001202264434617413, 14);
    expect(minimum?.learningRate).toBeCloseTo(0.03019951720402019, 14);
    expect(slide?.learningRate).toBeCloseTo(0.007585775750291836, 14);
  });

  it('matches fastai on a straight fall (valley with maxStart −1)', () => {
    const result = sweep((iteration) => 3 - 0.02 * iteration, { iterations: 40 }).result();
    expect([result.trimmed.start, result.trimmed.end]).toEqual([4, 35]);
    const { valley, steep, minimum, slide } = result.suggestions;
    expect([valley?.index, steep?.index, minimum?.index, slide?.index]).toEqual([14, 29, 30, 15]);
    expect(valley?.learningRate).toBeCloseTo(0.0003981071705534973, 16);
    expect(steep?.learningRate).toBeCloseTo(0.3981071705534969, 14);
  });
});
