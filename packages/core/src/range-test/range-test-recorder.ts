import { CoreSpecError } from '../core-spec-error.js';
import {
  type LearningRateSuggestion,
  type SuggestionName,
  suggestionNames,
  suggestLearningRates,
  type TrimmedCurve,
  trimRangeTestCurve,
} from './suggest-learning-rates.js';

/** Settings of an exponential learning-rate range test (fastai `lr_find` defaults). */
export interface RangeTestSettings {
  /** First rate; default 1e-7. */
  readonly startLearningRate: number;
  /** The rate the sweep heads for (reached only in the limit, as in fastai); default 10. */
  readonly endLearningRate: number;
  /** Batches (iterations) of the sweep, an integer ≥ 6; default 100. */
  readonly iterations: number;
  /** Smoothing of the debiased moving average of the loss; default 0.98. */
  readonly beta: number;
  /** Stop once the smoothed loss exceeds this factor × its best; default 4. */
  readonly divergenceFactor: number;
  /** Recorded points dropped at the end before suggesting; default 5. */
  readonly skipEnd: number;
}

/** The default settings: fastai's `lr_find(start_lr=1e-7, end_lr=10, num_it=100)`. */
export const defaultRangeTestSettings: RangeTestSettings = {
  startLearningRate: 1e-7,
  endLearningRate: 10,
  iterations: 100,
  beta: 0.98,
  divergenceFactor: 4,
  skipEnd: 5,
};

/** One recorded iteration of a range test. */
export interface RangeTestPoint {
  /** 0-based iteration (batch) of the sweep. */
  readonly iteration: number;
  readonly learningRate: number;
  /** The batch loss (before the step at this rate). */
  readonly loss: number;
  /** Debiased moving average of the losses so far. */
  readonly smoothedLoss: number;
}

/**
 * Why a range test stopped: it ran every iteration (`completed`), its smoothed loss exceeded
 * `divergenceFactor` × its best (`diverged`), or a loss was NaN/±∞ (`non-finite`).
 */
export type RangeTestStop = 'completed' | 'diverged' | 'non-finite';

/** The outcome of a range test's curve: points, why it stopped, the analysed window, suggestions. */
export interface RangeTestCurve {
  readonly settings: RangeTestSettings;
  readonly points: readonly RangeTestPoint[];
  readonly stop: RangeTestStop;
  /** Lowest smoothed loss seen. */
  readonly bestSmoothedLoss: number;
  /** The part the suggestions read (indices into `points`). */
  readonly trimmed: TrimmedCurve;
  readonly suggestions: Partial<Record<SuggestionName, LearningRateSuggestion>>;
}

/**
 * The rate of iteration `i` of an exponential sweep, fastai's `SchedExp` at position i/n:
 * `start · (end/start)^(i/n)` for i = 0 … n − 1 (so the last rate is end^((n−1)/n)·start^(1/n), just
 * short of `end`; fastai's `LRFinder.before_batch` uses `train_iter / num_it`).
 */
export function rangeTestLearningRate(
  startLearningRate: number,
  endLearningRate: number,
  iterations: number,
  iteration: number,
): number {
  return startLearningRate * (endLearningRate / startLearningRate) ** (iteration / iterations);
}

/** Validates range-test settings (partial, e.g. from flags or JSON) and fills fastai's defaults. */
export function resolveRangeTestSettings(input: Partial<RangeTestSettings> = {}): RangeTestSettings {
  const settings = { ...defaultRangeTestSettings, ...input };
  const positive = (field: keyof RangeTestSettings) => {
    const value = settings[field];
    if (typeof value !== 'number' || !Number.isFinite(value) || !(value > 0))
      throw new CoreSpecError(field, 'a finite number > 0', value);
  };
  positive('startLearningRate');
  positive('endLearningRate');
  if (!(settings.endLearningRate > settings.startLearningRate))
    throw new CoreSpecError(
      'endLearningRate',
      `a rate above startLearningRate (${settings.startLearningRate})`,
      settings.endLearningRate,
    );
  if (!Number.isInteger(settings.iterations) || settings.iterations < 6)
    throw new CoreSpecError(
      'iterations',
      'an integer ≥ 6 (fastai raises smaller counts to 6)',
      settings.iterations,
    );
  if (typeof settings.beta !== 'number' || !(settings.beta >= 0 && settings.beta < 1))
    throw new CoreSpecError('beta', 'a number in [0, 1)', settings.beta);
  if (typeof settings.divergenceFactor !== 'number' || !(settings.divergenceFactor > 1))
    throw new CoreSpecError('divergenceFactor', 'a number > 1', settings.divergenceFactor);
  if (!Number.isInteger(settings.skipEnd) || settings.skipEnd < 0)
    throw new CoreSpecError('skipEnd', 'an integer ≥ 0', settings.skipEnd);
  return settings;
}

