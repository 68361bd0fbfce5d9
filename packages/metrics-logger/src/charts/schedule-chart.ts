import type { TopLevelSpec } from 'vega-lite';

/** One curve of a schedule chart: a label and the rate at t = 0..n−1. */
export interface ScheduleSeries {
  readonly label: string;
  readonly rates: readonly number[];
}

/** Options of `scheduleChartSpec`. */
export interface ScheduleChartOptions {
  readonly title?: string;
  /** Log-scaled rate axis (zero rates are dropped from a log plot). */
  readonly logScale?: boolean;
  /** What t counts, for the x-axis title. */
  readonly unit?: 'step' | 'epoch';
  readonly width?: number;
  readonly height?: number;
}

/** Vega-Lite spec of learning rate against t, one coloured line per series (CLI and web app). */
export function scheduleChartSpec(
  series: readonly ScheduleSeries[],
  options: ScheduleChartOptions = {},
): TopLevelSpec {
  const values = series.flatMap(({ label, rates }) =>
    rates.flatMap((rate, t) => (options.logScale && rate <= 0 ? [] : [{ schedule: label, t, rate }])),
  );
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: options.title ?? 'Learning rate schedule',
    width: options.width ?? 640,
    height: options.height ?? 320,
    background: 'white',
    data: { values },
    mark: { type: 'line', interpolate: 'step-after', strokeWidth: 2 },
    encoding: {
      x: { field: 't', type: 'quantitative', title: options.unit === 'epoch' ? 'epoch t' : 'step t' },
      y: {
        field: 'rate',
        type: 'quantitative',
        title: 'learning rate',
        scale: options.logScale ? { type: 'log' } : { zero: true },
      },
      color: {
        field: 'schedule',
        type: 'nominal',
        title: null,
        legend: series.length > 1 ? { orient: 'top', labelLimit: 360, columns: 3 } : null,
      },
    },
  };
}
