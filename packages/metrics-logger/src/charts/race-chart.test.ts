import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { describe, expect, it } from 'vitest';
import { type RaceChartData, raceChartSpec } from './race-chart.js';
import { racePalette } from './race-palette.js';

// A hand-made race on f = x² + y² over [-2, 2] × [-1, 1]: two racers, one contour polyline.
const data: RaceChartData = {
  surface: {
    name: 'bowl',
    formula: 'x² + y²',
    minima: [[0, 0]],
    saddlePoints: [[1, 0]],
    domain: { x: [-2, 2], y: [-1, 1] },
  },
  start: [1.5, 0.5],
  steps: 2,
  trajectories: [
    {
      label: 'sgd',
      points: [
        [1.5, 0.5],
        [0.75, 0.25],
        [0.375, 0.125],
      ],
    },
    {
      label: 'adam',
      points: [
        [1.5, 0.5],
        [1.4, 0.4],
        [1.3, 0.3],
      ],
    },
  ],
  contours: {
    polylines: [
      {
        levelIndex: 0,
        points: [
          [0.123456789, 0],
          [0, 0.123456789],
        ],
      },
    ],
  },
};

type LayeredSpec = {
  title: string;
  width: number;
  height: number;
  layer: Array<{ data: { values: Array<Record<string, unknown>> }; encoding: Record<string, unknown> }>;
};

describe('raceChartSpec', () => {
  it('layers contours, trajectories, minima and saddle points, and the start, from plain data', () => {
    const spec = raceChartSpec(data, { width: 400 }) as unknown as LayeredSpec;
    expect(spec.title).toBe('bowl: x² + y², 2 steps from (1.5, 0.5)');
    // The height follows the domain's aspect ratio: 400 · 2 / 4.
    expect([spec.width, spec.height]).toEqual([400, 200]);
    const [contours, trajectories, markers, start] = spec.layer;
    // Contour coordinates are rounded to 5 significant digits.
    expect(contours!.data.values).toEqual([
      { line: 0, index: 0, levelIndex: 0, x: 0.12346, y: 0 },
      { line: 0, index: 1, levelIndex: 0, x: 0, y: 0.12346 },
    ]);
    expect(trajectories!.data.values).toHaveLength(6);
    expect(trajectories!.data.values[4]).toEqual({ optimizer: 'adam', step: 1, x: 1.4, y: 0.4 });
    expect(markers!.data.values).toEqual([
      { x: 0, y: 0, kind: 'minimum', shape: 'diamond' },
      { x: 1, y: 0, kind: 'saddle point', shape: 'triangle-up' },
    ]);
    expect(start!.data.values).toEqual([{ x: 1.5, y: 0.5 }]);
    const color = (trajectories!.encoding as { color: { scale: { domain: string[]; range: string[] } } })
      .color;
    expect(color.scale).toEqual({ domain: ['sgd', 'adam'], range: racePalette.slice(0, 2) });
  });

  it('compiles and renders with Vega', async () => {
    const view = new vega.View(vega.parse(compile(raceChartSpec(data) as unknown as TopLevelSpec).spec), {
      renderer: 'none',
    });
    const svg = await view.toSVG();
    view.finalize();
    expect(svg).toContain('bowl: x² + y²');
  });
});
