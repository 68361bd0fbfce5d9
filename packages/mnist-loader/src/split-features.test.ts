import { describe, expect, it } from 'vitest';
import { loadEmbeddedMnist } from './embedded-mnist.js';
import { prepareDataset } from './prepare-dataset.js';
import { featureTable, oneHotLabels, splitFeatures } from './split-features.js';

describe('featureTable', () => {
  it('maps byte b to (b / 255 − offset) · scale in float32', () => {
    const plain = featureTable({ offset: 0, scale: 1 });
    expect(plain[0]).toBe(0);
    expect(plain[255]).toBe(1);
    expect(plain[51]).toBe(Math.fround(0.2));
    const standardized = featureTable({ offset: 0.13, scale: 1 / 0.31 });
    expect(standardized[0]).toBe(Math.fround(-0.13 / 0.31));
    expect(standardized[200]).toBe(Math.fround((200 / 255 - 0.13) / 0.31));
  });
});

describe('splitFeatures', async () => {
  const dataset = await loadEmbeddedMnist();
  const prepared = prepareDataset(dataset, { trainLimit: 200, testLimit: 30, seed: 4 });

  it("gives each item's source bytes / 255 in the split's order, without tfjs", () => {
    const features = splitFeatures(prepared, 'test');
    expect(features.length).toBe(30 * 784);
    for (const item of [0, 29]) {
      const row = prepared.test.indices[item] ?? -1;
      expect(Array.from(features.subarray(item * 784, (item + 1) * 784))).toEqual(
        Array.from(dataset.test.pixels.subarray(row * 784, (row + 1) * 784), (byte) =>
          Math.fround(byte / 255),
        ),
      );
    }
  });

  it('refuses an unknown split in one line', () => {
    expect(() => splitFeatures(prepared, 'dev' as never)).toThrow(
      "split must be 'train', 'validation' or 'test'; got \"dev\"",
    );
  });
});

describe('oneHotLabels', () => {
  it('puts a 1 at each label', () => {
    expect(Array.from(oneHotLabels(Uint8Array.from([2, 0, 1]), 3))).toEqual([0, 0, 1, 1, 0, 0, 0, 1, 0]);
  });

  it('refuses a label outside the classes, naming it', () => {
    expect(() => oneHotLabels([0, 4], 3)).toThrow('labels[1] must be an integer in 0..2; got 4');
  });
});
