/**
 * Learning-rate suggestions from a range-test curve, with fastai's definitions
 * (`fastai/callback/schedule.py`: `valley`, `slide`, `minimum`, `steep`, and `lr_find`'s trimming).
 * Pure functions of plain arrays, so the web app and the CLI share them and tests can feed
 * synthetic curves.
 *
 * fastai's own documentation warns that these numbers are heuristics that fail on some models:
 * always show the curve next to them.
 */

/** The suggestion methods, as fastai names them. */
export type SuggestionName = 'valley' | 'steep' | 'minimum' | 'slide';

/** Every suggestion method, in fastai's order of `SuggestionMethod`. */
export const suggestionNames: readonly SuggestionName[] = ['valley', 'slide', 'minimum', 'steep'];

/** A suggested rate and the point of the (trimmed) curve it was read from. */
export interface LearningRateSuggestion {
  readonly name: SuggestionName;
  /** The suggested learning rate. */
  readonly learningRate: number;
  /** Index into the trimmed curve of the point the suggestion comes from. */
  readonly index: number;
  /** The smoothed loss at that point (for marking it on the plot). */
  readonly loss: number;
  /** The rate of that point: the suggestion itself, except for `minimum` (rate at the minimum, ÷ 10 suggested). */
  readonly pointLearningRate: number;
}

/** The analysed part of a range test: what fastai's `lr_find` hands to its suggestion functions. */
export interface TrimmedCurve {
  /** Index in the recorded curve of the first analysed point. */
  readonly start: number;
  /** Index in the recorded curve one past the last analysed point. */
  readonly end: number;
  readonly learningRates: readonly number[];
  readonly losses: readonly number[];
}

/**
 * fastai `lr_find`'s trimming: keep recorded points `[⌊iterations/10⌋, length − 5)` (note: a tenth
 * of the *requested* iterations, not of the points recorded), then cut at the first NaN loss (here
 * also at ±∞, which fastai leaves in). The result may be empty when the test stopped early.
 *
 * @param skipEnd points dropped at the end; default 5 (fastai's `[:-5]`).
 */
export function trimRangeTestCurve(
  learningRates: readonly number[],
  losses: readonly number[],
  iterations: number,
  skipEnd = 5,
): TrimmedCurve {
  const start = Math.floor(iterations / 10);
  let end = Math.max(start, losses.length - skipEnd);
  for (let index = start; index < end; index += 1) {
    if (!Number.isFinite(losses[index])) {
      end = index;
      break;
    }
  }
  return {
    start,
    end,
    learningRates: learningRates.slice(start, end),
    losses: losses.slice(start, end),
  };
}

/** Python's `seq[index]`: negative indices count from the end. */
function pythonIndex(length: number, index: number): number {
  return index < 0 ? length + index : index;
}

function point(
  name: SuggestionName,
  learningRates: readonly number[],
  losses: readonly number[],
  index: number,
  learningRate = learningRates[index] as number,
): LearningRateSuggestion {
  return {
    name,
    learningRate,
    index,
    loss: losses[index] as number,
    pointLearningRate: learningRates[index] as number,
  };
}

/**
 * fastai `valley`: the longest run of decreasing losses (a longest decreasing subsequence by
 * dynamic programming: `lds[i]` = 1 + max `lds[j]` over j < i with loss[j] > loss[i]), ending at
 * `maxEnd` and starting at `maxStart = maxEnd − lds[maxEnd]`; the suggestion is the point
 * `maxStart + ⌊(maxEnd − maxStart)/3⌋ + ⌊(maxEnd − maxStart)/6⌋` (two-thirds of the way down the
 * valley's first half). Kept exactly, including fastai's `maxStart` being one before the run's
 * first point (−1 when the curve decreases from its very first point); a negative index reads
 * from the end, as in Python. Undefined for an empty curve.
 */
export function suggestValley(
  learningRates: readonly number[],
  losses: readonly number[],
): LearningRateSuggestion | undefined {
  const count = losses.length;
  if (count === 0) return undefined;
  let maxStart = 0;
  let maxEnd = 0;
  const lengths = new Array<number>(count).fill(1);
  for (let i = 1; i < count; i += 1) {
    for (let j = 0; j < i; j += 1) {
      if (
        (losses[i] as number) < (losses[j] as number) &&
        (lengths[i] as number) < (lengths[j] as number) + 1
      )
        lengths[i] = (lengths[j] as number) + 1;
      if ((lengths[maxEnd] as number) < (lengths[i] as number)) {
        maxEnd = i;
        maxStart = maxEnd - (lengths[maxEnd] as number);
      }
    }
  }
  const sections = (maxEnd - maxStart) / 3;
  const index = pythonIndex(count, maxStart + Math.trunc(sections) + Math.trunc(sections / 2));
  return point('valley', learningRates, losses, index);
}

