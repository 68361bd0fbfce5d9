import type { TopLevelSpec } from 'vega-lite';
import type { RunCurves } from './loss-curves-chart.js';

/** Options of {@link updateRatioChartSpec}. */
export interface UpdateRatioChartOptions {
  readonly title?: string;
  readonly width?: number;
  readonly height?: number;
  /** The healthy band drawn behind the lines; default DL4J's [−4, −2]. */
  readonly band?: readonly [number, number];
}

/**
 * DL4J's update:parameter ratio chart: log10(mean |Δw| / mean |w|) of each layer's kernel per
 * epoch (from `EpochRecord.updateRatios`), one line per layer (per run and layer when several runs
 * are given), over a shaded healthy band (−4 … −2) with a rule at −3. Layers that did not move
 * (−∞, frozen) and NaN values are left out.
 */
export function updateRatioChartSpec(
  runs: readonly RunCurves[],
  options: UpdateRatioChartOptions = {},
): TopLevelSpec {
  const [low, high] = options.band ?? [-4, -2];
  const rows = runs.flatMap((run) =>
    run.epochs.flatMap((record) =>
      Object.entries(record.updateRatios ?? {}).flatMap(([layer, value]) =>
        Number.isFinite(value)
          ? [{ series: runs.length > 1 ? `${run.label} · ${layer}` : layer, epoch: record.epoch, value }]
          : [],
      ),
    ),
  );
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: options.title ?? 'Update : parameter ratio per layer (log10; about −3 is healthy)',
    width: options.width ?? 420,
    height: options.height ?? 240,
    background: 'white',
    layer: [
      {
        data: { values: [{ low, high }] },
        mark: { type: 'rect', color: '#2ca02c', opacity: 0.08 },
        encoding: { y: { field: 'low', type: 'quantitative' }, y2: { field: 'high' } },
      },
      {
        data: { values: [{ value: (low + high) / 2 }] },
        mark: { type: 'rule', color: '#2ca02c', strokeDash: [4, 4] },
        encoding: { y: { field: 'value', type: 'quantitative' } },
      },
      {
        data: { values: rows },
        mark: { type: 'line', point: { size: 20 }, strokeWidth: 2 },
        encoding: {
          x: { field: 'epoch', type: 'quantitative', title: 'epoch', axis: { tickMinStep: 1 } },
          y: { field: 'value', type: 'quantitative', title: 'log10(mean |update| / mean |weight|)' },
          color: { field: 'series', type: 'nominal', title: runs.length > 1 ? 'run · layer' : 'layer' },
        },
      },
    ],
  } as unknown as TopLevelSpec;
}
