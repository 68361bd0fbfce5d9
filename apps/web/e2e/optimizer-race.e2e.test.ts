import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type BrowserSession, openBrowserSession } from './browser-session.js';
import { chartRows, waitForApp } from './page-helpers.js';

let session: BrowserSession;
beforeAll(async () => {
  session = await openBrowserSession();
});
afterAll(async () => {
  await session?.close();
});

/** Screen position of the data point (x, y) on the race chart. */
function screenPoint(x: number, y: number) {
  return session.page.evaluate(
    ([dataX, dataY]) => {
      const chart = document.querySelector('#race-chart') as unknown as {
        view: {
          scale(name: string): (value: number) => number;
          origin(): [number, number];
          padding(): { left: number; top: number };
        };
      };
      const svg = (chart as unknown as HTMLElement).querySelector('svg') as SVGSVGElement;
      const box = svg.getBoundingClientRect();
      const scale = box.width / Number(svg.getAttribute('width'));
      // Vega draws marks at padding + origin + scale(value) inside its SVG.
      const [originX, originY] = chart.view.origin();
      const padding = chart.view.padding();
      return {
        x: box.left + (padding.left + originX + chart.view.scale('x')(dataX)) * scale,
        y: box.top + (padding.top + originY + chart.view.scale('y')(dataY)) * scale,
      };
    },
    [x, y] as const,
  );
}

describe('optimizer race', () => {
  it('draws the classic race on a contour map, animates it, and restarts from a clicked point', async () => {
    const { page } = session;
    await page.goto(`${inject('baseUrl')}#panel=race`);
    await waitForApp(page);
    await page.waitForSelector('#race-status[data-busy="false"]:has-text("beale")', { timeout: 30_000 });
    await expect
      .poll(async () => (await chartRows(page, '#race-chart')).some((row) => 'optimizer' in row))
      .toBe(true);
    const rows = await chartRows(page, '#race-chart');
    const optimizers = [...new Set(rows.filter((row) => 'optimizer' in row).map((row) => row.optimizer))];
    expect(optimizers).toEqual(['sgd', 'momentum', 'nesterov', 'adagrad', 'adadelta', 'rmsprop', 'adam']);
    await expect.poll(() => page.locator('#race-frame').inputValue(), { timeout: 20_000 }).toBe('300');
    await session.screenshot('optimizer-race');

    const target = await screenPoint(1, -1);
    await page.mouse.click(target.x, target.y);
    await page.waitForSelector('#race-status[data-busy="false"]:has-text("from (")', { timeout: 30_000 });
    const startX = Number(await page.getByLabel('Start x').inputValue());
    const startY = Number(await page.getByLabel('Start y').inputValue());
    expect(Math.abs(startX - 1)).toBeLessThan(0.05);
    expect(Math.abs(startY + 1)).toBeLessThan(0.05);
    await expect
      .poll(() => page.locator('#race-status').textContent())
      .toContain(`from (${startX}, ${startY})`);
    expect(page.url()).toContain('panel=race');
    expect(session.problems).toEqual([]);
  });
});
