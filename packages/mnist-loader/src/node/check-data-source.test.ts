import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createIdxFixture, idxCorruptions, writeIdxFixtureDirectory } from '../testing/index.js';
import { checkMnistSource } from './check-data-source.js';
import { loadMnistDataset, namedSources } from './load-mnist-dataset.js';

const scratch = mkdtempSync(join(tmpdir(), 'contour-check-source-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** What a promise rejects with (class and message), or 'resolved'. */
async function outcome(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'resolved';
  } catch (error) {
    return error instanceof Error ? `${error.constructor.name}: ${error.message}` : String(error);
  }
}

let directories = 0;
async function fixtureDirectory(
  change: (
    files: ReturnType<typeof createIdxFixture>['files'],
  ) => Partial<ReturnType<typeof createIdxFixture>['files']> = () => ({}),
  gzipped = false,
): Promise<string> {
  directories += 1;
  const directory = join(scratch, `set-${directories}`);
  const { files } = createIdxFixture({ gzip: gzipped });
  await writeIdxFixtureDirectory(directory, { ...files, ...change(files) }, { gzipped });
  return directory;
}

describe('checkMnistSource', () => {
  it('knows the names loadMnistDataset knows', async () => {
    expect(namedSources).toEqual(['mnist', 'fashion-mnist']);
    expect(await outcome(checkMnistSource())).toBe('resolved');
    expect(await outcome(checkMnistSource('mnist', { classCount: 12 }))).toBe('resolved');
  });

  it('passes a sound directory, gzipped or not, as the load does', async () => {
    for (const gzipped of [false, true]) {
      const directory = await fixtureDirectory(undefined, gzipped);
      expect(await outcome(checkMnistSource(directory, { classCount: 10 }))).toBe('resolved');
      expect(await outcome(loadMnistDataset(directory, { classCount: 10 }))).toBe('resolved');
    }
  });

  it.each([
    ['an unknown name', async (): Promise<string> => 'no-such-dataset'],
    ['the embedded sample with too few classes', async (): Promise<string> => 'mnist', 5],
    [
      'a file, not a directory',
      async (): Promise<string> => {
        const file = join(scratch, 'plain-file');
        writeFileSync(file, 'x');
        return file;
      },
    ],
    [
      'a directory without the test labels',
      async (): Promise<string> => {
        const directory = await fixtureDirectory();
        rmSync(join(directory, 't10k-labels-idx1-ubyte'));
        return directory;
      },
    ],
    ...Object.entries(idxCorruptions).map(
      ([name, corrupt]) =>
        [
          `test images: ${name}`,
          (): Promise<string> => fixtureDirectory((files) => ({ testImages: corrupt(files.testImages) })),
        ] as const,
    ),
    ...Object.entries(idxCorruptions).map(
      ([name, corrupt]) =>
        [
          `training labels: ${name}`,
          (): Promise<string> => fixtureDirectory((files) => ({ trainLabels: corrupt(files.trainLabels) })),
        ] as const,
    ),
    ['a training label beyond the class count', (): Promise<string> => fixtureDirectory(), 8],
  ] as const)('refuses %s with the load’s own error', async (_, source, classCount?: number) => {
    const path = await source();
    const options = classCount === undefined ? {} : { classCount };
    const expected = await outcome(loadMnistDataset(path, options));
    expect(expected).not.toBe('resolved');
    expect(await outcome(checkMnistSource(path, options))).toBe(expected);
  });

  it('leaves to the load what needs the images or the test split read', async () => {
    // Test labels beyond the class count: the training labels are sound, so only the load sees it.
    const directory = await fixtureDirectory((files) => ({
      testLabels: Uint8Array.from(files.testLabels, (value, index) => (index === 8 ? 11 : value)),
    }));
    expect(await outcome(checkMnistSource(directory, { classCount: 10 }))).toBe('resolved');
    expect(await outcome(loadMnistDataset(directory, { classCount: 10 }))).toBe(
      `IdxLabelError: ${join(directory, 't10k-labels-idx1-ubyte')}: label[0] must be in 0..9; got 11`,
    );
  });
});
