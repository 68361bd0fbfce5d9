import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { encodeIdxImages, encodeIdxLabels } from '../encode-idx.js';
import type { IdxFileSet } from '../mnist-dataset.js';
import { standardIdxFileNames } from '../mnist-dataset.js';
import { createSeededRandom } from '../seeded-random.js';

/** Gzips bytes (one gzip member), as MNIST's `.gz` files are. */
export function gzipBytes(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(gzipSync(bytes));
}

/** What {@link createIdxFixture} generates. */
export interface IdxFixture {
  /** The four encoded files. */
  readonly files: IdxFileSet<Uint8Array>;
  /** The pixels and labels encoded, to compare a parse with. */
  readonly train: { readonly pixels: Uint8Array; readonly labels: Uint8Array };
  readonly test: { readonly pixels: Uint8Array; readonly labels: Uint8Array };
  readonly rows: number;
  readonly columns: number;
}

/** Options of {@link createIdxFixture}. */
export interface IdxFixtureOptions {
  readonly trainCount?: number;
  readonly testCount?: number;
  readonly rows?: number;
  readonly columns?: number;
  readonly classCount?: number;
  readonly seed?: number;
  /** Gzip the four files. */
  readonly gzip?: boolean;
}

/**
 * Generates a small valid MNIST-format dataset from seeded random bytes (default 20 training and
 * 10 test images of 28×28, labels cycling 0..9, not gzipped).
 */
export function createIdxFixture(options: IdxFixtureOptions = {}): IdxFixture {
  const { trainCount = 20, testCount = 10, rows = 28, columns = 28, classCount = 10, seed = 1 } = options;
  const random = createSeededRandom(seed);
  const makeSplit = (count: number) => ({
    pixels: Uint8Array.from({ length: count * rows * columns }, () => Math.floor(random() * 256)),
    labels: Uint8Array.from({ length: count }, (_, index) => index % classCount),
  });
  const train = makeSplit(trainCount);
  const test = makeSplit(testCount);
  const maybeGzip = (bytes: Uint8Array) => (options.gzip === true ? gzipBytes(bytes) : bytes);
  return {
    files: {
      trainImages: maybeGzip(encodeIdxImages(train.pixels, trainCount, rows, columns)),
      trainLabels: maybeGzip(encodeIdxLabels(train.labels)),
      testImages: maybeGzip(encodeIdxImages(test.pixels, testCount, rows, columns)),
      testLabels: maybeGzip(encodeIdxLabels(test.labels)),
    },
    train,
    test,
    rows,
    columns,
  };
}

/** Returns a copy of `bytes` with the big-endian 32-bit word at `offset` replaced. */
export function withWord(bytes: Uint8Array, offset: number, value: number): Uint8Array {
  const copy = bytes.slice();
  new DataView(copy.buffer).setUint32(offset, value >>> 0);
  return copy;
}

/** Broken variants of valid (uncompressed) IDX files, by name, for error tests. */
export const idxCorruptions: Readonly<Record<string, (bytes: Uint8Array) => Uint8Array>> = {
  'truncated body': (bytes) => bytes.slice(0, bytes.length - 1),
  'over-long body': (bytes) => Uint8Array.from([...bytes, 0]),
  'truncated header': (bytes) => bytes.slice(0, 6),
  'empty file': () => new Uint8Array(0),
  'not IDX (text)': () => new TextEncoder().encode('<html>Not Found</html>'),
  'wrong dtype (0x0d float)': (bytes) =>
    Uint8Array.from(bytes, (value, index) => (index === 2 ? 0x0d : value)),
  'wrong dimension count': (bytes) => Uint8Array.from(bytes, (value, index) => (index === 3 ? 2 : value)),
  'count too large': (bytes) => withWord(bytes, 4, 0xffffffff),
};

/** Broken variants of gzipped files, by name. */
export const gzipCorruptions: Readonly<Record<string, (gzipped: Uint8Array) => Uint8Array>> = {
  'truncated gzip': (gzipped) => gzipped.slice(0, Math.floor(gzipped.length * 0.8)),
  'corrupt CRC-32': (gzipped) =>
    Uint8Array.from(gzipped, (value, index) => (index === gzipped.length - 6 ? value ^ 0xff : value)),
  'trailing garbage': (gzipped) => Uint8Array.from([...gzipped, ...new TextEncoder().encode('garbage!')]),
  'trailing zeros': (gzipped) => Uint8Array.from([...gzipped, 0, 0, 0, 0, 0, 0, 0, 0]),
};

/**
 * Writes four IDX files into `directory` under the standard names (`.gz` appended when
 * `gzipped`), creating it; returns their paths.
 */
export async function writeIdxFixtureDirectory(
  directory: string,
  files: IdxFileSet<Uint8Array>,
  options: { readonly gzipped?: boolean } = {},
): Promise<IdxFileSet<string>> {
  await mkdir(directory, { recursive: true });
  const suffix = options.gzipped === true ? '.gz' : '';
  const roles = ['trainImages', 'trainLabels', 'testImages', 'testLabels'] as const;
  const paths = Object.fromEntries(
    roles.map((role) => [role, join(directory, `${standardIdxFileNames[role]}${suffix}`)]),
  ) as unknown as IdxFileSet<string>;
  await Promise.all(roles.map((role) => writeFile(paths[role], files[role])));
  return paths;
}
