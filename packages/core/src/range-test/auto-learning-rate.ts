import type { JsonValue } from '@contour/metrics-logger';
import { CoreSpecError } from '../core-spec-error.js';
import type { RangeTestCurve } from './range-test-recorder.js';

/**
 * The usable region of a range-test curve: from the rate where the smoothed loss has started to
 * fall to the rate where it is lowest (past it the loss turns up and soon diverges).
 */
export interface UsableRegion {
  /** Index into the trimmed curve where the loss has fallen by `startFraction` of its whole drop. */
  readonly startIndex: number;
  /** Index into the trimmed curve of the lowest smoothed loss. */
  readonly endIndex: number;
  readonly startLearningRate: number;
  readonly endLearningRate: number;
  /** Smoothed loss at the start of the trimmed curve, and at its minimum. */
  readonly initialLoss: number;
  readonly minimumLoss: number;
}

/** Settings of the auto rule; the defaults are the ones the benchmark supports. */
export interface AutoRuleSettings {
  /** Share of the whole drop (initial − minimum) the loss must have fallen to mark where the region starts. */
  readonly startFraction: number;
  /** The chosen rate divides the region's end (the minimum's rate) by this. */
  readonly divisor: number;
}

/** Defaults of {@link chooseLearningRate}. */
export const defaultAutoRuleSettings: AutoRuleSettings = { startFraction: 0.1, divisor: 10 };

/** The rate one curve gives, with the region it was read from (or why there is none). */
export interface CurveChoice {
  readonly learningRate: number | undefined;
  readonly region: UsableRegion | undefined;
  /** Why no rate (too short, or flat), when `learningRate` is undefined. */
  readonly problem?: string;
}

/** What {@link chooseLearningRate} returns: the rate, the rule, each curve's choice and the spread. */
export interface AutoLearningRate {
  /** The chosen rate: the median (in log space) of the curves' rates. */
  readonly learningRate: number;
  /** The rule in one line (for records and reports). */
  readonly rule: string;
  readonly settings: AutoRuleSettings;
  /** One entry per curve given (e.g. per seed), in order. */
  readonly seeds: readonly CurveChoice[];
  /** Largest ÷ smallest of the curves' rates (1 for one curve). */
  readonly spread: number;
  /** The curve whose rate is the median (its region is the one reported). */
  readonly medianIndex: number;
  /** The median curve's usable region. */
  readonly region: UsableRegion;
  /** One line: why this rate. */
  readonly explanation: string;
}

/**
 * The usable region of a trimmed range-test curve (the points the suggestions read): its end is
 * the lowest smoothed loss; its start the first point before it whose loss is below
 * `initial − startFraction·(initial − minimum)`. Undefined when the curve has fewer than 3 points
 * or never falls (its minimum is its first point).
 */
export function findUsableRegion(
  learningRates: readonly number[],
  losses: readonly number[],
  startFraction = defaultAutoRuleSettings.startFraction,
): UsableRegion | undefined {
  if (losses.length < 3) return undefined;
  let endIndex = 0;
  for (let index = 1; index < losses.length; index += 1)
    if ((losses[index] as number) < (losses[endIndex] as number)) endIndex = index;
  const initialLoss = losses[0] as number;
  const minimumLoss = losses[endIndex] as number;
  if (endIndex === 0 || !(initialLoss > minimumLoss)) return undefined;
  const threshold = initialLoss - startFraction * (initialLoss - minimumLoss);
  let startIndex = endIndex;
  for (let index = 0; index <= endIndex; index += 1)
    if ((losses[index] as number) < threshold) {
      startIndex = index;
      break;
    }
  return {
    startIndex,
    endIndex,
    startLearningRate: learningRates[startIndex] as number,
    endLearningRate: learningRates[endIndex] as number,
    initialLoss,
    minimumLoss,
  };
}

/** The rate one curve gives under the rule: its usable region's end ÷ `divisor`, not below its start. */
export function chooseCurveLearningRate(
  curve: Pick<RangeTestCurve, 'trimmed'>,
  settings: AutoRuleSettings = defaultAutoRuleSettings,
): CurveChoice {
  const { learningRates, losses } = curve.trimmed;
  if (losses.length < 3)
    return {
      learningRate: undefined,
      region: undefined,
      problem: 'the analysed curve has fewer than 3 points',
    };
  const region = findUsableRegion(learningRates, losses, settings.startFraction);
  if (!region)
    return { learningRate: undefined, region: undefined, problem: 'the smoothed loss never falls' };
  return {
    learningRate: Math.max(region.endLearningRate / settings.divisor, region.startLearningRate),
    region,
  };
}

function validate(settings: AutoRuleSettings): void {
  if (!(settings.startFraction > 0 && settings.startFraction < 1))
    throw new CoreSpecError('startFraction', 'a number in (0, 1)', settings.startFraction);
  if (!(settings.divisor >= 1 && Number.isFinite(settings.divisor)))
    throw new CoreSpecError('divisor', 'a finite number ≥ 1', settings.divisor);
}

/** 3 significant digits, as rates are printed. */
function rateText(rate: number): string {
  return String(Number.parseFloat(rate.toPrecision(3)));
}

/**
 * Contour's auto rule. Rule and evidence: see the package README ("Auto learning rate").
 *
 * @throws CoreSpecError (`curves`) when no curve has a usable region; (`startFraction`, `divisor`)
 *   for bad settings.
 */
