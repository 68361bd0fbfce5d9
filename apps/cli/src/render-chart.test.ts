import { scheduleChartSpec } from '@contour/metrics-logger';
import { describe, expect, it, vi } from 'vitest';
import { compileChartSpec, loadChartModules } from './render-chart.js';

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
