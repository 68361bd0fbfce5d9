import { describe, expect, it } from 'vitest';
import { encodeIdxImages, encodeIdxLabels, parseIdxImages, parseIdxLabels } from './index.js';

describe('encodeIdxImages', () => {
  it('writes the IDX header and bytes that parseIdxImages reads back', () => {
    const pixels = Uint8Array.from({ length: 2 * 3 * 4 }, (_, index) => index * 7);
    const bytes = encodeIdxImages(pixels, 2, 3, 4);
    expect([...bytes.subarray(0, 16)]).toEqual([0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4]);
    const images = parseIdxImages(bytes, 'images.idx');
    expect({ count: images.count, rows: images.rows, columns: images.columns }).toEqual({
      count: 2,
      rows: 3,
      columns: 4,
    });
    expect([...images.pixels]).toEqual([...pixels]);
  });

  it('names the field when the pixels and the shape disagree', () => {
    expect(() => encodeIdxImages(new Uint8Array(10), 2, 3, 4)).toThrow(
      'pixels must be count·rows·columns = 24 bytes long; got "10 bytes"',
    );
    expect(() => encodeIdxImages(new Uint8Array(0), -1, 3, 4)).toThrow(/^count must be an integer/);
  });
});

describe('encodeIdxLabels', () => {
  it('writes the IDX header and labels that parseIdxLabels reads back', () => {
    const labels = Uint8Array.from([3, 1, 4, 1, 5, 9]);
    const bytes = encodeIdxLabels(labels);
    expect([...bytes.subarray(0, 8)]).toEqual([0, 0, 8, 1, 0, 0, 0, 6]);
    expect([...parseIdxLabels(bytes, 'labels.idx').labels]).toEqual([...labels]);
  });
});
