import { createSchedule, type ScheduleSpec, sampleSchedule } from '@contour/schedules';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type BrowserSession, openBrowserSession } from './browser-session.js';
import { expectRatesClose, plottedValues, waitForApp } from './page-helpers.js';

let session: BrowserSession;
beforeAll(async () => {
  session = await openBrowserSession();
});
afterAll(async () => {
  await session?.close();
});

describe('schedule designer', () => {
  it('plots a schedule composed in the form exactly as @contour/schedules computes it', async () => {
    const { page } = session;
    await page.goto(`${inject('baseUrl')}#panel=schedules`);
    await waitForApp(page);
    await page.getByLabel('Schedule type', { exact: true }).selectOption('expr');
    await page.getByLabel('expr', { exact: true }).fill('lr * 0.5 ^ floor(t / 25) + 0.001 * sin(t)');
    await page.getByLabel('lr', { exact: true }).fill('0.2');
    await page.getByLabel('Steps to plot').fill('120');
    const expected = sampleSchedule(
      createSchedule({ type: 'expr', expr: 'lr * 0.5 ^ floor(t / 25) + 0.001 * sin(t)', lr: 0.2 }),
      120,
    );
    await expect.poll(() => plottedValues(page, '#schedule-chart'), { timeout: 15_000 }).toHaveLength(120);
    const plotted = await plottedValues(page, '#schedule-chart');
    expectRatesClose(plotted, expected);
    await expect.poll(() => page.locator('#schedule-status').textContent()).toContain('expr: 120 steps');
  });

  it('plots a combinator typed as JSON, reports invalid fields, and draws it as the package does', async () => {
    const { page } = session;
    const spec: ScheduleSpec = {
      type: 'sequential',
      lr: 0.1,
      schedules: [
        { type: 'linear', startFactor: 0.1, totalIters: 30 },
        { type: 'cyclic', baseLr: 0.01, maxLr: 0.1, stepSizeUp: 10, mode: 'triangular2' },
      ],
      milestones: [30],
    };
    const json = page.getByLabel('Spec JSON', { exact: false });
    await json.fill(JSON.stringify({ ...spec, milestones: [-3] }));
    await expect.poll(() => page.locator('#schedule-status').textContent()).toContain('milestones');
    await json.fill(JSON.stringify(spec, null, 2));
    const expected = sampleSchedule(createSchedule(spec), 120);
    await expect
      .poll(async () => (await plottedValues(page, '#schedule-chart'))[35], { timeout: 15_000 })
      .toBeCloseTo(expected[35] as number, 12);
    const plotted = await plottedValues(page, '#schedule-chart');
    expect(plotted).toHaveLength(120);
    expectRatesClose(plotted, expected);
    // The form follows the JSON: the nested members are editable.
    await expect.poll(() => page.getByLabel('schedules[1] type').inputValue()).toBe('cyclic');
    await session.screenshot('schedule-designer');
    expect(session.problems).toEqual([]);
  });
});
