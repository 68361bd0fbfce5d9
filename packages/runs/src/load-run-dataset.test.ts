import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { prepareRunDataset, resolveDataConfig } from '@contour/core';
import { encodeIdxImages, encodeIdxLabels } from '@contour/mnist-loader';
import { loadMnistDataset } from '@contour/mnist-loader/node';
import { afterAll, describe, expect, it } from 'vitest';
import { loadDataSource, loadRunDataset } from './load-run-dataset.js';

const scratch = mkdtempSync(join(tmpdir(), 'contour-load-run-dataset-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('loadDataSource', () => {
  it('reads a built-in source once per process and a directory each time', async () => {
    const first = await loadDataSource('mnist');
    // Identity, not deep equality (comparing 10,000 images element by element is slow).
    expect((await loadDataSource('mnist')) === first).toBe(true);
    expect((await loadDataSource('mnist', 12)) === first).toBe(false);
    expect((await loadDataSource('mnist', 12)).classCount).toBe(12);

    const images = new Uint8Array(4 * 2 * 2).map((_, index) => index * 3);
    writeFileSync(join(scratch, 'train-images-idx3-ubyte'), encodeIdxImages(images, 4, 2, 2));
    writeFileSync(join(scratch, 'train-labels-idx1-ubyte'), encodeIdxLabels(new Uint8Array([0, 1, 0, 1])));
    writeFileSync(join(scratch, 't10k-images-idx3-ubyte'), encodeIdxImages(images.subarray(0, 8), 2, 2, 2));
    writeFileSync(join(scratch, 't10k-labels-idx1-ubyte'), encodeIdxLabels(new Uint8Array([0, 1])));
    const directory = await loadDataSource(scratch);
    expect((await loadDataSource(scratch)) === directory).toBe(false);
    expect(await loadDataSource(scratch)).toEqual(directory);
  });

  it('gives every trial the same prepared data as a fresh read (preparing never changes the cache)', async () => {
    const data = resolveDataConfig({ trainLimit: 600 });
    for (const seed of [0, 1, 0]) {
      const fromCache = await loadRunDataset(data, { seed, batchSize: 32 });
      const fresh = prepareRunDataset(await loadMnistDataset('mnist'), data, { seed, batchSize: 32 });
      expect(fromCache.train.count).toBe(fresh.train.count);
      expect([...fromCache.train.indices]).toEqual([...fresh.train.indices]);
      expect([...fromCache.train.labels]).toEqual([...fresh.train.labels]);
      expect(Buffer.from(fromCache.train.images.pixels).equals(Buffer.from(fresh.train.images.pixels))).toBe(
        true,
      );
      expect([...fromCache.validation.indices]).toEqual([...fresh.validation.indices]);
    }
  });
});
