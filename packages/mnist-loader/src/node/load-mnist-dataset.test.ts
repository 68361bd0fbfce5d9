import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { labelHistogram } from '../mnist-dataset.js';
import {
  DatasetNotFoundError,
  IdxCountMismatchError,
  IdxFormatError,
  IdxLabelError,
} from '../mnist-loader-error.js';
import { createIdxFixture, deriveIdxFiles, writeIdxFixtureDirectory } from '../testing/index.js';
import {
  fashionMnistDirectory,
  loadFashionMnist,
  loadIdxDirectory,
  loadIdxFiles,
  loadMnistDataset,
} from './load-mnist-dataset.js';

const fashionInstalled = existsSync(fashionMnistDirectory);
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const scratch = await mkdtemp(join(tmpdir(), 'mnist-loader-'));
afterAll(() => rm(scratch, { recursive: true, force: true }));

describe('loadFashionMnist', () => {
  it.skipIf(!fashionInstalled)('loads the full Fashion-MNIST from the Debian package', async () => {
    const dataset = await loadFashionMnist();
    expect([dataset.name, dataset.classNames[9]]).toEqual(['fashion-mnist', 'Ankle boot']);
    expect([dataset.train.count, dataset.test.count, dataset.train.rows, dataset.train.columns]).toEqual([
      60000, 10000, 28, 28,
    ]);
    expect(labelHistogram(dataset.train.labels, 10)).toEqual(new Array(10).fill(6000));
    expect(labelHistogram(dataset.test.labels, 10)).toEqual(new Array(10).fill(1000));
    expect(Array.from(dataset.train.labels.subarray(0, 10))).toEqual([9, 0, 0, 3, 0, 2, 7, 2, 5, 5]);
    expect(Array.from(dataset.test.labels.subarray(0, 10))).toEqual([9, 2, 1, 1, 6, 1, 4, 6, 5, 7]);
    expect([Math.min(...new Set(dataset.test.pixels)), Math.max(...new Set(dataset.test.pixels))]).toEqual([
      0, 255,
    ]);
    expect(sha256(dataset.train.pixels.subarray(0, 7840))).toBe(
      '76572dc31d5577d692ce9c71a65528a8a5345f8a31aa15089a0585fd02758d1b',
    );
    expect(sha256(dataset.test.pixels.subarray(0, 7840))).toBe(
      'c9665db176243f9f0706b99fc7cedd0367466d363943d966ae8d7c50825f681d',
    );
  });

  it('says in one line how to get it when it is missing', async () => {
    const attempt = loadFashionMnist(join(scratch, 'absent'));
    await expect(attempt).rejects.toBeInstanceOf(DatasetNotFoundError);
    await expect(attempt).rejects.toThrow(
      /absent: fashion-mnist must be installed \(apt-get install dataset-fashion-mnist\) or given as a directory holding its four IDX files; got no such directory$/,
    );
  });
});

