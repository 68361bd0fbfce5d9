import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  decodeEmbeddedSplits,
  embeddedBinaryMagic,
  embeddedTrainingShare,
  encodeEmbeddedSplits,
  splitDigitFiles,
} from './embedded-splits.js';
import { embeddedBinaryUrl, loadEmbeddedSplits } from './mnist-digits-node.js';
import { loadDigitFiles } from './node/digit-files-json.js';

describe('splitDigitFiles', async () => {
  const fromJson = splitDigitFiles(await loadDigitFiles());

  it('is what the committed compact file holds, byte for byte (regenerate: pnpm generate:embedded)', () => {
    const committed = readFileSync(embeddedBinaryUrl);
    expect(Buffer.from(encodeEmbeddedSplits(fromJson)).equals(committed)).toBe(true);
  });

  it('maps every 3-decimal intensity back to its byte and keeps 85 % of each class for training', async () => {
    const classes = await loadDigitFiles();
    const first = classes[0] ?? [];
    expect(Array.from(fromJson.train.pixels.subarray(0, 784))).toEqual(
      first.slice(0, 784).map((value) => Math.round(value * 255)),
    );
    expect(fromJson.train.count).toBe(
      classes.reduce(
        (sum, data) => sum + Math.floor(Math.floor(data.length / 784) * embeddedTrainingShare),
        0,
      ),
    );
  });
});

describe('loadEmbeddedSplits', () => {
  it('decodes the compact file into the splits the JSON gives', async () => {
    const [binary, json] = [await loadEmbeddedSplits(), splitDigitFiles(await loadDigitFiles())];
    for (const split of ['train', 'test'] as const) {
      const [actual, expected] = [binary[split], json[split]];
      expect([actual.count, actual.rows, actual.columns]).toEqual([expected.count, 28, 28]);
      // Buffer.equals: vitest's deep equality takes minutes on 6.7 MB arrays.
      expect(Buffer.from(actual.pixels).equals(Buffer.from(expected.pixels))).toBe(true);
      expect(Buffer.from(actual.labels).equals(Buffer.from(expected.labels))).toBe(true);
    }
    expect(binary.train.pixels.buffer).not.toBe(binary.test.pixels.buffer);
  });
});

describe('decodeEmbeddedSplits', () => {
  const splits = {
    train: {
      count: 2,
      rows: 2,
      columns: 3,
      pixels: Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]),
      labels: Uint8Array.from([3, 7]),
    },
    test: {
      count: 1,
      rows: 2,
      columns: 3,
      pixels: Uint8Array.from([0, 255, 0, 255, 0, 255]),
      labels: Uint8Array.from([9]),
    },
  };

  it('reads back what encodeEmbeddedSplits wrote', () => {
    expect(decodeEmbeddedSplits(encodeEmbeddedSplits(splits))).toEqual(splits);
  });

  it('rejects another file and a truncated one', () => {
    const bytes = encodeEmbeddedSplits(splits);
    expect(new TextDecoder().decode(bytes.subarray(0, 8))).toBe(embeddedBinaryMagic);
    expect(() => decodeEmbeddedSplits(bytes.subarray(0, bytes.length - 1))).toThrow('truncated');
    const other = bytes.slice();
    other[0] = 0x58;
    expect(() => decodeEmbeddedSplits(other)).toThrow('not a CMNIST01 file');
  });
});
