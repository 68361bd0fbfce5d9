import type { ImageSet, MnistDataset } from './mnist-dataset.js';
import { MnistLoaderOptionError } from './mnist-loader-error.js';
import { createSeededRandom, shuffleInPlace } from './seeded-random.js';

/** How {@link prepareDataset} lays out and scales the data. */
export interface PrepareDatasetOptions {
  /** Keep only these classes (original labels), e.g. `[0, 1, 2, 3, 4]` to pretrain, `[5, …, 9]` to transfer. */
  readonly classes?: readonly number[];
  /**
   * With `classes`: relabel class `classes[i]` as `i`, so a new head has `classes.length` outputs
   * (default true). When false, labels keep their original values and `classCount` stays the dataset's.
   */
  readonly remapLabels?: boolean;
  /** Share of the training split held out for validation, in [0, 1); default 1/6 (10,000 of 60,000). */
  readonly validationFraction?: number;
  /** Seed of the train/validation split (and default seed of batch shuffling); default 0. */
  readonly seed?: number;
  /** Use at most this many training images (after the class subset, before the split). */
  readonly trainLimit?: number;
  /** Use at most this many test images (after the class subset). */
  readonly testLimit?: number;
  /** Standardise with the training images' mean and standard deviation (after scaling to [0, 1]); default false. */
  readonly standardize?: boolean;
  /** `flat` features `[784]` (default) or `image` features `[28, 28, 1]`. */
  readonly layout?: 'flat' | 'image';
  /** `one-hot` float32 targets `[classCount]` (default) or `index` int32 targets. */
  readonly labelEncoding?: 'one-hot' | 'index';
}

/** A split ready for batching: rows of the dataset's pixels, by index, and their (remapped) labels. */
export interface PreparedSplit {
  readonly count: number;
  /** The dataset's images (shared, never copied). */
  readonly images: ImageSet;
  /** For each item, the row of `images.pixels` it reads. */
  readonly indices: Uint32Array;
  /** For each item, its label after remapping (0..classCount − 1). */
  readonly labels: Uint8Array;
}

/** How pixel bytes become features: `feature = (byte / 255 − offset) · scale`. */
export interface FeatureScaling {
  /** Subtracted after dividing by 255: 0, or the training mean when standardising. */
  readonly offset: number;
  /** Multiplied last: 1, or 1 / training standard deviation when standardising. */
  readonly scale: number;
}

/** A dataset prepared for training: scaled, laid out, relabelled and split. */
export interface PreparedDataset {
  readonly name: string;
  readonly source: string;
  readonly train: PreparedSplit;
  readonly validation: PreparedSplit;
  readonly test: PreparedSplit;
  /** Shape of one example: `[784]` or `[28, 28, 1]`. */
  readonly featureShape: readonly number[];
  /** Number of outputs of the model's head. */
  readonly classCount: number;
  /** Original label of each class index (identity unless remapped). */
  readonly classes: readonly number[];
  /** Name of each class index. */
  readonly classNames: readonly string[];
  readonly labelEncoding: 'one-hot' | 'index';
  readonly scaling: FeatureScaling;
  /** The options' seed, for batching defaults and `config.json`. */
  readonly seed: number;
}

function select(set: ImageSet, keep: (label: number) => boolean, limit: number | undefined): Uint32Array {
  const rows: number[] = [];
  for (let row = 0; row < set.count && (limit === undefined || rows.length < limit); row += 1) {
    if (keep(set.labels[row] ?? 0)) rows.push(row);
  }
  return Uint32Array.from(rows);
}

function split(images: ImageSet, indices: Uint32Array, relabel: (label: number) => number): PreparedSplit {
  const labels = new Uint8Array(indices.length);
  for (let item = 0; item < indices.length; item += 1)
    labels[item] = relabel(images.labels[indices[item] ?? 0] ?? 0);
  return { count: indices.length, images, indices, labels };
}

function checkCount(option: string, value: number | undefined): void {
  if (value !== undefined && !(Number.isInteger(value) && value >= 1)) {
    throw new MnistLoaderOptionError(option, 'an integer ≥ 1', value);
  }
}

/**
 * Prepares a dataset for training without copying its pixels: selects a class subset (optionally
 * relabelled 0..k − 1 for a new head), holds out a seeded random validation share of the training
 * split, and records how bytes become features (scaled to [0, 1], optionally standardised with the
 * training statistics). Batches are then built from these indices by `createBatcher`.
 *
 * @throws MnistLoaderOptionError for an invalid option (one line, naming it).
 */
export function prepareDataset(dataset: MnistDataset, options: PrepareDatasetOptions = {}): PreparedDataset {
  const seed = options.seed ?? 0;
  if (!Number.isInteger(seed)) throw new MnistLoaderOptionError('seed', 'an integer', seed);
  const validationFraction = options.validationFraction ?? 1 / 6;
  if (!(validationFraction >= 0 && validationFraction < 1)) {
    throw new MnistLoaderOptionError('validationFraction', 'a number in [0, 1)', validationFraction);
  }
  checkCount('trainLimit', options.trainLimit);
  checkCount('testLimit', options.testLimit);
  const classes = options.classes ?? Array.from({ length: dataset.classCount }, (_, label) => label);
  if (
    classes.length === 0 ||
    new Set(classes).size !== classes.length ||
    classes.some((label) => !Number.isInteger(label) || label < 0 || label >= dataset.classCount)
  ) {
    throw new MnistLoaderOptionError('classes', `distinct integers in 0..${dataset.classCount - 1}`, classes);
  }
  const remap = options.classes !== undefined && (options.remapLabels ?? true);
  const position = new Map(classes.map((label, index) => [label, index]));
  const keep = (label: number): boolean => position.has(label);
  const relabel = remap ? (label: number) => position.get(label) ?? 0 : (label: number) => label;

  const trainRows = shuffleInPlace(select(dataset.train, keep, options.trainLimit), createSeededRandom(seed));
  const validationCount = Math.round(trainRows.length * validationFraction);
  const validation = split(dataset.train, trainRows.slice(0, validationCount).sort(), relabel);
  const train = split(dataset.train, trainRows.slice(validationCount).sort(), relabel);
  const test = split(dataset.test, select(dataset.test, keep, options.testLimit), relabel);

  let scaling: FeatureScaling = { offset: 0, scale: 1 };
  if (options.standardize === true) {
    const pixelCount = dataset.train.rows * dataset.train.columns;
    let sum = 0;
    let sumOfSquares = 0;
    for (const row of train.indices) {
      const image = dataset.train.pixels.subarray(row * pixelCount, (row + 1) * pixelCount);
      for (const byte of image) {
        sum += byte;
        sumOfSquares += byte * byte;
      }
    }
    const total = Math.max(1, train.count * pixelCount);
    const mean = sum / total / 255;
    const variance = Math.max(0, sumOfSquares / total / 255 / 255 - mean * mean);
    scaling = { offset: mean, scale: variance > 0 ? 1 / Math.sqrt(variance) : 1 };
  }
  const rows = dataset.train.rows;
  const columns = dataset.train.columns;
  return {
    name: dataset.name,
    source: dataset.source,
    train,
    validation,
    test,
    featureShape: options.layout === 'image' ? [rows, columns, 1] : [rows * columns],
    classCount: remap ? classes.length : dataset.classCount,
    classes: remap ? [...classes] : Array.from({ length: dataset.classCount }, (_, label) => label),
    classNames: remap
      ? classes.map((label) => dataset.classNames[label] ?? String(label))
      : [...dataset.classNames],
    labelEncoding: options.labelEncoding ?? 'one-hot',
    scaling,
    seed,
  };
}
