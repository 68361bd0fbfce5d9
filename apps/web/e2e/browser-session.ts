import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';

/** Where screenshots of the e2e run go (gitignored; the README's copies live in docs/screenshots/). */
export const artifactsDirectory = join(dirname(fileURLToPath(import.meta.url)), '..', 'e2e-artifacts');

/** Debian's Chromium (`apt-get install chromium`; `.ci/apt-packages.txt` lists it). Never downloaded. */
export const chromiumPath = process.env.CONTOUR_CHROMIUM ?? '/usr/bin/chromium';

/** Flags for a quiet headless Chromium on a machine without a network or GPU. */
export const chromiumArguments = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-default-apps',
];

/** A browser page whose console errors, uncaught errors and CSP violations are collected. */
export interface BrowserSession {
  readonly browser: Browser;
  readonly context: BrowserContext;
  readonly page: Page;
  /** Every console error, page error and CSP violation so far (tests assert it stays empty). */
  readonly problems: string[];
  screenshot(name: string): Promise<string>;
  close(): Promise<void>;
}

/**
 * Launches headless Chromium (a fresh temporary profile each time) and opens a page that records
 * problems: `console.error` (page and workers), uncaught exceptions, failed requests to the app's
 * origin and `securitypolicyviolation` events.
 */
export async function openBrowserSession(viewport = { width: 1360, height: 900 }): Promise<BrowserSession> {
  if (!existsSync(chromiumPath)) {
    throw new Error(
      `Chromium not found at ${chromiumPath}: install Debian's chromium (bash .ci/install-system-packages.sh, or apt-get install chromium) or set CONTOUR_CHROMIUM`,
    );
  }
  const browser = await chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: chromiumArguments,
  });
  const context = await browser.newContext({ viewport, acceptDownloads: true });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console.error: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('worker', (worker) => {
    worker.on('console', (message) => {
      if (message.type() === 'error') problems.push(`worker console.error: ${message.text()}`);
    });
  });
  page.on('requestfailed', (request) => {
    problems.push(`request failed: ${request.url()} (${request.failure()?.errorText ?? 'unknown'})`);
  });
  await page.exposeFunction('__contourReportProblem', (text: string) => problems.push(text));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      const report = (globalThis as unknown as { __contourReportProblem(text: string): void })
        .__contourReportProblem;
      report(
        `CSP violation: ${event.violatedDirective} blocked ${event.blockedURI || 'inline code'} (${event.sourceFile}:${event.lineNumber})`,
      );
    });
  });
  mkdirSync(artifactsDirectory, { recursive: true });
  return {
    browser,
    context,
    page,
    problems,
    async screenshot(name) {
      const path = join(artifactsDirectory, `${name}.png`);
      await page.screenshot({ path, fullPage: true });
      return path;
    },
    async close() {
      await context.close();
      await browser.close();
    },
  };
}