describe('loadIdxDirectory', () => {
  const fixture = createIdxFixture({ trainCount: 12, testCount: 6 });

  it.each([
    ['plain', false],
    ['gzipped', true],
  ])('loads a directory of %s IDX files', async (kind, gzipped) => {
    const files = gzipped
      ? createIdxFixture({ trainCount: 12, testCount: 6, gzip: true }).files
      : fixture.files;
    const directory = join(scratch, kind);
    await writeIdxFixtureDirectory(directory, files, { gzipped });
    const dataset = await loadIdxDirectory(directory);
    expect([dataset.name, dataset.train.count, dataset.test.count]).toEqual([kind, 12, 6]);
    expect(dataset.train.pixels).toEqual(fixture.train.pixels);
    expect(Array.from(dataset.test.labels)).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('names the missing file and the names it looked for', async () => {
    const directory = join(scratch, 'incomplete');
    await writeIdxFixtureDirectory(directory, fixture.files);
    await rm(join(directory, 't10k-labels-idx1-ubyte'));
    await expect(loadIdxDirectory(directory)).rejects.toThrow(
      `${directory}: testLabels file must be present as t10k-labels-idx1-ubyte or t10k-labels-idx1-ubyte.gz; got no such file`,
    );
  });

  it('rejects mismatched counts and truncated files before reading them whole', async () => {
    const directory = join(scratch, 'mismatch');
    const paths = await writeIdxFixtureDirectory(directory, {
      ...fixture.files,
      testLabels: fixture.files.trainLabels,
    });
    await expect(loadIdxDirectory(directory)).rejects.toThrow(IdxCountMismatchError);
    await writeFile(paths.testLabels, fixture.files.testLabels);
    await writeFile(paths.trainImages, fixture.files.trainImages.slice(0, 500));
    await expect(loadIdxDirectory(directory)).rejects.toThrow(IdxFormatError);
    await expect(loadIdxDirectory(directory)).rejects.toThrow(
      `${paths.trainImages}: file length must be exactly 9424 bytes (as its header declares); got 500 bytes (truncated)`,
    );
  });
});

describe('loadIdxFiles', () => {
  it('accepts paths, bytes and blobs alike', async () => {
    const fixture = createIdxFixture({ trainCount: 4, testCount: 2, gzip: true });
    const paths = await writeIdxFixtureDirectory(join(scratch, 'mixed'), fixture.files, { gzipped: true });
    const dataset = await loadIdxFiles({
      trainImages: paths.trainImages,
      trainLabels: fixture.files.trainLabels,
      testImages: new Blob([fixture.files.testImages as Uint8Array<ArrayBuffer>]),
      testLabels: fixture.files.testLabels.slice().buffer,
    });
    expect([dataset.train.count, dataset.test.count]).toEqual([4, 2]);
    expect(dataset.train.pixels).toEqual(fixture.train.pixels);
  });
});

describe('loadMnistDataset', () => {
  it('loads the embedded sample by default and rejects unknown sources listing the names', async () => {
    expect((await loadMnistDataset()).train.count).toBe(8495);
    await expect(loadMnistDataset('kmnist')).rejects.toThrow(
      'kmnist: data source must be one of mnist, fashion-mnist or a directory holding the four IDX files; got neither a known name nor an existing path',
    );
  });
});

describe('loadIdxDirectory beyond ten 28×28 classes', () => {
  it('infers the class count from the labels of both splits (26 classes)', async () => {
    const fixture = createIdxFixture({ trainCount: 30, testCount: 8, classCount: 26 });
    const directory = join(scratch, 'letters');
    await writeIdxFixtureDirectory(directory, fixture.files);
    const dataset = await loadIdxDirectory(directory);
    expect([dataset.classCount, dataset.classNames.length, dataset.classNames[25]]).toEqual([26, 26, '25']);
    expect(labelHistogram(dataset.train.labels, dataset.classCount).every((count) => count >= 1)).toBe(true);
  });

  it('checks every label against an explicit class count, as strictly as before', async () => {
    const fixture = createIdxFixture({ trainCount: 30, testCount: 8, classCount: 26 });
    const directory = join(scratch, 'letters-strict');
    const paths = await writeIdxFixtureDirectory(directory, fixture.files);
    expect((await loadIdxDirectory(directory, { classCount: 47 })).classCount).toBe(47);
    const attempt = loadIdxDirectory(directory, { classCount: 10 });
    await expect(attempt).rejects.toBeInstanceOf(IdxLabelError);
    await expect(attempt).rejects.toThrow(`${paths.trainLabels}: label[10] must be in 0..9; got 10`);
    await expect(loadIdxDirectory(directory, { classCount: 1 })).rejects.toThrow(
      'classCount must be an integer in 2..256; got 1',
    );
  });

  it('refuses labels naming a single class', async () => {
    const fixture = createIdxFixture({ trainCount: 4, testCount: 2, classCount: 1 });
    const directory = join(scratch, 'one-class');
    const paths = await writeIdxFixtureDirectory(directory, fixture.files);
    await expect(loadIdxDirectory(directory)).rejects.toThrow(
      `${paths.trainLabels}: labels must be at least two classes (labels 0..K − 1 with K ≥ 2); got only label 0`,
    );
  });

  it('accepts any image size when both splits agree (14×14, 20×9)', async () => {
    for (const [rows, columns] of [
      [14, 14],
      [20, 9],
    ] as const) {
      const fixture = createIdxFixture({ trainCount: 6, testCount: 3, rows, columns });
      const directory = join(scratch, `size-${rows}x${columns}`);
      await writeIdxFixtureDirectory(directory, fixture.files);
      const dataset = await loadIdxDirectory(directory);
      expect([dataset.train.rows, dataset.train.columns, dataset.test.rows]).toEqual([rows, columns, rows]);
      expect(dataset.train.pixels).toEqual(fixture.train.pixels);
    }
    const small = createIdxFixture({ trainCount: 6, testCount: 3, rows: 14, columns: 14 });
    const directory = join(scratch, 'size-mismatch');
    const paths = await writeIdxFixtureDirectory(directory, {
      ...small.files,
      testImages: createIdxFixture({ testCount: 3 }).files.testImages,
    });
    await expect(loadIdxDirectory(directory)).rejects.toThrow(
      `${paths.testImages}: image size must be 14×14 like ${paths.trainImages}; got 28×28`,
    );
    await expect(loadIdxDirectory(join(scratch, 'size-14x14'), { imageSize: [28, 28] })).rejects.toThrow(
      'rows must be 28; got 14',
    );
  });
});

describe('deriveIdxFiles', () => {
  it('makes 26 classes and 14×14 images from the embedded digits', async () => {
    const digits = await loadMnistDataset();
    const files = deriveIdxFiles(digits, {
      trainCount: 300,
      testCount: 60,
      classes: 'letters',
      downsample: 2,
    });
    const directory = join(scratch, 'derived');
    await writeIdxFixtureDirectory(directory, files);
    const dataset = await loadIdxDirectory(directory);
    expect([dataset.classCount, dataset.train.count, dataset.train.rows, dataset.train.columns]).toEqual([
      26, 300, 14, 14,
    ]);
    // The first image is digit 0 unchanged: each 14×14 pixel is the rounded mean of a 2×2 block.
    const block = (row: number, column: number) =>
      [0, 1].flatMap((dy) =>
        [0, 1].map((dx) => digits.train.pixels[(row * 2 + dy) * 28 + column * 2 + dx] ?? 0),
      );
    const mean = (values: number[]) => Math.round(values.reduce((sum, value) => sum + value, 0) / 4);
    expect(dataset.train.pixels[7 * 14 + 6]).toBe(mean(block(7, 6)));
    expect(dataset.train.labels[0]).toBe(digits.train.labels[0]);
    expect(dataset.train.labels[1]).toBe(10 + (digits.train.labels[1] ?? 0));
  });
});
