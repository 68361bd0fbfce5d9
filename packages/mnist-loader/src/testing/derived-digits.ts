import { encodeIdxImages, encodeIdxLabels } from '../encode-idx.js';
import type { IdxFileSet, ImageSet, MnistDataset } from '../mnist-dataset.js';

/** Options of {@link deriveIdxFiles}. */
export interface DeriveIdxFilesOptions {
  /** Use the first this many training images (default all). */
  readonly trainCount?: number;
  /** Use the first this many test images (default all). */
  readonly testCount?: number;
  /**
   * `letters`: 26 classes made from the digits — every third image mirrored left–right (class
   * 10 + digit), every third of digits 0–5 transposed (class 20 + digit), the rest keep their digit.
   * Default: the labels as they are.
   */
  readonly classes?: 'digits' | 'letters';
  /** Average `factor`×`factor` pixel blocks: 2 turns 28×28 into 14×14. Default 1. */
  readonly downsample?: number;
}

function deriveSplit(set: ImageSet, count: number, options: DeriveIdxFilesOptions) {
  const factor = options.downsample ?? 1;
  const rows = Math.floor(set.rows / factor);
  const columns = Math.floor(set.columns / factor);
  const pixels = new Uint8Array(count * rows * columns);
  const labels = new Uint8Array(count);
  const source = set.rows * set.columns;
  for (let item = 0; item < count; item += 1) {
    const digit = set.labels[item] ?? 0;
    const variant = options.classes === 'letters' ? item % 3 : 0;
    const mirrored = variant === 1;
    const transposed = variant === 2 && digit < 6;
    labels[item] = mirrored ? 10 + digit : transposed ? 20 + digit : digit;
    const read = (row: number, column: number): number => {
      const [r, c] = transposed ? [column, row] : [row, mirrored ? set.columns - 1 - column : column];
      return set.pixels[item * source + r * set.columns + c] ?? 0;
    };
    for (let row = 0; row < rows; row += 1) {
      for (let column = 0; column < columns; column += 1) {
        let sum = 0;
        for (let dy = 0; dy < factor; dy += 1)
          for (let dx = 0; dx < factor; dx += 1) sum += read(row * factor + dy, column * factor + dx);
        pixels[(item * rows + row) * columns + column] = Math.round(sum / (factor * factor));
      }
    }
  }
  return { images: encodeIdxImages(pixels, count, rows, columns), labels: encodeIdxLabels(labels) };
}

/**
 * Real IDX files derived from a dataset's images (e.g. the embedded digits) for tests of data
 * beyond ten 28×28 classes: 26 classes by mirroring/transposing digits, smaller images by
 * averaging pixel blocks. Write them with `writeIdxFixtureDirectory`.
 */
export function deriveIdxFiles(
  dataset: MnistDataset,
  options: DeriveIdxFilesOptions = {},
): IdxFileSet<Uint8Array> {
  const train = deriveSplit(
    dataset.train,
    Math.min(options.trainCount ?? dataset.train.count, dataset.train.count),
    options,
  );
  const test = deriveSplit(
    dataset.test,
    Math.min(options.testCount ?? dataset.test.count, dataset.test.count),
    options,
  );
  return {
    trainImages: train.images,
    trainLabels: train.labels,
    testImages: test.images,
    testLabels: test.labels,
  };
}
