import { raceChartSpec } from '@contour/metrics-logger';
import { beforeAll, describe, expect, it } from 'vitest';
import { contourLines } from './contour-lines.js';
import { race } from './race.js';
import { raceAnimationHtml } from './race-animation-html.js';
import { raceChartData } from './race-chart-data.js';
import { useCpuBackend } from './test-support/use-cpu-backend.js';

beforeAll(useCpuBackend);

const result = () =>
  race({
    surface: 'himmelblau',
    steps: 5,
    racers: [{ label: 'a<b', spec: { type: 'sgd', lr: 0.01 } }, { spec: { type: 'adam', lr: 0.1 } }],
  });

describe('raceChartData', () => {
  it('is the result plus the surface’s contour lines, with the options passed on', () => {
    const raced = result();
    const data = raceChartData(raced, { resolution: 40, levels: 8 });
    expect(data.trajectories).toBe(raced.trajectories);
    expect(data.start).toEqual([0, 0]);
    expect(data.steps).toBe(5);
    expect(data.contours).toEqual(contourLines(raced.surface, { resolution: 40, levels: 8 }));
    expect(data.contours).not.toEqual(contourLines(raced.surface));
  });

  it('is what raceChartSpec draws: contours, trajectories (steps + 1 points each), the minima and the start', () => {
    const spec = raceChartSpec(raceChartData(result())) as {
      layer: Array<{ data: { values: Array<Record<string, unknown>> } }>;
    };
    const [contours, trajectories, markers, start] = spec.layer;
    expect(contours!.data.values.length).toBeGreaterThan(50);
    expect(trajectories!.data.values).toHaveLength(12);
    expect(trajectories!.data.values[0]).toEqual({ optimizer: 'a<b', step: 0, x: 0, y: 0 });
    expect(markers!.data.values.filter((marker) => marker.kind === 'minimum')).toHaveLength(4);
    expect(start!.data.values).toEqual([{ x: 0, y: 0 }]);
  });
});

describe('raceAnimationHtml', () => {
  it('is one self-contained page with every racer’s screen path and escaped labels', () => {
    const html = raceAnimationHtml(result());
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=/);
    expect(html).toContain('a&lt;b');
    const json = /<script type="application\/json" id="race-data">(.*?)<\/script>/s.exec(html)![1]!;
    const data = JSON.parse(json) as { racers: Array<{ label: string; screen: number[][] }> };
    expect(data.racers.map((racer) => racer.label)).toEqual(['a<b', 'adam lr=0.1']);
    expect(data.racers[0]!.screen).toHaveLength(6);
    // The start (0, 0) is the centre of the [-5, 5]² plot: 36 + 280 on both axes.
    expect(data.racers[0]!.screen[0]).toEqual([316, 316]);
  });
});
