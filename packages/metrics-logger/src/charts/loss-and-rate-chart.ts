import type { TopLevelSpec } from 'vega-lite';
import type { MetricsRecord } from '../records.js';
import { type LossChartOptions, lossCurvesChartSpec, type RunCurves } from './loss-curves-chart.js';

/** The rate applied at a position on the epoch axis (epoch e's steps spread over (e − 1, e]). */
export interface RatePoint {
  readonly epoch: number;
  readonly learningRate: number;
}

/** A run's loss curves plus the rates it applied, for {@link lossAndRateChartSpec}. */
export interface RunCurvesWithRates extends RunCurves {
  readonly learningRates: readonly RatePoint[];
}

/**
 * The learning rate of every step on the epoch axis: step j (0-based) of the n steps logged in
 * epoch e sits at e − 1 + (j + 1)/n, so the last step of epoch e is at e, where that epoch's loss
 * is plotted. Without step records, each epoch record's rate at its epoch.
 */
export function learningRatePoints(records: readonly MetricsRecord[]): RatePoint[] {
  const byEpoch = new Map<number, number[]>();
  for (const record of records)
    if (record.kind === 'step')
      byEpoch.set(record.epoch, [...(byEpoch.get(record.epoch) ?? []), record.learningRate]);
  if (byEpoch.size === 0)
    return records.flatMap((record) =>
      record.kind === 'epoch' && record.epoch >= 1
        ? [{ epoch: record.epoch, learningRate: record.learningRate }]
        : [],
    );
  return [...byEpoch.entries()]
    .sort(([a], [b]) => a - b)
    .flatMap(([epoch, rates]) =>
      rates.map((learningRate, index) => ({ epoch: epoch - 1 + (index + 1) / rates.length, learningRate })),
    );
}

/** Options of {@link lossAndRateChartSpec}. */
export interface LossAndRateChartOptions extends LossChartOptions {
  /** Log-scaled rate axis; default true when the rates span more than a factor of 10. */
  readonly logRate?: boolean;
}

/**
 * A schedule's curve drawn under the loss curve it produced, on the same epoch axis: the loss per
 * epoch chart (training solid, validation dashed, one colour per run) above, the learning rate
 * applied per step below, x shared.
 */
export function lossAndRateChartSpec(
  runs: readonly RunCurvesWithRates[],
  options: LossAndRateChartOptions = {},
): TopLevelSpec {
  const {
    $schema: _schema,
    background: _background,
    ...loss
  } = lossCurvesChartSpec(runs, {
    ...options,
    title: options.title ?? 'loss per epoch and the rate that produced it',
  }) as unknown as Record<string, unknown>;
  const values = runs.flatMap((run) =>
    run.learningRates
      .filter((point) => Number.isFinite(point.learningRate))
      .map((point) => ({ run: run.label, epoch: point.epoch, rate: point.learningRate })),
  );
  const positive = values.map((row) => row.rate).filter((rate) => rate > 0);
  const logRate =
    options.logRate ?? (positive.length > 0 && Math.max(...positive) / Math.min(...positive) > 10);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    background: 'white',
    vconcat: [
      loss,
      {
        title: 'learning rate applied per step',
        width: options.width ?? 420,
        height: 120,
        data: { values: logRate ? values.filter((row) => row.rate > 0) : values },
        mark: { type: 'line', interpolate: 'step-before', strokeWidth: 1.5 },
        encoding: {
          x: { field: 'epoch', type: 'quantitative', title: 'epoch', axis: { tickMinStep: 1 } },
          y: {
            field: 'rate',
            type: 'quantitative',
            title: 'learning rate',
            scale: logRate ? { type: 'log' } : { zero: true },
          },
          color: { field: 'run', type: 'nominal', title: 'run', sort: runs.map((run) => run.label) },
        },
      },
    ],
    resolve: { scale: { x: 'shared', color: 'shared' } },
  } as unknown as TopLevelSpec;
}
