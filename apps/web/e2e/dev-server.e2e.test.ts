import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServer, type ViteDevServer } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BrowserSession, openBrowserSession } from './browser-session.js';
import { waitForApp } from './page-helpers.js';

const appDirectory = join(dirname(fileURLToPath(import.meta.url)), '..');

describe('pnpm --filter @contour/web dev', () => {
  // A fresh dependency cache, as on a first `pnpm dev`: dependencies Vite discovers only when the
  // worker asks for them make it re-bundle and reload the page, losing what the user started.
  const cacheDirectory = mkdtempSync(join(tmpdir(), 'contour-web-dev-cache-'));
  let server: ViteDevServer;
  let session: BrowserSession;

  beforeAll(async () => {
    server = await createServer({
      root: appDirectory,
      configFile: join(appDirectory, 'vite.config.ts'),
      cacheDir: cacheDirectory,
      logLevel: 'warn',
      server: { host: '127.0.0.1', port: 0, open: false },
    });
    await server.listen();
    session = await openBrowserSession();
  });

  afterAll(async () => {
    await session?.close();
    await server?.close();
    rmSync(cacheDirectory, { recursive: true, force: true });
  });

  it('runs a sweep on the first visit without reloading the page', async () => {
    const { page } = session;
    const address = server.httpServer?.address();
    if (!address || typeof address !== 'object') throw new Error('the dev server has no address');
    await page.goto(`http://127.0.0.1:${address.port}/#panel=sweep`);
    await waitForApp(page);
    // Gone if the page reloads (the URL's hash changes as settings change, so navigations are no sign).
    await page.evaluate(() => Object.assign(globalThis, { contourDevServerMarker: true }));
    await page.getByLabel('Training images').fill('600');
    await page.getByLabel('Epochs').fill('1');
    await page.getByLabel('Learning rates').fill('0.05, 0.5');
    await page.getByLabel('Backend', { exact: true }).selectOption('cpu');
    await page.getByRole('button', { name: 'Start' }).click();
    await page.waitForSelector('#sweep-status[data-phase="idle"]', { timeout: 180_000 });
    expect(await page.locator('#sweep-status').textContent()).toContain('Finished');
    expect(await page.locator('#sweep-error').textContent()).toBe('');
    expect(await page.evaluate(() => 'contourDevServerMarker' in globalThis)).toBe(true);
    expect(session.problems).toEqual([]);
  }, 240_000);
});
