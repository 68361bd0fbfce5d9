import type { TopLevelSpec } from 'vega-lite';

/** The data of a range-test plot (plain numbers: what core's range test returns). */
export interface RangeTestChartData {
  readonly points: ReadonlyArray<{
    readonly learningRate: number;
    readonly loss: number;
    readonly smoothedLoss: number;
  }>;
  /** Index range of the analysed points (fastai's trimming); the rest is drawn faded. */
  readonly trimmed?: { readonly start: number; readonly end: number };
  readonly suggestions: ReadonlyArray<{
    readonly name: string;
    readonly learningRate: number;
    readonly loss: number;
    /** Where the marker goes when not at the suggested rate (fastai's `minimum`: at the minimum itself). */
    readonly pointLearningRate?: number;
  }>;
  /** The suggestion the user picked (drawn bold). */
  readonly selected?: string;
}

/**
 * The smoothed loss of a range-test curve at `learningRate`: interpolated linearly in log rate
 * between the two recorded points around it (the nearest end outside the curve); non-finite
 * points are skipped. `NaN` for an empty curve.
 */
export function smoothedLossAt(points: RangeTestChartData['points'], learningRate: number): number {
  const finite = points
    .filter((point) => point.learningRate > 0 && Number.isFinite(point.smoothedLoss))
    .sort((a, b) => a.learningRate - b.learningRate);
  const first = finite[0];
  const last = finite[finite.length - 1];
  if (!first || !last) return Number.NaN;
  if (learningRate <= first.learningRate) return first.smoothedLoss;
  if (learningRate >= last.learningRate) return last.smoothedLoss;
  const upper = finite.findIndex((point) => point.learningRate >= learningRate);
  const right = finite[upper] as (typeof finite)[number];
  const left = finite[upper - 1] as (typeof finite)[number];
  if (right.learningRate === learningRate) return right.smoothedLoss;
  const share = Math.log(learningRate / left.learningRate) / Math.log(right.learningRate / left.learningRate);
  return left.smoothedLoss + share * (right.smoothedLoss - left.smoothedLoss);
}

/**
 * The legend text of a suggestion: its name and rate, and for fastai's `minimum` (a tenth of the
 * rate at the lowest loss) where that minimum is, so the ÷ 10 is never a mystery.
 */
export function suggestionLabel(
  suggestion: RangeTestChartData['suggestions'][number],
  selected?: string,
): string {
  const rate = Number.parseFloat(suggestion.learningRate.toPrecision(3));
  const point = suggestion.pointLearningRate;
  const tenth =
    point !== undefined && point !== suggestion.learningRate
      ? ` = lowest loss at ${Number.parseFloat(point.toPrecision(3))} ÷ 10`
      : '';
  return `${suggestion.name} ${rate}${tenth}${suggestion.name === selected ? ' (chosen)' : ''}`;
}

/** Options of {@link rangeTestChartSpec}. */
export interface RangeTestChartOptions {
  readonly title?: string;
  readonly width?: number;
  readonly height?: number;
}

/**
 * The learning-rate range test plot: smoothed loss against the rate on a log axis (raw batch losses
 * of the analysed window as faint dots, smoothed points outside that window faded), and every
 * suggestion drawn once, at its rate: a vertical rule and a dot on the smoothed curve there
 * ({@link smoothedLossAt}), named with its rate in the legend ({@link suggestionLabel}: `minimum`
 * says it is the lowest loss's rate ÷ 10; the `selected` one drawn thicker, "(chosen)"). The y axis
 * follows the analysed part of the smoothed curve; the blow-up past it is clamped to the top edge.
 * Non-finite losses are left out.
 */
