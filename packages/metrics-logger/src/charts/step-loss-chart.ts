import type { TopLevelSpec } from 'vega-lite';
import type { MetricsRecord } from '../records.js';

/** One run's training loss per step, labelled for a legend (e.g. "lr=0.5"). */
export interface StepLossSeries {
  readonly label: string;
  readonly records: readonly MetricsRecord[];
}

/** Options of {@link stepLossChartSpec}. */
export interface StepLossChartOptions {
  /** Log-scaled loss axis (default true: one diverging run cannot flatten the others to a line). */
  readonly logY?: boolean;
  /**
   * Losses above `clipFactor` × the 90th percentile of all finite losses are clipped at the top of
   * the chart (drawn there, and counted in the subtitle); default 20. `Infinity` never clips.
   */
  readonly clipFactor?: number;
  readonly title?: string;
  readonly width?: number;
  readonly height?: number;
  /** Colour per run label (a fixed palette keeps a rate's colour across sweeps and panels). */
  readonly colors?: Readonly<Record<string, string>>;
}

/** The clip value of {@link stepLossChartSpec}: `factor` × the 90th percentile of `losses`. */
export function stepLossClip(losses: readonly number[], factor: number): number {
  const finite = losses.filter(Number.isFinite).sort((a, b) => a - b);
  if (finite.length === 0 || !Number.isFinite(factor)) return Number.POSITIVE_INFINITY;
  const percentile = finite[Math.min(finite.length - 1, Math.floor(0.9 * finite.length))] as number;
  return percentile * factor;
}

/**
 * Training loss per step with several runs overlaid (colour = run), on a log axis by default.
 * Losses that stopped being finite are left out; losses above the clip (see `clipFactor`) are
 * drawn at the clip line with an open triangle and counted in the subtitle, so one spike (a batch
 * loss of 3,500 at a rate of 10) does not squash every other curve to a line at 0.
 */
export function stepLossChartSpec(
  runs: readonly StepLossSeries[],
  options: StepLossChartOptions = {},
): TopLevelSpec {
  const logY = options.logY ?? true;
  const rows = runs.flatMap((run) =>
    run.records.flatMap((record) =>
      record.kind === 'step' && Number.isFinite(record.loss) && (!logY || record.loss > 0)
        ? [{ run: run.label, step: record.step, loss: record.loss }]
        : [],
    ),
  );
  const clip = stepLossClip(
    rows.map((row) => row.loss),
    options.clipFactor ?? 20,
  );
  const clipped = rows.filter((row) => row.loss > clip);
  const values = rows.map((row) =>
    row.loss > clip ? { ...row, loss: clip, clipped: true, actual: row.loss } : { ...row, clipped: false },
  );
  const labels = runs.map((run) => run.label);
  const colors = options.colors;
  const subtitle =
    clipped.length === 0
      ? undefined
      : `${clipped.length} step${clipped.length === 1 ? '' : 's'} above ${clip.toPrecision(3)} clipped (highest ${Math.max(...clipped.map((row) => row.loss)).toPrecision(4)}, ${[...new Set(clipped.map((row) => row.run))].join(', ')})`;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: {
      text: options.title ?? `Training loss per step${logY ? ' (log scale)' : ''}`,
      ...(subtitle ? { subtitle } : {}),
    },
    width: options.width ?? 420,
    height: options.height ?? 200,
    background: 'white',
    data: { values },
    encoding: {
      x: { field: 'step', type: 'quantitative', title: 'step', axis: { tickMinStep: 1, format: 'd' } },
      y: {
        field: 'loss',
        type: 'quantitative',
        title: 'batch cross entropy',
        scale: logY ? { type: 'log' } : { zero: false },
      },
      color: {
        field: 'run',
        type: 'nominal',
        title: 'run',
        sort: labels,
        ...(colors
          ? { scale: { domain: labels, range: labels.map((label) => colors[label] ?? '#444444') } }
          : {}),
      },
    },
    layer: [
      { mark: { type: 'line', strokeWidth: 1.5, clip: true } },
      {
        transform: [{ filter: 'datum.clipped' }],
        mark: { type: 'point', shape: 'triangle-up', size: 40, filled: false },
      },
    ],
  } as unknown as TopLevelSpec;
}
