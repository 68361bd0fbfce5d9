import type { TopLevelSpec } from 'vega-lite';
import { divergenceEpoch, epochRecords, type MetricName, type SplitName } from '../analysis.js';
import type { EpochRecord, MetricsRecord } from '../records.js';

/** One run's per-epoch records, labelled for a legend (e.g. "lr=0.5"). */
export interface RunCurves {
  readonly label: string;
  readonly epochs: readonly EpochRecord[];
  /** Epoch the run diverged in, when it did (marked on the chart). */
  readonly divergedAtEpoch?: number;
}

/** Builds the curves of a run from its records. */
export function runCurves(label: string, records: readonly MetricsRecord[]): RunCurves {
  const divergedAtEpoch = divergenceEpoch(records);
  const epochs = epochRecords(records);
  return divergedAtEpoch === undefined ? { label, epochs } : { label, epochs, divergedAtEpoch };
}

/** Options of the loss-per-epoch charts. */
export interface LossChartOptions {
  readonly metric?: MetricName;
  readonly splits?: readonly SplitName[];
  /**
   * Log-scaled y; `auto`: log when the finite positive values span more than two decades (a run
   * that blew up to 1e10 would flatten the others to a line on a linear axis).
   */
  readonly logY?: boolean | 'auto';
  readonly title?: string;
  readonly width?: number;
  readonly height?: number;
  /** Colour per run label (e.g. `learningRateColor` of each run's rate: fixed across sweeps). */
  readonly colors?: Readonly<Record<string, string>>;
}

/**
 * An epoch axis with whole-number ticks only: every epoch up to 20 epochs, else Vega's ticks with a
 * minimum step of 1, labelled as integers.
 */
export function epochAxis(runs: readonly RunCurves[]): Record<string, unknown> {
  const epochs = runs.flatMap((run) => run.epochs.map((record) => record.epoch));
  const first = epochs.length > 0 ? Math.min(...epochs) : 1;
  const last = epochs.length > 0 ? Math.max(...epochs) : 1;
  return last - first <= 20
    ? { values: Array.from({ length: last - first + 1 }, (_, index) => first + index), format: 'd' }
    : { tickMinStep: 1, format: 'd' };
}

/** True when the finite positive values of `metric` span more than two decades. */
function spansDecades(runs: readonly RunCurves[], metric: MetricName, splits: readonly SplitName[]): boolean {
  const values = runs.flatMap((run) =>
    run.epochs.flatMap((record) =>
      splits.flatMap((split) => {
        const value = record[split]?.[metric];
        return value !== undefined && Number.isFinite(value) && value > 0 ? [value] : [];
      }),
    ),
  );
  return values.length > 0 && Math.max(...values) / Math.min(...values) > 100;
}

/** Dash pattern per split: training solid, validation dashed, test dotted. */
const dashes: Readonly<Record<SplitName, number[]>> = { train: [1, 0], validation: [6, 4], test: [2, 2] };

const metricTitles: Readonly<Record<MetricName, string>> = {
  crossEntropy: 'cross entropy',
  classificationError: 'classification error',
  loss: 'loss',
};

/** The data rows of a loss chart: finite points for lines, and one marker per diverged run/split. */
function chartRows(
  runs: readonly RunCurves[],
  metric: MetricName,
  splits: readonly SplitName[],
  logY: boolean,
) {
  const rows: Array<{ run: string; split: string; epoch: number; value: number; marker: string }> = [];
  for (const run of runs) {
    for (const split of splits) {
      let lastFinite: number | undefined;
      let markedAt: number | undefined;
      for (const record of run.epochs) {
        const value = record[split]?.[metric];
        if (value === undefined) continue;
        if (Number.isFinite(value) && (!logY || value > 0)) {
          rows.push({ run: run.label, split, epoch: record.epoch, value, marker: '' });
          lastFinite = value;
        } else if (!Number.isFinite(value) && markedAt === undefined) {
          markedAt = record.epoch;
          rows.push({
            run: run.label,
            split,
            epoch: record.epoch,
            value: lastFinite ?? Number.NaN,
            marker: String(value),
          });
        }
      }
      if (
        markedAt === undefined &&
        run.divergedAtEpoch !== undefined &&
        split === 'train' &&
        lastFinite !== undefined
      ) {
        rows.push({
          run: run.label,
          split,
          epoch: run.divergedAtEpoch,
          value: lastFinite,
          marker: 'diverged',
        });
      }
    }
  }
  // A marker with no finite value before it is drawn at the top of the chart.
  const finiteValues = rows.filter((row) => row.marker === '').map((row) => row.value);
  const top = finiteValues.length > 0 ? Math.max(...finiteValues) : 1;
  return rows.map((row) => (Number.isNaN(row.value) ? { ...row, value: top } : row));
}

