import {
  type MnistDataset,
  type PrepareDatasetOptions,
  type PreparedDataset,
  prepareDataset,
} from '@contour/mnist-loader/prepare';
import { CoreSpecError } from './core-spec-error.js';

/** Where the data comes from and how it is prepared; part of `config.json`. */
export interface DataConfig {
  /** `mnist` (embedded sample), `fashion-mnist`, or a directory of IDX files. */
  readonly source: string;
  /** Share of the training split held out for validation, in [0, 1). */
  readonly validation: number;
  /** Use at most this many training images (before the split): quick runs and CI. */
  readonly trainLimit?: number;
  /** Use at most this many test images. */
  readonly testLimit?: number;
  /**
   * Number of classes K of the data (labels 0..K − 1, each checked); absent: inferred from the
   * labels (the largest + 1). The model's output has K units.
   */
  readonly classCount?: number;
  /** Keep only these classes, relabelled 0..k−1 (transfer learning). */
  readonly classes?: readonly number[];
  readonly standardize?: boolean;
}

/** Validates a data config, filling defaults (mnist, validation 0.2). */
export function resolveDataConfig(input: Partial<DataConfig> = {}): DataConfig {
  const source = input.source ?? 'mnist';
  if (typeof source !== 'string' || source === '')
    throw new CoreSpecError('data', 'mnist, fashion-mnist or a directory', source);
  const validation = input.validation ?? 0.2;
  if (typeof validation !== 'number' || !(validation >= 0 && validation < 1)) {
    throw new CoreSpecError('validation', 'a fraction in [0, 1)', validation);
  }
  const classCount = input.classCount;
  if (classCount !== undefined && !(Number.isInteger(classCount) && classCount >= 2 && classCount <= 256))
    throw new CoreSpecError('classCount', 'an integer in 2..256', classCount);
  for (const field of ['trainLimit', 'testLimit'] as const) {
    const value = input[field];
    if (value !== undefined && !(Number.isInteger(value) && value >= 1))
      throw new CoreSpecError(field, 'an integer ≥ 1', value);
  }
  return {
    source,
    validation,
    ...(classCount === undefined ? {} : { classCount }),
    ...(input.trainLimit === undefined ? {} : { trainLimit: input.trainLimit }),
    ...(input.testLimit === undefined ? {} : { testLimit: input.testLimit }),
    ...(input.classes === undefined ? {} : { classes: [...input.classes] }),
    ...(input.standardize === undefined ? {} : { standardize: input.standardize }),
  };
}

/** The loader options a data config stands for, with the run's seed for the split. */
export function prepareOptions(data: DataConfig, seed: number): PrepareDatasetOptions {
  return {
    validationFraction: data.validation,
    seed,
    ...(data.trainLimit === undefined ? {} : { trainLimit: data.trainLimit }),
    ...(data.testLimit === undefined ? {} : { testLimit: data.testLimit }),
    ...(data.classes === undefined ? {} : { classes: data.classes }),
    ...(data.standardize === undefined ? {} : { standardize: data.standardize }),
  };
}

/**
 * Prepares a loaded dataset the way a run config says (seeded split, limits, classes) and checks
 * that one batch fits the training split: the one path every run takes from loaded data to
 * training — the CLI after reading files, the web app's worker after fetching or picking them.
 * Throws CoreSpecError (`batchSize`) when the training split is smaller than one batch.
 */
export function prepareRunDataset(
  dataset: MnistDataset,
  data: DataConfig,
  training: { readonly seed: number; readonly batchSize: number },
): PreparedDataset {
  const prepared = prepareDataset(dataset, prepareOptions(data, training.seed));
  if (prepared.train.count < training.batchSize) {
    throw new CoreSpecError(
      'batchSize',
      `at most the ${prepared.train.count} training examples`,
      training.batchSize,
    );
  }
  return prepared;
}

/**
 * Checks a batch size against a prepared dataset's training split before a range test or a
 * halving search draws batches from it: an integer from 1 to the training examples.
 *
 * @throws CoreSpecError (`batchSize`) otherwise.
 */
export function checkBatchSize(batchSize: number, dataset: PreparedDataset): void {
  const count = dataset.train.count;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > count)
    throw new CoreSpecError('batchSize', `an integer in 1..${count} (the training examples)`, batchSize);
}
