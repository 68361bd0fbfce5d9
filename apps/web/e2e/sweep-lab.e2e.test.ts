import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useCpuBackend } from '@contour/backend-cpu';
import { prepareOptions, resolveRunConfig, train } from '@contour/core';
import { loadEmbeddedMnist, prepareDataset } from '@contour/mnist-loader';
import { createIdxFixture, gzipBytes, writeIdxFixtureDirectory } from '@contour/mnist-loader/testing';
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

describe('sweep lab', () => {
  it('trains a 1-epoch sweep of 2 rates in the worker and overlays two finite series', async () => {
    const { page } = session;
    await page.goto(`${inject('baseUrl')}#panel=sweep`);
    await waitForApp(page);
    await page.getByLabel('Training images').fill('600');
    await page.getByLabel('Epochs').fill('1');
    await page.getByLabel('Learning rates').fill('0.05, 0.5');
    const started = performance.now();
    await page.getByRole('button', { name: 'Start' }).click();
    await page.waitForSelector('#sweep-status[data-phase="idle"]', { timeout: 90_000 });
    const seconds = (performance.now() - started) / 1000;
    expect(await page.locator('#sweep-error').textContent()).toBe('');
    expect(await page.locator('#sweep-status').textContent()).toContain('Finished');
    const backend = await page.locator('#sweep-backend .backend-badge').getAttribute('data-backend');
    console.log(`sweep: 2 runs × 1 epoch on ${backend} in ${seconds.toFixed(1)} s`);
    expect(['webgl', 'wasm', 'cpu']).toContain(backend);

    const rows = (await chartRows(page, '#sweep-chart')).filter((row) => row.marker === '');
    const runs = [...new Set(rows.map((row) => row.run))];
    expect(runs).toEqual(['lr=0.05', 'lr=0.5']);
    for (const run of runs) {
      for (const split of ['train', 'validation']) {
        const values = rows.filter((row) => row.run === run && row.split === split).map((row) => row.value);
        expect(values.length, `${run} ${split}`).toBeGreaterThan(0);
        for (const value of values) expect(Number.isFinite(value)).toBe(true);
      }
    }
    const statuses = await page.locator('#sweep-results tbody td[class^="status-"]').allTextContents();
    expect(statuses.map((status) => status.trim())).toEqual(['finished', 'finished']);
    expect(session.problems).toEqual([]);
  });

  it('gives the numbers @contour/core gives in Node for the same config on the cpu backend', async () => {
    const { page } = session;
    await page.getByLabel('Training images').fill('600');
    await page.getByLabel('Epochs').fill('1');
    await page.getByLabel('Learning rates').fill('0.3');
    await page.getByLabel('Backend', { exact: true }).selectOption('cpu');
    await page.getByRole('button', { name: 'Start' }).click();
    await page.waitForSelector('#sweep-status[data-phase="idle"]', { timeout: 90_000 });
    expect(await page.locator('#sweep-backend .backend-badge').getAttribute('data-backend')).toBe('cpu');
    const browser = (await chartRows(page, '#sweep-chart')).filter(
      (row) => row.marker === '' && row.epoch === 1,
    );

    await useCpuBackend();
    const config = resolveRunConfig({
      data: { source: 'mnist', validation: 0.2, trainLimit: 600 },
      training: { model: 'linear', optimizer: { type: 'sgd', lr: 0.3 }, epochs: 1, batchSize: 64, seed: 0 },
      backend: 'cpu',
    });
    const dataset = prepareDataset(
      await loadEmbeddedMnist(),
      prepareOptions(config.data, config.training.seed),
    );
    const result = await train(config.training, { dataset });
    result.model.dispose();
    const epoch = result.history[0];
    const node = {
      train: [epoch?.train.crossEntropy, epoch?.train.classificationError],
      validation: [epoch?.validation?.crossEntropy, epoch?.validation?.classificationError],
    };
    for (const split of ['train', 'validation'] as const) {
      const values = browser.filter((row) => row.split === split).map((row) => row.value as number);
      expect(values).toHaveLength(2);
      expect(values[0]).toBeCloseTo(node[split][0] as number, 5);
      expect(values[1]).toBeCloseTo(node[split][1] as number, 6);
    }
    expect(session.problems).toEqual([]);
  });

  it('runs on the wasm backend under the CSP, pauses and resumes the worker, and stores the runs', async () => {
    const { page } = session;
    await page.getByLabel('Training images').fill('4000');
    await page.getByLabel('Model', { exact: true }).fill('mlp:128');
    await page.getByLabel('Epochs').fill('3');
    await page.getByLabel('Learning rates').fill('0.02, 0.2, 2');
    await page.getByLabel('Optimizer', { exact: true }).selectOption({ label: 'SGD + momentum 0.9' });
    await page.getByLabel('Backend', { exact: true }).selectOption('wasm');
    await page.getByRole('button', { name: 'Start' }).click();
    await page.waitForSelector('#sweep-results progress', { timeout: 60_000 });
    await page.getByRole('button', { name: 'Pause' }).click();
    await page.waitForSelector('#sweep-status[data-phase="paused"]');
    await page.waitForTimeout(1000);
    const progressWhilePaused = async () =>
      (
        await page
          .locator('#sweep-results progress')
          .evaluateAll((bars) => bars.map((bar) => (bar as HTMLProgressElement).value))
      ).join();
    const before = await progressWhilePaused();
    await page.waitForTimeout(1200);
    expect(await progressWhilePaused()).toBe(before);
    await page.getByRole('button', { name: 'Resume' }).click();
    await page.waitForSelector('#sweep-status[data-phase="idle"]', { timeout: 120_000 });
    expect(await page.locator('#sweep-error').textContent()).toBe('');
    expect(await page.locator('#sweep-backend .backend-badge').getAttribute('data-backend')).toBe('wasm');
    expect(await page.locator('#sweep-backend').textContent()).not.toContain('fell back');
    const statuses = await page.locator('#sweep-results tbody td[class^="status-"]').allTextContents();
    expect(statuses).toHaveLength(3);
    const rows = await chartRows(page, '#sweep-chart');
    expect([...new Set(rows.map((row) => row.run))]).toEqual(['lr=0.02', 'lr=0.2', 'lr=2']);
    console.log(`wasm sweep: ${await page.locator('#sweep-status').textContent()}`);
    await session.screenshot('sweep-lab');
    // Every finished run is in the Runs panel too (and in IndexedDB).
    await page.getByRole('tab', { name: 'Runs' }).click();
    await expect.poll(() => page.locator('#runs-table tbody tr').count()).toBe(6);
    expect(session.problems).toEqual([]);
  });

  it('trains on IDX files the user picks (parsed in the worker), reports broken files, and stops on request', async () => {
    const { page } = session;
    const folder = join(mkdtempSync(join(tmpdir(), 'contour-web-idx-')), 'idx');
    const fixture = createIdxFixture({ trainCount: 400, testCount: 50, gzip: true, seed: 3 });
    const broken = {
      ...fixture.files,
      trainLabels: gzipBytes(new Uint8Array([0, 0, 8, 1, 0, 0, 1, 144, 1, 2])),
    };
    const brokenPaths = await writeIdxFixtureDirectory(join(folder, 'broken'), broken, { gzipped: true });
    const paths = await writeIdxFixtureDirectory(join(folder, 'good'), fixture.files, { gzipped: true });
    await page.getByRole('tab', { name: 'Sweep lab' }).click();
    await page.locator('#idx-files').setInputFiles(Object.values(brokenPaths));
    await expect.poll(() => page.locator('#idx-files-status').textContent()).toContain('Ready');
    await page.getByLabel('Training images').fill('400');
    await page.getByLabel('Model', { exact: true }).fill('linear');
    await page.getByLabel('Epochs').fill('1');
    await page.getByLabel('Learning rates').fill('0.1');
    await page.getByLabel('Backend', { exact: true }).selectOption('cpu');
    await page.getByRole('button', { name: 'Start' }).click();
    await page.waitForSelector('#sweep-status[data-phase="idle"]', { timeout: 60_000 });
    expect(await page.locator('#sweep-error').textContent()).toMatch(
      /train-labels-idx1-ubyte\.gz: .*400|train-labels-idx1-ubyte\.gz/,
    );

    await page.locator('#idx-files').setInputFiles(Object.values(paths));
    await page.getByLabel('Epochs').fill('50');
    await page.getByLabel('Learning rates').fill('0.1, 0.2');
    await page.getByRole('button', { name: 'Start' }).click();
    await page.waitForSelector('#sweep-results progress', { timeout: 60_000 });
    // 12: the status names the run, where it is and the time left.
    await page.waitForFunction(() =>
      /left$/.test(document.querySelector('#sweep-status')?.textContent?.trim() ?? ''),
    );
    expect(await page.locator('#sweep-status').textContent()).toMatch(
      /^Training run 1 of 2 \(lr=0\.1\): epoch \d+ of 50, batch \d+ of \d+ — about \d+ (s|min) left$/,
    );
    await page.getByRole('button', { name: 'Stop' }).click();
    await page.waitForSelector('#sweep-status[data-phase="idle"]', { timeout: 60_000 });
    expect(await page.locator('#sweep-status').textContent()).toContain('Stopped');
    expect(await page.locator('#sweep-data').textContent()).toContain(
      'browser files: train-images-idx3-ubyte.gz',
    );
    const statuses = await page.locator('#sweep-results tbody td[class^="status-"]').allTextContents();
    // 12: a run that never started says so (not "waiting").
    expect(statuses.map((status) => status.trim().replace(/\s+/g, ' '))).toEqual(['interrupted', 'not run']);
    expect(session.problems).toEqual([]);
  });
});