/**
 * Loss per epoch with several runs overlaid: colour = run, training solid and validation dashed,
 * a cross (and its value, "NaN" or "Infinity") where a run's metric stopped being finite, optional
 * log y. Used by the CLI (rendered to SVG/PNG) and the web app (rendered live).
 */
export function lossCurvesChartSpec(
  runs: readonly RunCurves[],
  options: LossChartOptions = {},
): TopLevelSpec {
  const metric = options.metric ?? 'crossEntropy';
  const splits = options.splits ?? ['train', 'validation'];
  const logY = options.logY === 'auto' ? spansDecades(runs, metric, splits) : (options.logY ?? false);
  const runOrder = runs.map((run) => run.label);
  const colors = options.colors;
  const color = {
    field: 'run',
    type: 'nominal',
    title: 'run',
    sort: runOrder,
    // Whole labels: two runs of one sweep differ only at the end of their names.
    legend: { labelLimit: 360 },
    ...(colors
      ? { scale: { domain: runOrder, range: runOrder.map((label) => colors[label] ?? '#444444') } }
      : {}),
  } as const;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: options.title ?? `${metricTitles[metric]} per epoch`,
    width: options.width ?? 420,
    height: options.height ?? 300,
    background: 'white',
    data: { values: chartRows(runs, metric, splits, logY) },
    encoding: {
      // Epochs are integers: whole-number ticks, never "1.2" or "1.000000".
      x: { field: 'epoch', type: 'quantitative', title: 'epoch', axis: epochAxis(runs) },
      y: {
        field: 'value',
        type: 'quantitative',
        title: metricTitles[metric],
        scale: logY ? { type: 'log' } : { zero: metric === 'classificationError' },
      },
      color,
    },
    layer: [
      {
        transform: [{ filter: "datum.marker === ''" }],
        mark: { type: 'line', point: { size: 20 }, strokeWidth: 2 },
        encoding: {
          strokeDash: {
            field: 'split',
            type: 'nominal',
            title: 'split',
            scale: { domain: [...splits], range: splits.map((split) => dashes[split]) },
            legend: {
              symbolType: 'stroke',
              symbolStrokeWidth: 2,
              symbolSize: 300,
              encode: { symbols: { update: { stroke: { value: '#444' } } } },
            },
          },
          detail: { field: 'split' },
        },
      },
      {
        transform: [{ filter: "datum.marker !== ''" }],
        mark: { type: 'point', shape: 'cross', size: 160, filled: true, strokeWidth: 1 },
      },
      {
        transform: [{ filter: "datum.marker !== ''" }],
        mark: { type: 'text', dy: -12, fontSize: 11, fontWeight: 'bold' },
        encoding: { text: { field: 'marker' } },
      },
    ],
  } as unknown as TopLevelSpec;
}

/** Options of the classic 2-panel / 2×N grid. */
export interface ClassicGridOptions {
  /** `overlay`: one row, every run overlaid; `rows`: one row per run. */
  readonly layout?: 'overlay' | 'rows';
  /** As {@link LossChartOptions.logY}; `auto` decides per panel. */
  readonly logY?: boolean | 'auto';
  readonly title?: string;
  /** Colour per run label (see {@link LossChartOptions.colors}). */
  readonly colors?: Readonly<Record<string, string>>;
}

/**
 * The classic figure: cross entropy | classification error per epoch, training solid and
 * validation dashed; all runs overlaid in one row, or one row per run.
 */
export function classicGridSpec(runs: readonly RunCurves[], options: ClassicGridOptions = {}): TopLevelSpec {
  const logY = options.logY ?? false;
  const panel = (group: readonly RunCurves[], metric: MetricName, title: string) => {
    const {
      $schema: _schema,
      background: _background,
      ...spec
    } = lossCurvesChartSpec(group, {
      metric,
      logY,
      title,
      ...(options.colors ? { colors: options.colors } : {}),
    }) as unknown as Record<string, unknown>;
    return spec;
  };
  const rows =
    options.layout === 'rows'
      ? runs.map((run) => ({
          hconcat: [
            panel([run], 'crossEntropy', `${run.label}: cross entropy`),
            panel([run], 'classificationError', `${run.label}: classification error`),
          ],
        }))
      : [
          {
            hconcat: [
              panel(runs, 'crossEntropy', 'cross entropy'),
              panel(runs, 'classificationError', 'classification error'),
            ],
          },
        ];
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: options.title ?? 'Loss per epoch (training solid, validation dashed)',
    background: 'white',
    vconcat: rows,
    resolve: { scale: { color: 'shared', strokeDash: 'shared' } },
  } as unknown as TopLevelSpec;
}
