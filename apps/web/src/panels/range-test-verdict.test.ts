import { describe, expect, it } from 'vitest';
import { withheldSuggestionsReason } from './range-test-verdict.js';

const settings = { startLearningRate: 1e-5, endLearningRate: 10, iterations: 400 };

/** An exponential sweep's points with the given smoothed losses. */
function points(losses: readonly number[]) {
  return losses.map((smoothedLoss, iteration) => ({
    iteration,
    learningRate: 1e-5 * 1e6 ** (iteration / settings.iterations),
    loss: smoothedLoss,
    smoothedLoss,
  }));
}

describe('withheldSuggestionsReason', () => {
  it('withholds a test stopped after 71 of 400 batches on a flat curve (2.31 ± 0.01)', () => {
    const flat = points(Array.from({ length: 71 }, (_, index) => 2.31 + (index % 2 === 0 ? 0.01 : -0.01)));
    // Rate of batch 70: 1e-5 × 1e6^(70/400) = 1.12e-4; covered log share 6 × 70/400 / 6 = 17.5 % → 18 %.
    expect(withheldSuggestionsReason({ interrupted: true, points: flat, settings })).toBe(
      'Not enough of the curve to suggest a rate: stopped after 71 of 400 batches, at rate 0.000112 — 18 % of the way (log scale) from 0.00001 to 10. Run it to the end, or until the loss blows up.',
    );
  });

  it('withholds a stopped curve past half the rates that is still flat, not a completed one', () => {
    const flat = points(Array.from({ length: 400 }, () => 2.3));
    expect(withheldSuggestionsReason({ interrupted: true, points: flat.slice(0, 300), settings })).toBe(
      'Not enough of the curve to suggest a rate: the smoothed loss never fell by 10 % (2.300 at first, lowest 2.300). Run it further.',
    );
    // A test that ran to the end (or stopped itself on divergence) keeps fastai's suggestions.
    expect(withheldSuggestionsReason({ interrupted: false, points: flat, settings })).toBeUndefined();
  });

  it('keeps a completed curve that falls, and a stopped one past half the rates', () => {
    const falling = points(Array.from({ length: 400 }, (_, index) => 2.3 - index / 400));
    expect(withheldSuggestionsReason({ interrupted: false, points: falling, settings })).toBeUndefined();
    // 201 of 400 batches: covered 200/400 = 50 %.
    expect(
      withheldSuggestionsReason({ interrupted: true, points: falling.slice(0, 201), settings }),
    ).toBeUndefined();
    expect(withheldSuggestionsReason({ interrupted: true, points: falling.slice(0, 150), settings })).toMatch(
      /stopped after 150 of 400 batches/,
    );
  });
});
