import {
  autoSweepLearningRates,
  chooseLearningRate,
  suggestLearningRates,
  trimRangeTestCurve,
} from '@contour/core';
import { smoothedLossAt } from '@contour/metrics-logger';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { RangeTestPanel } from '../src/panels/range-test-panel.js';
import { type BrowserSession, openBrowserSession } from './browser-session.js';
import { chartRows, seriousViolations, waitForApp } from './page-helpers.js';

let session: BrowserSession;
beforeAll(async () => {
  session = await openBrowserSession();
});
afterAll(async () => {
  await session?.close();
});

describe('range test', () => {
  it('runs core’s range test in the worker and plots exactly the suggestions of its curve', async () => {
    const { page } = session;
    await page.goto(`${inject('baseUrl')}#panel=range-test`);
    await waitForApp(page);
    const start = 1e-4;
    const end = 10;
    const iterations = 30;
    await page.getByLabel('Subset size (images)').fill('600');
    await page.getByLabel('Start rate').fill(String(start));
    await page.getByLabel('End rate').fill(String(end));
    await page.getByLabel('Iterations (batches)').fill(String(iterations));
    const started = performance.now();
    await page.getByRole('button', { name: 'Run range test' }).click();
    await page.waitForSelector('#range-test-status[data-finished="true"]', { timeout: 90_000 });
    const seconds = (performance.now() - started) / 1000;
    expect(await page.locator('#range-test-error').textContent()).toBe('');
    const backend = await page.locator('#range-test-backend .backend-badge').getAttribute('data-backend');
    expect(['webgl', 'wasm', 'cpu']).toContain(backend);

    // The curve the panel reports, exactly as runRangeTest returned it in the worker.
    const result = await page.evaluate(
      () => (document.querySelector('range-test-panel') as unknown as RangeTestPanel).result,
    );
    if (!result) throw new Error('the panel reports no range-test result');
    console.log(
      `range test: ${result.points.length} batches (${result.stop}) on ${backend} in ${seconds.toFixed(1)} s`,
    );
    expect(result.settings).toMatchObject({ startLearningRate: start, endLearningRate: end, iterations });
    expect(result.points.length).toBeGreaterThanOrEqual(10);
    const trimmed = trimRangeTestCurve(
      result.points.map((point) => point.learningRate),
      result.points.map((point) => point.smoothedLoss),
      iterations,
    );
    const expected = suggestLearningRates(trimmed.learningRates, trimmed.losses);
    expect(expected.valley).toBeDefined();
    expect(result.suggestions).toEqual(expected);

    // Every suggestion is marked on the plot, at the package's rate; the valley is the chosen one.
    await page
      .locator('range-test-panel contour-chart')
      .evaluate((chart) => (chart as unknown as { drawn(): Promise<void> }).drawn());
    const rows = await chartRows(page, '#range-test-chart');
    const marks = new Map<string, Record<string, unknown>>();
    for (const row of rows)
      if (typeof row.label === 'string') marks.set(row.label.split(' ')[0] as string, row);
    expect([...marks.keys()].sort()).toEqual(Object.keys(expected).sort());
    for (const [name, suggestion] of Object.entries(expected)) {
      const mark = marks.get(name);
      expect(mark?.learningRate, name).toBe(suggestion.learningRate);
      expect(mark?.pointLearningRate, name).toBe(suggestion.pointLearningRate);
      expect(Number.isFinite(suggestion.learningRate), name).toBe(true);
      expect(suggestion.pointLearningRate, name).toBeGreaterThanOrEqual(start);
      expect(suggestion.pointLearningRate, name).toBeLessThanOrEqual(end);
    }
    // 3: each suggestion is drawn once, at its rate on the smoothed curve; fastai's minimum says
    // it is the lowest loss's rate ÷ 10, and the table pairs the rate with the loss at that rate.
    for (const [name, suggestion] of Object.entries(expected)) {
      expect(marks.get(name)?.loss, name).toBeCloseTo(
        smoothedLossAt(result.points, suggestion.learningRate),
        12,
      );
    }
    const minimum = expected.minimum;
    if (minimum && minimum.pointLearningRate !== minimum.learningRate) {
      expect(String(marks.get('minimum')?.label)).toContain('÷ 10');
      const row = await page.locator('#range-test-suggestions tr[data-suggestion="minimum"]').textContent();
      expect(row).toContain(`÷ 10 = ${Number.parseFloat(minimum.learningRate.toPrecision(3))}`);
      expect(row).toContain(smoothedLossAt(result.points, minimum.learningRate).toPrecision(4));
    }
    expect(marks.get('valley')?.selected).toBe(true);
    expect(String(marks.get('valley')?.label)).toContain('(chosen)');
    // The smoothed curve is drawn on a log-rate axis.
    const curve = rows.filter((row) => row.smoothedLoss !== undefined && row.label === undefined);
    expect(curve.length).toBeGreaterThan(0);
    const table = await page
      .locator('#range-test-suggestions tbody tr')
      .evaluateAll((cells) =>
        cells.map((row) => [row.getAttribute('data-suggestion'), row.getAttribute('data-learning-rate')]),
      );
    for (const [name, rate] of table) {
      const suggestion = expected[name as keyof typeof expected];
      expect(rate, String(name)).toBe(suggestion ? String(suggestion.learningRate) : '');
    }
    await session.screenshot('range-test');

    // The chosen rate goes to the Sweep lab, with the model and optimizer tested.
    const valley = expected.valley?.learningRate as number;
    await page.locator('#range-test-use').click();
    await expect
      .poll(() => page.getByRole('tab', { name: 'Sweep lab' }).getAttribute('aria-selected'))
      .toBe('true');
    expect(await page.locator('#sweep-rates').inputValue()).toBe(
      String(Number.parseFloat(valley.toPrecision(3))),
    );
    expect(session.problems).toEqual([]);
  });

  it('offers the auto rule’s rate (the CLI’s --lr auto on this test), and the Sweep lab brackets it', async () => {
    const { page } = session;
    await page.goto(`${inject('baseUrl')}#panel=range-test`);
    await waitForApp(page);
    await page.getByLabel('Subset size (images)').fill('600');
    await page.getByLabel('Start rate').fill('1e-5');
    await page.getByLabel('End rate').fill('10');
    await page.getByLabel('Iterations (batches)').fill('60');
    await page.getByLabel('Compute backend').selectOption('cpu');
    await page.getByRole('button', { name: 'Run range test' }).click();
    await page.waitForSelector('#range-test-status[data-finished="true"]', { timeout: 90_000 });
    const result = await page.evaluate(
      () => (document.querySelector('range-test-panel') as unknown as RangeTestPanel).result,
    );
    if (!result) throw new Error('the panel reports no range-test result');
    // The rule and the bracket, computed here by @contour/core from the curve the panel shows.
    expect(await seriousViolations(page), 'range test with the auto rule').toEqual([]);
    const auto = chooseLearningRate([result]);
    const bracket = autoSweepLearningRates(auto, 5);
    const rate = String(Number.parseFloat(auto.learningRate.toPrecision(3)));
    expect(await page.locator('#range-test-auto').textContent()).toContain(auto.explanation);
    const button = page.locator('#range-test-auto-use');
    expect((await button.textContent())?.trim()).toBe(`Auto: use ${rate} in the Sweep lab`);
    await button.click();
    await expect
      .poll(() => page.getByRole('tab', { name: 'Sweep lab' }).getAttribute('aria-selected'))
      .toBe('true');
    expect(await page.getByLabel('Learning rates').inputValue()).toBe(rate);
    // The Sweep lab's "bracket the suggestion": 5 rates across the usable region, around the rate.
    expect(await page.locator('#sweep-bracket-note').textContent()).toContain(`auto rate is ${rate}`);
    await page.locator('#sweep-bracket').click();
    expect(await page.getByLabel('Learning rates').inputValue()).toBe(bracket.join(', '));
    expect(bracket[0]).toBeLessThanOrEqual(auto.region.startLearningRate * 1.005);
    expect(bracket[4]).toBeGreaterThanOrEqual(auto.region.endLearningRate * 0.995);
    expect(bracket[2]).toBeCloseTo(Number(auto.learningRate.toPrecision(3)), 12);
    expect(await seriousViolations(page), 'sweep lab with the bracket').toEqual([]);
    expect(session.problems).toEqual([]);
  });
});