/**
 * fastai `steep`: the rate where the loss falls fastest against log rate: the left point of the
 * pair minimising `(loss[i+1] − loss[i]) / (ln lr[i+1] − ln lr[i])` (first such pair on ties).
 * Undefined with fewer than two points.
 */
export function suggestSteep(
  learningRates: readonly number[],
  losses: readonly number[],
): LearningRateSuggestion | undefined {
  let best = -1;
  let bestSlope = Number.POSITIVE_INFINITY;
  for (let index = 0; index + 1 < losses.length; index += 1) {
    const slope =
      ((losses[index + 1] as number) - (losses[index] as number)) /
      (Math.log(learningRates[index + 1] as number) - Math.log(learningRates[index] as number));
    if (best < 0 || slope < bestSlope) {
      best = index;
      bestSlope = slope;
    }
  }
  return best < 0 ? undefined : point('steep', learningRates, losses, best);
}

/**
 * fastai `minimum`: one tenth of the rate at the lowest loss (first one on ties), "the minimum
 * before divergence ÷ 10". The marked point is the minimum itself. Undefined for an empty curve.
 */
export function suggestMinimum(
  learningRates: readonly number[],
  losses: readonly number[],
): LearningRateSuggestion | undefined {
  if (losses.length === 0) return undefined;
  let best = 0;
  for (let index = 1; index < losses.length; index += 1)
    if ((losses[index] as number) < (losses[best] as number)) best = index;
  return point('minimum', learningRates, losses, best, (learningRates[best] as number) / 10);
}

/** numpy `gradient` with unit spacing: central differences inside, one-sided at both ends. */
export function numpyGradient(values: readonly number[]): number[] {
  const count = values.length;
  if (count < 2) return values.map(() => 0);
  return values.map((value, index) => {
    if (index === 0) return (values[1] as number) - value;
    if (index === count - 1) return value - (values[index - 1] as number);
    return ((values[index + 1] as number) - (values[index - 1] as number)) / 2;
  });
}

/**
 * fastai `slide` (interval slide rule): with `g` = numpy.gradient(losses) over the index, a window
 * of `lrDiff` (15) points slides left from the end, `r` = −1, `l` = r − lrDiff; while
 * `l ≥ −n` and |g[r] − g[l]| > `threshold` (0.005) the candidate becomes lr[l] and both move one
 * left. The suggestion is the last candidate (initially lr[−1 − lrDiff]) × `adjustValue` (1).
 * Undefined when the curve has at most `lrDiff` points (fastai raises an IndexError there).
 */
export function suggestSlide(
  learningRates: readonly number[],
  losses: readonly number[],
  options: { readonly lrDiff?: number; readonly threshold?: number; readonly adjustValue?: number } = {},
): LearningRateSuggestion | undefined {
  const lrDiff = options.lrDiff ?? 15;
  const threshold = options.threshold ?? 0.005;
  const adjustValue = options.adjustValue ?? 1;
  const count = losses.length;
  if (count <= lrDiff) return undefined;
  const gradient = numpyGradient(losses);
  let right = -1;
  let left = right - lrDiff;
  let candidate = count + left;
  while (
    left >= -count &&
    Math.abs(
      (gradient[pythonIndex(count, right)] as number) - (gradient[pythonIndex(count, left)] as number),
    ) > threshold
  ) {
    candidate = count + left;
    right -= 1;
    left -= 1;
  }
  return point('slide', learningRates, losses, candidate, (learningRates[candidate] as number) * adjustValue);
}

/**
 * Runs the named suggestion functions on a trimmed curve; a method that cannot decide on this
 * curve (too few points) is left out.
 */
export function suggestLearningRates(
  learningRates: readonly number[],
  losses: readonly number[],
  names: readonly SuggestionName[] = suggestionNames,
): Partial<Record<SuggestionName, LearningRateSuggestion>> {
  const functions: Record<
    SuggestionName,
    (rates: readonly number[], values: readonly number[]) => LearningRateSuggestion | undefined
  > = { valley: suggestValley, steep: suggestSteep, minimum: suggestMinimum, slide: suggestSlide };
  const suggestions: Partial<Record<SuggestionName, LearningRateSuggestion>> = {};
  for (const name of names) {
    const suggestion = functions[name](learningRates, losses);
    if (suggestion) suggestions[name] = suggestion;
  }
  return suggestions;
}