/**
 * The bookkeeping of a range test without any model: which rate to use next, the debiased moving
 * average (fastai `AvgSmoothLoss`: avg ← β·avg + (1 − β)·loss; smoothed = avg / (1 − β^count)),
 * the stop rules, checked after recording each point in fastai's order (not finite → stop;
 * best ← min(best, smoothed); smoothed > factor·best → stop; n points → stop), and the analysis
 * (trim, suggestions). NaN compares false, so finiteness is tested explicitly: fastai itself keeps
 * going on NaN and cuts the curve there afterwards; here the test stops at once.
 */
export class RangeTestRecorder {
  readonly settings: RangeTestSettings;
  readonly #points: RangeTestPoint[] = [];
  #average = 0;
  #best = Number.POSITIVE_INFINITY;
  #stop: RangeTestStop | undefined;

  constructor(settings: Partial<RangeTestSettings> = {}) {
    this.settings = resolveRangeTestSettings(settings);
  }

  /** 0-based iteration of the next point. */
  get iteration(): number {
    return this.#points.length;
  }

  /** Why the test stopped, once it has. */
  get stop(): RangeTestStop | undefined {
    return this.#stop;
  }

  /** Lowest smoothed loss so far (+∞ before the first point). */
  get bestSmoothedLoss(): number {
    return this.#best;
  }

  /** The points recorded so far. */
  get points(): readonly RangeTestPoint[] {
    return this.#points;
  }

  /** The rate to use for the next batch. */
  nextLearningRate(): number {
    const { startLearningRate, endLearningRate, iterations } = this.settings;
    return rangeTestLearningRate(startLearningRate, endLearningRate, iterations, this.iteration);
  }

  /**
   * Records the loss of the batch just run at `nextLearningRate()`; returns the stop reason when
   * the test must stop now, else undefined.
   *
   * @throws Error when called after the test stopped.
   */
  record(loss: number): RangeTestStop | undefined {
    if (this.#stop) throw new Error(`the range test already stopped (${this.#stop})`);
    const { beta, divergenceFactor, iterations } = this.settings;
    const learningRate = this.nextLearningRate();
    const count = this.#points.length + 1;
    this.#average = beta * this.#average + (1 - beta) * loss;
    const smoothedLoss = this.#average / (1 - beta ** count);
    this.#points.push({ iteration: count - 1, learningRate, loss, smoothedLoss });
    if (!Number.isFinite(loss) || !Number.isFinite(smoothedLoss)) this.#stop = 'non-finite';
    else {
      if (smoothedLoss < this.#best) this.#best = smoothedLoss;
      if (smoothedLoss > divergenceFactor * this.#best) this.#stop = 'diverged';
      else if (count >= iterations) this.#stop = 'completed';
    }
    return this.#stop;
  }

  /** The curve, its analysed window and the suggestions (all four unless `names` says otherwise). */
  result(names: readonly SuggestionName[] = suggestionNames): RangeTestCurve {
    const points = this.#points;
    const trimmed = trimRangeTestCurve(
      points.map((point) => point.learningRate),
      points.map((point) => point.smoothedLoss),
      this.settings.iterations,
      this.settings.skipEnd,
    );
    return {
      settings: this.settings,
      points: [...points],
      stop: this.#stop ?? 'completed',
      bestSmoothedLoss: this.#best,
      trimmed,
      suggestions: suggestLearningRates(trimmed.learningRates, trimmed.losses, names),
    };
  }
}