export function chooseLearningRate(
  curves: readonly Pick<RangeTestCurve, 'trimmed'>[],
  options: Partial<AutoRuleSettings> = {},
): AutoLearningRate {
  const settings = { ...defaultAutoRuleSettings, ...options };
  validate(settings);
  const seeds = curves.map((curve) => chooseCurveLearningRate(curve, settings));
  const usable = seeds
    .map((choice, index) => ({ choice, index }))
    .filter((item) => item.choice.learningRate !== undefined)
    .sort((a, b) => (a.choice.learningRate as number) - (b.choice.learningRate as number));
  if (usable.length === 0)
    throw new CoreSpecError(
      'curves',
      'at least one range test whose smoothed loss falls (widen the sweep or add iterations)',
      seeds.map((choice) => choice.problem).join('; ') || 'no curves',
    );
  // The median in log space: the middle one, or the geometric mean of the middle two.
  const middle = (usable.length - 1) / 2;
  const low = usable[Math.floor(middle)] as (typeof usable)[number];
  const high = usable[Math.ceil(middle)] as (typeof usable)[number];
  const learningRate = Math.sqrt((low.choice.learningRate as number) * (high.choice.learningRate as number));
  const rates = usable.map((item) => item.choice.learningRate as number);
  const spread = (rates.at(-1) as number) / (rates[0] as number);
  const region = low.choice.region as UsableRegion;
  const rule = `per range test: the rate at the lowest smoothed loss ÷ ${settings.divisor}, kept inside the usable region (from where the loss has fallen ${settings.startFraction * 100}% of its drop to its lowest); the median over ${curves.length} range test(s)`;
  const clamped = region.startLearningRate > region.endLearningRate / settings.divisor;
  const seedsText =
    usable.length > 1 ? `, median of ${usable.length} seeds (spread ×${spread.toFixed(2)})` : '';
  const explanation = `lr ${rateText(learningRate)} = ${
    low !== high
      ? `geometric mean of the two middle seeds' rates ${rateText(low.choice.learningRate as number)} and ${rateText(high.choice.learningRate as number)} (each: lowest smoothed loss ÷ ${settings.divisor})`
      : clamped
        ? `where the loss starts falling (lowest smoothed loss at ${rateText(region.endLearningRate)} ÷ ${settings.divisor} is below it)`
        : `lowest smoothed loss at ${rateText(region.endLearningRate)} ÷ ${settings.divisor}`
  }${seedsText}; usable region ${rateText(region.startLearningRate)} → ${rateText(region.endLearningRate)} (smoothed loss ${region.initialLoss.toFixed(3)} → ${region.minimumLoss.toFixed(3)})`;
  return {
    learningRate,
    rule,
    settings,
    seeds,
    spread,
    medianIndex: low.index,
    region,
    explanation,
  };
}

/**
 * `count` rates on a log grid centred on the automatic rate and spanning the median curve's usable
 * region (half-width = the larger of centre ÷ region start and region end ÷ centre, in log space),
 * so the grid brackets the good rate by construction: the first rate is at or below where the loss
 * starts falling, the last at or above its minimum. Rates are rounded to 3 significant digits;
 * ascending.
 *
 * @throws CoreSpecError (`count`) unless an integer in 1..50.
 */
export function autoSweepLearningRates(
  auto: Pick<AutoLearningRate, 'learningRate' | 'region'>,
  count: number,
): number[] {
  if (!Number.isInteger(count) || count < 1 || count > 50)
    throw new CoreSpecError('count', 'an integer in 1..50', count);
  const centre = Math.log10(auto.learningRate);
  if (count === 1) return [Number(auto.learningRate.toPrecision(3))];
  const halfWidth = Math.max(
    centre - Math.log10(auto.region.startLearningRate),
    Math.log10(auto.region.endLearningRate) - centre,
  );
  return Array.from({ length: count }, (_, index) =>
    Number((10 ** (centre - halfWidth + (2 * halfWidth * index) / (count - 1))).toPrecision(3)),
  );
}

/** Update rules that scale each step by running gradient statistics: they get a warm-up. */
const adaptiveOptimizers = new Set([
  'adagrad',
  'rmsprop',
  'adadelta',
  'adam',
  'adamw',
  'rprop',
  'localGains',
]);

/**
 * The schedule of `--schedule auto` with peak `learningRate` over `totalSteps`:
 * - SGD (with or without momentum): fastai's `fit_one_cycle` — one-cycle with 25 % warm-up
 *   (`pctStart` 0.25), from peak/25 up to the peak and cosine down to peak/(25·10⁵).
 * - adaptive rules (Adam, AdamW, RMSprop, Adagrad, Adadelta, Rprop, local gains): a linear warm-up
 *   from 0 over the first 10 % of the steps (their moment estimates are poor at first), then
 *   cosine decay to 0 over the rest.
 */
export function autoScheduleSpec(
  optimizerType: string,
  learningRate: number,
  totalSteps: number,
): Record<string, JsonValue> {
  if (!Number.isInteger(totalSteps) || totalSteps < 2)
    throw new CoreSpecError('totalSteps', 'an integer ≥ 2', totalSteps);
  if (!adaptiveOptimizers.has(optimizerType))
    return {
      type: 'oneCycle',
      maxLr: learningRate,
      totalSteps,
      pctStart: 0.25,
      divFactor: 25,
      finalDivFactor: 1e5,
    };
  const warmupSteps = Math.max(1, Math.round(totalSteps / 10));
  return {
    type: 'warmup',
    lr: learningRate,
    steps: warmupSteps,
    schedule: { type: 'cosine', tMax: totalSteps - warmupSteps, etaMin: 0 },
  };
}
