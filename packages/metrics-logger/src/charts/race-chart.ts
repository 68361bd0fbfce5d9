import { racePalette } from './race-palette.js';

/** A point of the plane, [x, y]. */
export type RaceChartPoint = readonly [number, number];

/**
 * What a race chart draws, as plain numbers: `@contour/race`'s `raceChartData(result)` builds it
 * from a race result (the surface's contour lines need the surface's function, which lives there).
 */
export interface RaceChartData {
  readonly surface: {
    readonly name: string;
    readonly formula: string;
    readonly minima: readonly RaceChartPoint[];
    readonly saddlePoints: readonly RaceChartPoint[];
    readonly domain: { readonly x: RaceChartPoint; readonly y: RaceChartPoint };
  };
  readonly start: RaceChartPoint;
  readonly steps: number;
  /** Each racer's label and path (steps + 1 points, the start first). */
  readonly trajectories: ReadonlyArray<{
    readonly label: string;
    readonly points: readonly RaceChartPoint[];
  }>;
  /** The surface's contour lines: polylines of equal f, `levelIndex` 0 the lowest level. */
  readonly contours: {
    readonly polylines: ReadonlyArray<{
      readonly levelIndex: number;
      readonly points: readonly RaceChartPoint[];
    }>;
  };
}

/** Rounds contour coordinates to 5 significant digits (smaller specs, same picture). */
function round(value: number): number {
  return Number(value.toPrecision(5));
}

/** Options of raceChartSpec. */
export interface RaceChartOptions {
  readonly title?: string;
  /** Plot width in pixels (default 520); the height follows the domain's aspect ratio. */
  readonly width?: number;
}

/**
 * A Vega-Lite spec (plain JSON, renderable headless or in the browser) of a race: the surface's
 * contour lines, every trajectory as a coloured line (clipped to the domain), the start point
 * (black dot), the minima (red diamonds) and saddle points (red triangles).
 */
export function raceChartSpec(
  result: RaceChartData,
  options: RaceChartOptions = {},
): Record<string, unknown> {
  const { surface } = result;
  const width = options.width ?? 520;
  const [xMin, xMax] = surface.domain.x;
  const [yMin, yMax] = surface.domain.y;
  const height = Math.round((width * (yMax - yMin)) / (xMax - xMin));
  const contours = result.contours;
  const labels = result.trajectories.map((trajectory) => trajectory.label);
  const x = { type: 'quantitative', scale: { domain: [xMin, xMax], nice: false, zero: false }, title: 'x' };
  const y = { type: 'quantitative', scale: { domain: [yMin, yMax], nice: false, zero: false }, title: 'y' };
  const markers = [
    ...surface.minima.map(([px, py]) => ({ x: px, y: py, kind: 'minimum', shape: 'diamond' })),
    ...surface.saddlePoints.map(([px, py]) => ({ x: px, y: py, kind: 'saddle point', shape: 'triangle-up' })),
  ];
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title:
      options.title ??
      `${surface.name}: ${surface.formula}, ${result.steps} steps from (${result.start.join(', ')})`,
    width,
    height,
    background: 'white',
    layer: [
      {
        data: {
          values: contours.polylines.flatMap(({ points, levelIndex }, line) =>
            points.map(([px, py], index) => ({ line, index, levelIndex, x: round(px), y: round(py) })),
          ),
        },
        mark: { type: 'line', strokeWidth: 0.8, clip: true, interpolate: 'linear' },
        encoding: {
          x: { field: 'x', ...x },
          y: { field: 'y', ...y },
          detail: { field: 'line', type: 'nominal' },
          order: { field: 'index', type: 'quantitative' },
          color: {
            field: 'levelIndex',
            type: 'quantitative',
            scale: { range: ['#6b6b6b', '#d9d9d9'] },
            legend: null,
          },
        },
      },
      {
        data: {
          values: result.trajectories.flatMap((trajectory) =>
            trajectory.points.map(([px, py], step) => ({ optimizer: trajectory.label, step, x: px, y: py })),
          ),
        },
        mark: { type: 'line', strokeWidth: 2, clip: true },
        encoding: {
          x: { field: 'x', ...x },
          y: { field: 'y', ...y },
          order: { field: 'step', type: 'quantitative' },
          color: {
            field: 'optimizer',
            type: 'nominal',
            title: null,
            scale: {
              domain: labels,
              range: labels.map((_, index) => racePalette[index % racePalette.length]),
            },
            legend: { orient: 'top', columns: 4, labelLimit: 280 },
          },
        },
      },
      {
        data: { values: markers },
        mark: { type: 'point', filled: true, size: 150, color: '#d62728', stroke: 'white', strokeWidth: 1 },
        encoding: {
          x: { field: 'x', ...x },
          y: { field: 'y', ...y },
          shape: { field: 'shape', type: 'nominal', scale: null },
          tooltip: [{ field: 'kind' }, { field: 'x' }, { field: 'y' }],
        },
      },
      {
        data: { values: [{ x: result.start[0], y: result.start[1] }] },
        mark: { type: 'point', filled: true, size: 70, color: 'black' },
        encoding: { x: { field: 'x', ...x }, y: { field: 'y', ...y } },
      },
    ],
    resolve: { scale: { color: 'independent' } },
    config: { axis: { grid: false } },
  };
}
