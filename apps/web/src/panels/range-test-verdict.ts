import type { RangeTestResult } from '@contour/core';

/** Share of the planned log-rate range a stopped test must cover before its suggestions count. */
export const minimumCoveredShare = 0.5;
/** Share by which the smoothed loss must fall from its start before the curve says anything. */
export const minimumLossFall = 0.1;

/**
 * Why a range test's suggestions must not be offered, or undefined when they may. A test that ran
 * to the end, or stopped itself because the loss blew up, covered the curve: its suggestions are
 * fastai's. A test stopped by the user must have covered half the planned rates (in log scale)
 * and seen its smoothed loss fall by 10 %: before that the curve is flat, with no valley, slide or
 * steep part, and any "suggestion" is noise.
 */
export function withheldSuggestionsReason(result: {
  readonly interrupted: boolean;
  readonly points: RangeTestResult['points'];
  readonly settings: Pick<
    RangeTestResult['settings'],
    'startLearningRate' | 'endLearningRate' | 'iterations'
  >;
}): string | undefined {
  const { points, settings } = result;
  const first = points[0];
  const last = points[points.length - 1];
  if (!first || !last) return 'Not enough of the curve to suggest a rate: no batch was recorded.';
  const planned = Math.log(settings.endLearningRate / settings.startLearningRate);
  const covered = Math.log(last.learningRate / settings.startLearningRate) / planned;
  if (result.interrupted && covered < minimumCoveredShare) {
    return `Not enough of the curve to suggest a rate: stopped after ${points.length} of ${settings.iterations} batches, at rate ${last.learningRate.toPrecision(3)} — ${Math.round(100 * covered)} % of the way (log scale) from ${settings.startLearningRate} to ${settings.endLearningRate}. Run it to the end, or until the loss blows up.`;
  }
  if (!result.interrupted) return undefined;
  const finite = points.map((point) => point.smoothedLoss).filter(Number.isFinite);
  const start = finite[0];
  const lowest = Math.min(...finite);
  if (start === undefined || !(lowest <= start * (1 - minimumLossFall))) {
    return `Not enough of the curve to suggest a rate: the smoothed loss never fell by ${100 * minimumLossFall} % (${start?.toPrecision(4) ?? '—'} at first, lowest ${Number.isFinite(lowest) ? lowest.toPrecision(4) : '—'}). Run it further.`;
  }
  return undefined;
}
