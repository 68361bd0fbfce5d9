import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadEmbeddedMnist } from '@contour/mnist-loader';
import { deriveIdxFiles, writeIdxFixtureDirectory } from '@contour/mnist-loader/testing';
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

describe('sweep lab on IDX datasets beyond ten 28×28 digits', () => {
  it('trains a 26-class set and a 14×14 set, each below chance after one epoch', async () => {
    const { page } = session;
    const folder = mkdtempSync(join(tmpdir(), 'contour-web-idx-shapes-'));
    const digits = await loadEmbeddedMnist();
    const sets = [
      {
        name: 'letters',
        classes: 26,
        size: '28×28',
        files: deriveIdxFiles(digits, { trainCount: 600, testCount: 100, classes: 'letters' }),
      },
      {
        name: 'small',
        classes: 10,
        size: '14×14',
        files: deriveIdxFiles(digits, { trainCount: 600, testCount: 100, downsample: 2 }),
      },
    ];
    await page.goto(`${inject('baseUrl')}#panel=sweep`);
    await waitForApp(page);
    for (const set of sets) {
      const paths = await writeIdxFixtureDirectory(join(folder, set.name), set.files, { gzipped: true });
      await page.locator('#idx-files').setInputFiles(Object.values(paths));
      await expect.poll(() => page.locator('#idx-files-status').textContent()).toContain('Ready');
      await page.getByLabel('Training images').fill('600');
      await page.getByLabel('Model', { exact: true }).fill('linear');
      await page.getByLabel('Epochs').fill('1');
      await page.getByLabel('Learning rates').fill('0.1, 0.5');
      await page.getByLabel('Backend', { exact: true }).selectOption('cpu');
      await page.getByRole('button', { name: 'Start' }).click();
      await page.waitForSelector('#sweep-status[data-phase="idle"]', { timeout: 90_000 });
      expect(await page.locator('#sweep-error').textContent(), set.name).toBe('');
      expect(await page.locator('#sweep-status').textContent()).toContain('Finished');
      const described = await page.locator('#sweep-data').textContent();
      expect(described).toContain(`${set.classes} classes of ${set.size} images`);

      const rows = (await chartRows(page, '#sweep-chart')).filter((row) => row.marker === '');
      expect([...new Set(rows.map((row) => row.run))]).toEqual(['lr=0.1', 'lr=0.5']);
      for (const run of ['lr=0.1', 'lr=0.5']) {
        for (const split of ['train', 'validation']) {
          const values = rows
            .filter((row) => row.run === run && row.split === split && row.epoch === 1)
            .map((row) => row.value as number);
          expect(values, `${set.name} ${run} ${split}`).toHaveLength(2);
          for (const value of values) expect(Number.isFinite(value)).toBe(true);
        }
      }
      const chance = 1 - 1 / set.classes;
      const table = await page
        .locator('#sweep-results tbody tr')
        .evaluateAll((trs) =>
          trs.map((tr) => [...tr.querySelectorAll('th, td')].map((cell) => cell.textContent?.trim() ?? '')),
        );
      expect(table.map((cells) => cells[1])).toEqual(['finished', 'finished']);
      for (const cells of table) {
        const validationError = Number.parseFloat(cells[2] ?? '') / 100;
        const validationLoss = Number.parseFloat(cells[3] ?? '');
        console.log(
          `${set.name} (${set.classes} classes, ${set.size}) ${cells[0]}: validation error ${cells[2]}, CE ${cells[3]}, train CE ${cells[4]}; chance ${(100 * chance).toFixed(2)} %`,
        );
        expect(Number.isFinite(validationLoss)).toBe(true);
        expect(validationError).toBeGreaterThanOrEqual(0);
        expect(validationError).toBeLessThan(chance);
        expect(cells[8], 'no finding says the run sits at chance').not.toMatch(/collapsed|chance/);
      }
      // The runs record K, so their findings (and the Runs panel) put chance at 1 − 1/K.
      const recordedClassCounts = await page.evaluate(() =>
        (
          document.querySelector('sweep-lab') as unknown as {
            trials: Array<{ records: Array<{ kind: string; config?: { data?: { classCount?: number } } }> }>;
          }
        ).trials.map(
          (trial) => trial.records.find((record) => record.kind === 'run-start')?.config?.data?.classCount,
        ),
      );
      expect(recordedClassCounts).toEqual([set.classes, set.classes]);
    }
    expect(session.problems).toEqual([]);
  });
});
