import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeIdxImages, decodeIdxLabels } from './decode-idx.js';
import { loadEmbeddedMnist } from './embedded-mnist.js';
import { streamGunzip } from './gunzip.js';
import { MnistLoaderError } from './mnist-loader-error.js';
import { zlibGunzip } from './node/zlib-gunzip.js';
import { createSeededRandom } from './seeded-random.js';
import { encodeIdxImages, encodeIdxLabels, gzipBytes } from './testing/index.js';

const fashionLabels = '/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz';

/** Real files: the first 48 embedded MNIST test digits as IDX, and Fashion-MNIST's test labels when installed. */
async function realFiles(): Promise<{ name: string; kind: 'images' | 'labels'; bytes: Uint8Array }[]> {
  const { test } = await loadEmbeddedMnist();
  const count = 48;
  const files: { name: string; kind: 'images' | 'labels'; bytes: Uint8Array }[] = [
    {
      name: 'mnist-images',
      kind: 'images',
      bytes: encodeIdxImages(test.pixels.subarray(0, count * 784), count, 28, 28),
    },
    { name: 'mnist-labels', kind: 'labels', bytes: encodeIdxLabels(test.labels.subarray(0, count)) },
  ];
  if (existsSync(fashionLabels)) {
    files.push({
      name: 'fashion-labels.gz',
      kind: 'labels',
      bytes: new Uint8Array(readFileSync(fashionLabels)),
    });
  }
  return files;
}

/** One seeded mutation of `bytes`: header words, byte flips, truncation, appended bytes, or the same on gzip. */
function mutate(bytes: Uint8Array, random: () => number): Uint8Array {
  const pick = (count: number) => Math.floor(random() * count);
  const interesting = [
    0, 1, 2, 3, 8, 27, 28, 255, 256, 0x0801, 0x0803, 0x0808, 0x7fffffff, 0x80000000, 0xffffffff,
  ];
  const copy = bytes.slice();
  switch (pick(7)) {
    case 0: {
      const word = new DataView(copy.buffer);
      const offset = 4 * pick(Math.min(4, Math.floor(copy.length / 4)));
      const value =
        random() < 0.5 ? (interesting[pick(interesting.length)] ?? 0) : word.getUint32(offset) + pick(5) - 2;
      word.setUint32(offset, value >>> 0);
      return copy;
    }
    case 1:
      for (let flips = 1 + pick(4); flips > 0; flips -= 1) copy[pick(Math.min(copy.length, 16))] = pick(256);
      return copy;
    case 2:
      return copy.slice(0, pick(copy.length));
    case 3:
      return Uint8Array.from([...copy, ...Array.from({ length: 1 + pick(64) }, () => pick(256))]);
    case 4: {
      const gzipped = gzipBytes(copy);
      for (let flips = 1 + pick(3); flips > 0; flips -= 1) gzipped[pick(gzipped.length)] = pick(256);
      return gzipped;
    }
    case 5: {
      const gzipped = gzipBytes(copy);
      return gzipped.slice(0, pick(gzipped.length));
    }
    default:
      return gzipBytes(mutate(copy, random));
  }
}

describe('decodeIdxImages (fuzz)', () => {
  it('answers 600 seeded mutations of real files with a valid parse or a typed one-line error', async () => {
    const files = await realFiles();
    const random = createSeededRandom(20240601);
    const outcomes = { parsed: 0, rejected: 0 };
    const rejectedBy = new Set<string>();
    for (let trial = 0; trial < 600; trial += 1) {
      const file = files[trial % files.length]!;
      const bytes = mutate(file.bytes, random);
      const gunzip = trial % 2 === 0 ? zlibGunzip : streamGunzip;
      try {
        if (file.kind === 'images') {
          const images = await decodeIdxImages(bytes, file.name, { gunzip, imageSize: null });
          expect(images.pixels.length).toBe(images.count * images.rows * images.columns);
        } else {
          const labels = await decodeIdxLabels(bytes, file.name, { gunzip, classCount: 10 });
          expect(labels.labels.length).toBe(labels.count);
          expect(Math.max(0, ...labels.labels)).toBeLessThan(10);
        }
        outcomes.parsed += 1;
      } catch (error) {
        if (!(error instanceof MnistLoaderError)) {
          throw new Error(`trial ${trial} (${file.name}): not a typed error: ${String(error)}`);
        }
        expect(error.message).not.toContain('\n');
        expect(error.message.startsWith(`${file.name}: `)).toBe(true);
        rejectedBy.add(error.name);
        outcomes.rejected += 1;
      }
    }
    expect(outcomes.parsed + outcomes.rejected).toBe(600);
    expect(outcomes.rejected).toBeGreaterThan(400);
    expect([...rejectedBy].sort()).toEqual(['IdxDecompressionError', 'IdxFormatError', 'IdxLabelError']);
  });
});