export function rangeTestChartSpec(
  data: RangeTestChartData,
  options: RangeTestChartOptions = {},
): TopLevelSpec {
  const start = data.trimmed?.start ?? 0;
  const end = data.trimmed?.end ?? data.points.length;
  const part = (index: number) => (index < start ? 'before' : index < end ? 'analysed' : 'after');
  const rows = data.points.flatMap((point, index) =>
    Number.isFinite(point.learningRate) && point.learningRate > 0
      ? [
          {
            learningRate: point.learningRate,
            loss: Number.isFinite(point.loss) ? point.loss : null,
            smoothedLoss: Number.isFinite(point.smoothedLoss) ? point.smoothedLoss : null,
            // Each trimmed end shares its boundary point with the analysed part, so the line is unbroken.
            part: part(index),
            analysed: index >= start && index < end,
          },
        ]
      : [],
  );
  const lines = rows.flatMap((row, index) => {
    const next = rows[index + 1];
    if (next && row.part === 'before' && next.part === 'analysed') return [row, { ...row, part: 'analysed' }];
    if (next && row.part === 'analysed' && next.part === 'after') return [row, { ...row, part: 'after' }];
    return [row];
  });
  const analysed = rows
    .filter((row) => row.analysed && row.smoothedLoss !== null)
    .map((row) => row.smoothedLoss as number);
  const low = analysed.length > 0 ? Math.min(...analysed) : 0;
  const high = analysed.length > 0 ? Math.max(...analysed) : 1;
  const margin = Math.max(high - low, 0.05 * Math.abs(high), 1e-6);
  // The y axis follows the analysed smoothed curve: raw losses outside it are left out and the
  // smoothed blow-up beyond it is clamped to the top (resvg cannot render Vega's clip paths).
  const bottom = low - 0.5 * margin;
  const top = high + 0.75 * margin;
  const y = {
    type: 'quantitative',
    title: 'loss',
    scale: { domain: [bottom, top], zero: false, clamp: true },
  } as const;
  const marks = data.suggestions.map((suggestion) => ({
    learningRate: suggestion.learningRate,
    pointLearningRate: suggestion.pointLearningRate ?? suggestion.learningRate,
    // The dot sits on the curve at the suggested rate (for `minimum`, a tenth of the minimum's rate).
    loss: smoothedLossAt(data.points, suggestion.learningRate),
    label: suggestionLabel(suggestion, data.selected),
    selected: suggestion.name === data.selected,
  }));
  const color = {
    field: 'label',
    type: 'nominal',
    title: 'suggestion',
    sort: marks.map((mark) => mark.label),
    legend: { labelLimit: 320 },
  } as const;
  const x = {
    field: 'learningRate',
    type: 'quantitative',
    title: 'learning rate (log)',
    scale: { type: 'log' },
  } as const;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: options.title ?? 'Learning-rate range test (smoothed loss; raw batch losses as dots)',
    width: options.width ?? 520,
    height: options.height ?? 300,
    background: 'white',
    layer: [
      {
        data: {
          values: rows.filter(
            (row) => row.loss !== null && row.analysed && row.loss >= bottom && row.loss <= top,
          ),
        },
        mark: { type: 'circle', size: 10, color: '#999', opacity: 0.5 },
        encoding: { x, y: { ...y, field: 'loss' } },
      },
      {
        data: { values: lines.filter((row) => row.smoothedLoss !== null && row.part !== 'analysed') },
        mark: { type: 'line', strokeWidth: 2, color: '#4c78a8', opacity: 0.3 },
        encoding: { x, y: { ...y, field: 'smoothedLoss' }, detail: { field: 'part' } },
      },
      {
        data: { values: lines.filter((row) => row.smoothedLoss !== null && row.part === 'analysed') },
        mark: { type: 'line', strokeWidth: 2, color: '#4c78a8' },
        encoding: { x, y: { ...y, field: 'smoothedLoss' } },
      },
      {
        data: { values: marks },
        mark: { type: 'rule', strokeDash: [3, 3] },
        encoding: { x, color, strokeWidth: { condition: { test: 'datum.selected', value: 3 }, value: 1 } },
      },
      {
        data: { values: marks },
        mark: { type: 'point', shape: 'circle', size: 90, filled: true, opacity: 1 },
        encoding: { x, y: { ...y, field: 'loss' }, color },
      },
    ],
  } as unknown as TopLevelSpec;
}

/** One attempt of the halving search, as plotted. */
export interface HalvingChartAttempt {
  readonly learningRate: number;
  readonly diverged: boolean;
  readonly losses: readonly number[];
}

/**
 * The halving search plot: the batch loss of every attempt per step, one colour per rate
 * ("lr=10 (diverged)", …, "lr=0.156 (kept)"), on a log loss axis; non-finite losses are left out.
 */
export function halvingChartSpec(
  attempts: readonly HalvingChartAttempt[],
  options: RangeTestChartOptions = {},
): TopLevelSpec {
  const label = (attempt: HalvingChartAttempt) =>
    `lr=${Number.parseFloat(attempt.learningRate.toPrecision(3))} (${attempt.diverged ? 'diverged' : 'kept'})`;
  const values = attempts.flatMap((attempt) =>
    attempt.losses.flatMap((loss, step) =>
      Number.isFinite(loss) && loss > 0 ? [{ attempt: label(attempt), step: step + 1, loss }] : [],
    ),
  );
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: options.title ?? 'Halving search: batch loss of each attempt',
    width: options.width ?? 520,
    height: options.height ?? 300,
    background: 'white',
    data: { values },
    mark: { type: 'line', strokeWidth: 1.5 },
    encoding: {
      x: { field: 'step', type: 'quantitative', title: 'step' },
      y: { field: 'loss', type: 'quantitative', title: 'batch loss (log)', scale: { type: 'log' } },
      color: { field: 'attempt', type: 'nominal', title: 'attempt', sort: attempts.map(label) },
    },
  } as unknown as TopLevelSpec;
}
