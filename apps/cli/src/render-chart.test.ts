import { scheduleChartSpec } from '@contour/metrics-logger';
import { describe, expect, it, vi } from 'vitest';
import {
  compileChartSpec,
  loadChartModules,
  parseChartSpec,
  prepareChartInThisThread,
  renderChartSvgInThisThread,
} from './render-chart.js';

const rates = (start: number, length: number) => Array.from({ length }, (_, step) => start * 0.9 ** step);

async function svgOf(vegaSpec: import('vega').Spec): Promise<string> {
  const { vega } = await loadChartModules();
  const view = new vega.View(vega.parse(vegaSpec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

describe('compileChartSpec', () => {
  it('compiles a shape once and draws each chart of it exactly as an uncached compile does', async () => {
    const { compile } = await loadChartModules();
    const counting = vi.fn(compile);
    // One shape (same title and layout), different data: different lengths and ranges.
    const first = scheduleChartSpec([{ label: 'cache-test', rates: rates(0.1, 20) }]);
    const second = scheduleChartSpec([{ label: 'cache-test', rates: rates(3, 45) }]);
    const cachedFirst = await svgOf(compileChartSpec(counting, first));
    const cachedSecond = await svgOf(compileChartSpec(counting, second));
    expect(counting).toHaveBeenCalledTimes(1);
    expect(cachedFirst).toBe(await svgOf(compile(first).spec));
    expect(cachedSecond).toBe(await svgOf(compile(second).spec));
    expect(cachedSecond).not.toBe(cachedFirst);
  });

  it('gives each of several datasets in one chart its own rows back, and equal ones once', async () => {
    const { compile } = await loadChartModules();
    const spec = {
      vconcat: [
        {
          data: { values: [{ x: 1, y: 2 }] },
          mark: 'point',
          encoding: { x: { field: 'x', type: 'quantitative' } },
        },
        {
          data: {
            values: [
              { x: 5, y: 7 },
              { x: 6, y: 1 },
            ],
          },
          mark: 'line',
          encoding: { y: { field: 'y', type: 'quantitative' } },
        },
        {
          data: { values: [{ x: 1, y: 2 }] },
          mark: 'tick',
          encoding: { x: { field: 'x', type: 'quantitative' } },
        },
      ],
    } as const;
    const compiled = compileChartSpec(compile, spec as never);
    expect(compiled).toEqual(compile(spec as never).spec);
    expect(await svgOf(compiled)).toBe(await svgOf(compile(spec as never).spec));
  });
});

describe('prepareChartInThisThread', () => {
  // A line over epochs with the epochs as the axis's tick values: a `values` array that is not data,
  // which Vega's parse turns into expression code.
  const epochChart = (title: string, losses: readonly number[]) => ({
    title,
    data: { values: losses.map((loss, index) => ({ epoch: index + 1, loss })) },
    mark: 'line' as const,
    encoding: {
      x: {
        field: 'epoch',
        type: 'quantitative' as const,
        axis: { values: losses.map((_, index) => index + 1) },
      },
      y: { field: 'loss', type: 'quantitative' as const },
    },
  });
  const lossChart = (title: string, losses: readonly number[]) => ({
    title,
    data: { values: losses.map((loss, index) => ({ epoch: index + 1, loss })) },
    mark: 'line' as const,
    encoding: {
      x: { field: 'epoch', type: 'quantitative' as const },
      y: { field: 'loss', type: 'quantitative' as const },
    },
  });

  it('draws a later spec of a prepared shape exactly as an uncached compile and parse draw it', async () => {
    const { compile } = await loadChartModules();
    const early = [2.3, 1.1];
    const late = [2.3, 1.1, 0.7, 0.61, 0.5, 0.52];
    for (const chart of [lossChart, epochChart]) {
      await prepareChartInThisThread(chart('prepared', early) as never);
      const drawn = await renderChartSvgInThisThread(chart('prepared', late) as never);
      expect(drawn).toBe(await svgOf(compile(chart('prepared', late) as never).spec));
      // Drawn twice from the cache, and the earlier rows drawn again: still uncached drawings.
      expect(await renderChartSvgInThisThread(chart('prepared', late) as never)).toBe(drawn);
      expect(await renderChartSvgInThisThread(chart('prepared', early) as never)).toBe(
        await svgOf(compile(chart('prepared', early) as never).spec),
      );
    }
  });
});

describe('parseChartSpec', () => {
  // Tick values given as an array, as the epoch axes of the loss charts have them: Vega's parse writes
  // them into expression code (negative numbers in parentheses, 1e21 as 1e+21).
  const ticked = (title: string, ticks: readonly number[]) => ({
    title,
    data: { values: ticks.map((tick, index) => ({ tick, value: index * 0.5 })) },
    mark: 'line' as const,
    encoding: {
      x: { field: 'tick', type: 'quantitative' as const, axis: { values: ticks } },
      y: { field: 'value', type: 'quantitative' as const, axis: { values: [0, 0.5, 1] } },
    },
  });

  it("puts tick values into the shape's parse as Vega's own parse writes them, without parsing the chart again", async () => {
    const modules = await loadChartModules();
    const parse = vi.fn(modules.vega.parse);
    const counted = { vega: { ...modules.vega, parse }, compile: modules.compile };
    const chartParses = () => parse.mock.calls.filter(([spec]) => spec.marks !== undefined).length;
    parseChartSpec(counted, ticked('ticks', [1, 2]) as never);
    expect(chartParses()).toBe(1);
    for (const ticks of [
      [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
      [-2.5, 0.1, 1e-7, 1e21],
      [1, 2],
    ]) {
      const spec = ticked('ticks', ticks) as never;
      expect(parseChartSpec(counted, spec)).toEqual(modules.vega.parse(modules.compile(spec).spec));
    }
    expect(chartParses()).toBe(1);
  });

  it("compiles a time axis's tick values with its chart, since Vega-Lite turns them into dates", async () => {
    const modules = await loadChartModules();
    const dated = (values: readonly unknown[]) =>
      ({
        ...ticked('dates', [1, 2]),
        encoding: { x: { field: 'tick', type: 'temporal', axis: { values } } },
      }) as never;
    for (const values of [
      [
        { year: 2020, month: 1 },
        { year: 2021, month: 1 },
      ],
      [{ year: 2022, month: 6 }],
      [2020, 2021],
      [1990],
    ])
      expect(parseChartSpec(modules, dated(values))).toEqual(
        modules.vega.parse(modules.compile(dated(values)).spec),
      );
  });
});
