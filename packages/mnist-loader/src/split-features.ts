import { MnistLoaderOptionError } from './mnist-loader-error.js';
import type { FeatureScaling, PreparedDataset } from './prepare-dataset.js';

/** The name of one split of a prepared dataset. */
export type SplitName = 'train' | 'validation' | 'test';

const splitNames: readonly SplitName[] = ['train', 'validation', 'test'];

/** Checks a split name given at run time (from JavaScript or parsed input). */
export function checkSplitName(split: unknown): SplitName {
  if (!splitNames.includes(split as SplitName)) {
    throw new MnistLoaderOptionError('split', "'train', 'validation' or 'test'", split);
  }
  return split as SplitName;
}

/**
 * The 256 feature values a pixel byte can become: `(byte / 255 − offset) · scale`, in float32.
 * Every path that turns bytes into features reads this table, so a batch, a whole split and a
 * training run's cached features hold exactly the same numbers.
 */
export function featureTable(scaling: FeatureScaling): Float32Array {
  const table = new Float32Array(256);
  for (let byte = 0; byte < 256; byte += 1) table[byte] = (byte / 255 - scaling.offset) * scaling.scale;
  return table;
}

/**
 * One split's features as float32 `[count × rows·columns]`, item by item in the split's order
 * (rows of the dataset's pixels by `split.indices`), scaled as the prepared dataset says
 * (`featureTable(prepared.scaling)`: [0, 1], or standardised). No TensorFlow.js: the plain array a
 * tensor, a worker message or another library takes. Costs `4 · count · rows · columns` bytes.
 */
export function splitFeatures(prepared: PreparedDataset, split: SplitName): Float32Array {
  const { count, images, indices } = prepared[checkSplitName(split)];
  const table = featureTable(prepared.scaling);
  const pixelCount = images.rows * images.columns;
  const pixels = images.pixels;
  const features = new Float32Array(count * pixelCount);
  for (let item = 0; item < count; item += 1) {
    const source = (indices[item] ?? 0) * pixelCount;
    const target = item * pixelCount;
    for (let pixel = 0; pixel < pixelCount; pixel += 1)
      features[target + pixel] = table[pixels[source + pixel] ?? 0] ?? 0;
  }
  return features;
}

/**
 * One-hot float32 targets `[labels.length × classCount]`: row i holds 1 at column `labels[i]`.
 *
 * @throws MnistLoaderOptionError when a label is not in 0..classCount − 1.
 */
export function oneHotLabels(labels: ArrayLike<number>, classCount: number): Float32Array {
  const targets = new Float32Array(labels.length * classCount);
  for (let item = 0; item < labels.length; item += 1) {
    const label = labels[item] ?? 0;
    if (!(Number.isInteger(label) && label >= 0 && label < classCount)) {
      throw new MnistLoaderOptionError(`labels[${item}]`, `an integer in 0..${classCount - 1}`, label);
    }
    targets[item * classCount + label] = 1;
  }
  return targets;
}
