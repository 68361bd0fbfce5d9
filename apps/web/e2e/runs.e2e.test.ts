import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { readTar } from '../src/runs/tar.js';
import { type BrowserSession, openBrowserSession } from './browser-session.js';
import { writeCliSweepFixture } from './cli-run-fixture.js';
import { chartRows, waitForApp } from './page-helpers.js';

let session: BrowserSession;
beforeAll(async () => {
  session = await openBrowserSession();
});
afterAll(async () => {
  await session?.close();
});

describe('runs panel', () => {
  it('loads a CLI sweep folder, overlays its runs with NaN marked, shows why one failed, exports them unchanged and keeps them after a reload', async () => {
    const { page } = session;
    const fixture = writeCliSweepFixture();
    await page.goto(`${inject('baseUrl')}#panel=runs`);
    await waitForApp(page);
    await page.locator('#runs-folder').setInputFiles(fixture.directory);
    await expect.poll(() => page.locator('#runs-status').textContent()).toContain('Imported 3 runs');
    const rows = page.locator('#runs-table tbody tr');
    expect(await rows.locator('th').allTextContents()).toEqual(fixture.trials.map((trial) => trial.id));
    expect((await rows.locator('td[class^="status-"]').allTextContents()).map((text) => text.trim())).toEqual(
      ['finished', 'diverged', `failed: ${fixture.trials[2]?.message}`],
    );

    await expect.poll(async () => (await chartRows(page, '#runs-chart')).length).toBeGreaterThan(0);
    const plotted = await chartRows(page, '#runs-chart');
    expect([...new Set(plotted.map((row) => row.run))].sort()).toEqual(
      fixture.trials.map((trial) => trial.id).sort(),
    );
    expect(plotted.some((row) => row.run === 'cli-001-5e6f7a8b' && row.marker === 'NaN')).toBe(true);
    await session.screenshot('runs');

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export shown runs (.tar)' }).click(),
    ]);
    const archive = readTar(new Uint8Array(readFileSync((await download.path()) as string)));
    for (const trial of fixture.trials) {
      const exported = archive.find((entry) => entry.path.endsWith(`${trial.id}/metrics.jsonl`));
      expect(new TextDecoder().decode(exported?.content)).toBe(readFileSync(trial.metricsPath, 'utf8'));
      const status = archive.find((entry) => entry.path.endsWith(`${trial.id}/status.json`));
      expect(JSON.parse(new TextDecoder().decode(status?.content))).toMatchObject({
        status: trial.status,
        ...(trial.message ? { message: trial.message } : {}),
      });
    }

    await page.reload();
    await waitForApp(page);
    await expect.poll(() => page.locator('#runs-table tbody tr').count()).toBe(3);
    expect(await page.locator('#runs-table tbody tr .status-message').allTextContents()).toEqual([
      `: ${fixture.trials[2]?.message}`,
    ]);
    expect(session.problems).toEqual([]);
  });
});
