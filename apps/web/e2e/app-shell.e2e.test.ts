import { createSchedule, type ScheduleSpec, sampleSchedule } from '@contour/schedules';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { contentSecurityPolicy } from '../security-headers.js';
import { type BrowserSession, openBrowserSession } from './browser-session.js';
import { expectRatesClose, plottedValues, waitForApp } from './page-helpers.js';

let session: BrowserSession;
beforeAll(async () => {
  session = await openBrowserSession();
});
afterAll(async () => {
  await session?.close();
});

describe('app shell', () => {
  it('is served with the CSP and cross-origin isolation headers, and the CSP blocks inline scripts', async () => {
    const { page } = session;
    const response = await page.goto(inject('baseUrl'));
    const headers = response?.headers() ?? {};
    expect(headers['content-security-policy']).toBe(contentSecurityPolicy);
    expect(headers['content-security-policy']).toContain("script-src 'self' 'wasm-unsafe-eval'");
    expect(headers['cross-origin-opener-policy']).toBe('same-origin');
    expect(headers['cross-origin-embedder-policy']).toBe('require-corp');
    await waitForApp(page);
    expect(await page.evaluate(() => globalThis.crossOriginIsolated)).toBe(true);
    const ran = await page.evaluate(async () => {
      const script = document.createElement('script');
      script.textContent = 'window.__inlineRan = true';
      document.body.append(script);
      await new Promise((resolve) => setTimeout(resolve, 100));
      return (window as unknown as { __inlineRan?: boolean }).__inlineRan === true;
    });
    expect(ran).toBe(false);
    expect(session.problems.some((problem) => problem.includes('CSP violation: script-src'))).toBe(true);
    session.problems.length = 0;
  });

  it('switches panels with the keyboard (tabs pattern)', async () => {
    const { page } = session;
    await page.goto(`${inject('baseUrl')}#panel=sweep`);
    await waitForApp(page);
    await page.getByRole('tab', { name: 'Sweep lab' }).focus();
    await page.keyboard.press('ArrowRight');
    await expect
      .poll(() => page.getByRole('tab', { name: 'Schedule designer' }).getAttribute('aria-selected'))
      .toBe('true');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('tab-schedules');
    await page.keyboard.press('End');
    await expect
      .poll(() => page.getByRole('tab', { name: 'Runs' }).getAttribute('aria-selected'))
      .toBe('true');
    await page.keyboard.press('ArrowLeft');
    await expect
      .poll(() => page.getByRole('tab', { name: 'Range test' }).getAttribute('aria-selected'))
      .toBe('true');
    await expect.poll(() => page.url()).toContain('panel=range-test');
    const panel = page.getByRole('tabpanel', { name: 'Range test' });
    expect(await panel.getByRole('button', { name: 'Run range test' }).count()).toBe(1);
    expect(session.problems).toEqual([]);
  });

  it('carries the configuration in the URL: a fresh browser profile opens the same schedule', async () => {
    const { page } = session;
    await page.goto(`${inject('baseUrl')}#panel=schedules`);
    await waitForApp(page);
    const spec: ScheduleSpec = { type: 'cosineWarmRestarts', lr: 0.05, t0: 10, tMult: 2 };
    await page.getByLabel('Spec JSON', { exact: false }).fill(JSON.stringify(spec));
    await page.getByLabel('Steps to plot').fill('70');
    await expect.poll(() => page.url()).toContain('state=');
    const shared = page.url();

    const context = await session.browser.newContext();
    const fresh = await context.newPage();
    await fresh.goto(shared);
    await waitForApp(fresh);
    const expected = sampleSchedule(createSchedule(spec), 70);
    await expect.poll(() => plottedValues(fresh, '#schedule-chart'), { timeout: 15_000 }).toHaveLength(70);
    expectRatesClose(await plottedValues(fresh, '#schedule-chart'), expected);
    await context.close();
    expect(session.problems).toEqual([]);
  });

  it('lays out every panel without horizontal scrolling on a phone-sized screen', async () => {
    const { page } = session;
    await page.setViewportSize({ width: 390, height: 844 });
    for (const panel of ['sweep', 'schedules', 'race', 'range-test', 'runs']) {
      await page.goto(`${inject('baseUrl')}#panel=${panel}`);
      await waitForApp(page);
      await page.waitForTimeout(300);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow, panel).toBeLessThanOrEqual(0);
    }
    await page.goto(`${inject('baseUrl')}#panel=schedules`);
    await waitForApp(page);
    await session.screenshot('schedule-designer-phone');
    expect(session.problems).toEqual([]);
  });
});
