import { describe, expect, it } from 'vitest';
import {
  IdxCountMismatchError,
  IdxFormatError,
  IdxLabelError,
  MnistLoaderError,
} from './mnist-loader-error.js';
import { checkImagesMatchLabels, parseIdxImages, parseIdxLabels } from './parse-idx.js';
import { createIdxFixture, idxCorruptions, withWord } from './testing/index.js';

const fixture = createIdxFixture({ trainCount: 5, testCount: 3 });

describe('parseIdxImages', () => {
  it('decodes count, size and pixels without copying', () => {
    const images = parseIdxImages(fixture.files.trainImages, 'train-images', { rows: 28, columns: 28 });
    expect([images.count, images.rows, images.columns]).toEqual([5, 28, 28]);
    expect(images.pixels).toEqual(fixture.train.pixels);
    expect(images.pixels.buffer).toBe(fixture.files.trainImages.buffer);
  });

  const cases: [string, Uint8Array, string][] = [
    [
      'truncated body',
      idxCorruptions['truncated body']!(fixture.files.trainImages),
      'f: file length must be exactly 3936 bytes (header 16 + 5×28×28 items); got 3935 bytes (truncated)',
    ],
    [
      'over-long body',
      idxCorruptions['over-long body']!(fixture.files.trainImages),
      'f: file length must be exactly 3936 bytes (header 16 + 5×28×28 items); got 3937 bytes (too long)',
    ],
    ['empty file', new Uint8Array(0), 'f: header must be at least 16 bytes (IDX images); got 0 bytes'],
    [
      'labels file given as images',
      fixture.files.trainLabels,
      'f: dimension count must be 3 (IDX images, magic 0x00000803); got 1 (magic 0x00000801)',
    ],
    [
      'text',
      idxCorruptions['not IDX (text)']!(fixture.files.trainImages),
      'f: magic number must be 0x00000803 (IDX images); got 0x3c68746d, not an IDX file',
    ],
    [
      'float dtype',
      idxCorruptions['wrong dtype (0x0d float)']!(fixture.files.trainImages),
      'f: dtype byte must be 0x08 (unsigned byte); got 0x0d',
    ],
    ['zero rows', withWord(fixture.files.trainImages, 8, 0), 'f: rows must be in 1..1024; got 0'],
    [
      'huge columns',
      withWord(fixture.files.trainImages, 12, 70000),
      'f: columns must be in 1..1024; got 70000',
    ],
    [
      'count too large',
      withWord(fixture.files.trainImages, 4, 0xffffffff),
      'f: file length must be exactly 3367254359296 bytes (header 16 + 4294967295×28×28 items); got 3936 bytes (truncated)',
    ],
  ];
  it.each(cases)('rejects %s with a one-line IdxFormatError', (_, bytes, message) => {
    expect(() => parseIdxImages(bytes, 'f')).toThrow(IdxFormatError);
    expect(() => parseIdxImages(bytes, 'f')).toThrow(message);
  });

  it('rejects an unexpected image size', () => {
    const small = createIdxFixture({ rows: 8, columns: 8, trainCount: 2 }).files.trainImages;
    expect(() => parseIdxImages(small, 'f', { rows: 28, columns: 28 })).toThrow('f: rows must be 28; got 8');
  });
});

describe('parseIdxLabels', () => {
  it('decodes labels and checks the declared classes', () => {
    expect(Array.from(parseIdxLabels(fixture.files.trainLabels, 'l').labels)).toEqual([0, 1, 2, 3, 4]);
    const error = (() => {
      try {
        parseIdxLabels(fixture.files.trainLabels, 'l', { classCount: 3 });
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(IdxLabelError);
    expect(error).toBeInstanceOf(MnistLoaderError);
    expect(error).toMatchObject({ file: 'l', field: 'label[3]', expected: 'in 0..2', actual: '3' });
    expect((error as Error).message).toBe('l: label[3] must be in 0..2; got 3');
  });

  it('rejects a truncated labels file', () => {
    expect(() => parseIdxLabels(fixture.files.trainLabels.slice(0, 10), 'l')).toThrow(
      'l: file length must be exactly 13 bytes (header 8 + 5 items); got 10 bytes (truncated)',
    );
  });
});

describe('checkImagesMatchLabels', () => {
  it('rejects differing counts, naming both files', () => {
    const images = parseIdxImages(fixture.files.trainImages, 'train-images');
    const labels = parseIdxLabels(fixture.files.testLabels, 'test-labels');
    expect(() => checkImagesMatchLabels(images, labels, 'train-images', 'test-labels')).toThrow(
      IdxCountMismatchError,
    );
    expect(() => checkImagesMatchLabels(images, labels, 'train-images', 'test-labels')).toThrow(
      'test-labels: item count must be 5 (the number of images in train-images); got 3',
    );
  });
});
