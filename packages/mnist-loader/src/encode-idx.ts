import { MnistLoaderOptionError } from './mnist-loader-error.js';
import { idxImagesMagic, idxLabelsMagic } from './parse-idx.js';

/** Largest item count or side an IDX header can hold (an unsigned 32-bit word). */
const maximumWord = 0xffff_ffff;

function checkWord(option: string, value: number): void {
  if (!Number.isInteger(value) || value < 0 || value > maximumWord)
    throw new MnistLoaderOptionError(option, `an integer in 0..${maximumWord}`, value);
}

/**
 * Encodes images as an IDX file (the inverse of `parseIdxImages`): magic 0x00000803, then count,
 * rows and columns as big-endian 32-bit words, then the `count·rows·columns` pixel bytes, row-major.
 * Pure and browser-safe (gzip it with `CompressionStream` or `node:zlib`).
 *
 * @throws MnistLoaderOptionError naming `count`, `rows`, `columns` or `pixels` when they disagree.
 */
export function encodeIdxImages(
  pixels: Uint8Array,
  count: number,
  rows: number,
  columns: number,
): Uint8Array {
  checkWord('count', count);
  checkWord('rows', rows);
  checkWord('columns', columns);
  if (pixels.length !== count * rows * columns)
    throw new MnistLoaderOptionError(
      'pixels',
      `count·rows·columns = ${count * rows * columns} bytes long`,
      `${pixels.length} bytes`,
    );
  const bytes = new Uint8Array(16 + pixels.length);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, idxImagesMagic);
  view.setUint32(4, count);
  view.setUint32(8, rows);
  view.setUint32(12, columns);
  bytes.set(pixels, 16);
  return bytes;
}

/**
 * Encodes labels as an IDX file (the inverse of `parseIdxLabels`): magic 0x00000801, the count as a
 * big-endian 32-bit word, then one byte per label. Pure and browser-safe.
 */
export function encodeIdxLabels(labels: Uint8Array): Uint8Array {
  const bytes = new Uint8Array(8 + labels.length);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, idxLabelsMagic);
  view.setUint32(4, labels.length);
  bytes.set(labels, 8);
  return bytes;
}
