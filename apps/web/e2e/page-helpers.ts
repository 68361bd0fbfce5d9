import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';

/** Waits until the app has restored its state (IndexedDB) and rendered. */
export async function waitForApp(page: Page): Promise<void> {
  await page.waitForSelector('html[data-ready="true"]', { timeout: 30_000 });
}

/** The `rate` values a `<contour-chart>`'s Vega view plots (its inline data set), in order of t. */
export function plottedValues(page: Page, selector: string): Promise<number[]> {
  return page.evaluate((chartSelector) => {
    const chart = document.querySelector(chartSelector) as unknown as {
      view?: { data(name: string): Array<{ t: number; rate: number }> };
    } | null;
    const rows = chart?.view?.data('source_0') ?? [];
    return [...rows].sort((a, b) => a.t - b.t).map((row) => row.rate);
  }, selector);
}

/** Every row of every inline data set of a `<contour-chart>`'s Vega view. */
export function chartRows(page: Page, selector: string): Promise<Array<Record<string, unknown>>> {
  return page.evaluate((chartSelector) => {
    const chart = document.querySelector(chartSelector) as unknown as {
      view?: {
        getState(options: object): { data?: Record<string, { values?: { value?: unknown[] } | unknown[] }> };
      };
    } | null;
    const view = chart?.view;
    if (!view) return [];
    const state = view.getState({ data: () => true, signals: () => false, recurse: true });
    const rows: Array<Record<string, unknown>> = [];
    const collect = (data: Record<string, unknown> | undefined) => {
      for (const [name, entry] of Object.entries(data ?? {})) {
        if (!name.startsWith('source_') && !name.startsWith('data_')) continue;
        const values = (entry as { values?: { value?: unknown[] } })?.values?.value ?? (entry as unknown[]);
        if (Array.isArray(values)) for (const row of values) rows.push({ dataset: name, ...(row as object) });
      }
    };
    collect(state.data as Record<string, unknown> | undefined);
    return rows;
  }, selector);
}

/** Asserts that plotted rates equal the package's rates to 12 digits, t by t. */
export function expectRatesClose(plotted: readonly number[], expected: readonly number[]): void {
  expect(plotted).toHaveLength(expected.length);
  for (let t = 0; t < expected.length; t += 1) {
    expect(plotted[t], `rate at t = ${t}`).toBeCloseTo(expected[t] as number, 12);
  }
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** Serious and critical axe violations of the page as it is (rule id: first offending targets). */
export async function seriousViolations(page: Page): Promise<string[]> {
  await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const axe = (
      globalThis as unknown as {
        axe: {
          run(
            context: Document,
            options: object,
          ): Promise<{
            violations: Array<{ id: string; impact: string; nodes: Array<{ target: string[] }> }>;
          }>;
        };
      }
    ).axe;
    const result = await axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((violation) => ({
      id: violation.id,
      impact: violation.impact,
      targets: violation.nodes.slice(0, 3).map((node) => node.target.join(' ')),
    }));
  });
  return violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map((violation) => `${violation.id} (${violation.impact}): ${violation.targets.join(', ')}`);
}
