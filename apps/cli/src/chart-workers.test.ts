import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { scheduleChartSpec } from '@contour/metrics-logger';
import { afterAll, describe, expect, it } from 'vitest';
import { svgToPng } from './chart-files.js';
import { ChartWorkerPool } from './chart-workers.js';
import { renderChartSvgInThisThread } from './render-chart.js';

const scratch = mkdtempSync(join(tmpdir(), 'contour-chart-workers-'));
const pool = new ChartWorkerPool(2);
afterAll(async () => {
  await pool.close();
  rmSync(scratch, { recursive: true, force: true });
});

const spec = (label: string) =>
  scheduleChartSpec([{ label, rates: Array.from({ length: 20 }, (_, step) => 0.1 / (step + 1)) }]);

describe('ChartWorkerPool', () => {
  it('draws exactly what this thread draws, writes the SVG and PNG, and keeps jobs apart', async () => {
    const labels = ['first', 'second', 'third'];
    const paths = labels.map((label) => [join(scratch, `${label}.svg`), join(scratch, `${label}.png`)]);
    const svgs = await Promise.all(
      labels.map((label, index) => pool.render(spec(label), paths[index] ?? [])),
    );
    for (const [index, label] of labels.entries()) {
      const expected = await renderChartSvgInThisThread(spec(label));
      expect(svgs[index]).toBe(expected);
      expect(readFileSync(join(scratch, `${label}.svg`), 'utf8')).toBe(expected);
      // Written before the chart is answered: the PNG of that SVG.
      expect(new Uint8Array(readFileSync(join(scratch, `${label}.png`)))).toEqual(
        new Uint8Array(await svgToPng(expected)),
      );
    }
  });

  it('prepares shapes when idle and draws jobs sent while it prepares exactly as this thread does', async () => {
    // More specs to prepare than workers, then jobs at once: the jobs wait for at most the
    // preparations under way and draw what this thread draws.
    pool.prepare(['a', 'b', 'c', 'd'].map((label) => spec(`prepared ${label}`)));
    const svgs = await Promise.all(['a', 'b'].map((label) => pool.render(spec(`prepared ${label}`), [])));
    for (const [index, label] of ['a', 'b'].entries())
      expect(svgs[index]).toBe(await renderChartSvgInThisThread(spec(`prepared ${label}`)));
  });

  it('drops the shapes still waiting to be prepared once a chart is to be drawn', async () => {
    const waiting = (pool as unknown as { preparing: unknown[] }).preparing;
    const drawing = pool.render(spec('drawn at once'), []);
    pool.prepare(['e', 'f', 'g', 'h', 'i'].map((label) => spec(`prepared ${label}`)));
    // Both workers are drawing or preparing; the rest wait until a chart to draw arrives.
    expect(waiting.length).toBeGreaterThan(0);
    const next = pool.render(spec('next'), []);
    expect(waiting).toEqual([]);
    expect(await drawing).toContain('drawn at once');
    expect(await next).toContain('next');
  });

  it('rejects a job that cannot be drawn with its error, and goes on drawing', async () => {
    await expect(pool.render({ mark: 'point' } as never, [join(scratch, 'chart.gif')])).rejects.toThrow(
      'cannot write a chart to',
    );
    expect(await pool.render(spec('after'), [])).toContain('after');
  });

  it('draws from the sources whatever export conditions the parent process runs under', () => {
    // Node applies `--conditions` to require() too; a worker that inherited `--conditions import`
    // failed on Node 24 (tsx took tr46's require() of a JSON file for an import).
    const script = `
      import { ChartWorkerPool } from ${JSON.stringify(new URL('./chart-workers.ts', import.meta.url).href)};
      const pool = new ChartWorkerPool(1);
      const svg = await pool.render({ data: { values: [{ a: 1 }] }, mark: 'point', encoding: { x: { field: 'a', type: 'quantitative' } } }, []);
      console.log(svg.startsWith('<svg') ? 'drew an SVG' : svg);
      await pool.close();`;
    const result = spawnSync(
      process.execPath,
      [
        '--conditions=import',
        '--conditions=@contour/source',
        '--import',
        'tsx',
        '--input-type=module',
        '--eval',
        script,
      ],
      { encoding: 'utf8' },
    );
    expect(result.stderr).toBe('');
    expect(result.stdout.trim()).toBe('drew an SVG');
  });
});
