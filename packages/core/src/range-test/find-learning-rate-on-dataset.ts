import type { PreparedDataset } from '@contour/mnist-loader';
import { createTrainableModel } from '../model/layers-model-adapter.js';
import type { WeightValues } from '../model/trainable-model.js';
import type { TrainingConfig } from '../training/training-config.js';
import { type HalvingAttempt, type HalvingSearchResult, runHalvingSearch } from './halving-search.js';
import type { RangeTestPoint, RangeTestSettings } from './range-test-recorder.js';
import { type RangeTestResult, runRangeTest } from './run-range-test.js';

/** Options of {@link findLearningRateOnDataset} (and of `findLearningRate` in `@contour/runs`). */
export interface FindLearningRateOptions {
  /** `exponential` (fastai lr_find, default) or `halving` (start high, halve until it stops diverging). */
  readonly method?: 'exponential' | 'halving';
  /** Settings of the exponential sweep (fastai defaults). */
  readonly settings?: Partial<RangeTestSettings>;
  /** Settings of the halving search. */
  readonly halving?: {
    readonly startLearningRate?: number;
    readonly budgetSteps?: number;
    readonly maxAttempts?: number;
  };
  readonly signal?: AbortSignal;
  readonly onPoint?: (point: RangeTestPoint) => void;
  readonly onAttempt?: (attempt: HalvingAttempt) => void;
  /** Weights the model starts from instead of the seed's (e.g. a model.json's own weights). */
  readonly initialWeights?: WeightValues;
}

/** The parts of a training config a learning-rate search uses. */
export type LearningRateTrainingConfig = Pick<
  TrainingConfig,
  'model' | 'optimizer' | 'batchSize' | 'seed' | 'loss'
>;

/**
 * Finds a learning rate on data already loaded and prepared (browser-safe): builds the config's
 * model with its seed and runs the range test ({@link runRangeTest}) or the halving search
 * ({@link runHalvingSearch}) with the config's optimizer spec, batch size, seed and loss. The model
 * is disposed afterwards, also when the search throws. Nothing is written anywhere.
 */
export function findLearningRateOnDataset(
  training: LearningRateTrainingConfig,
  dataset: PreparedDataset,
  options?: FindLearningRateOptions & { readonly method?: 'exponential' },
): Promise<RangeTestResult>;
export function findLearningRateOnDataset(
  training: LearningRateTrainingConfig,
  dataset: PreparedDataset,
  options: FindLearningRateOptions,
): Promise<RangeTestResult | HalvingSearchResult>;
export async function findLearningRateOnDataset(
  training: LearningRateTrainingConfig,
  dataset: PreparedDataset,
  options: FindLearningRateOptions = {},
): Promise<RangeTestResult | HalvingSearchResult> {
  const inputSize = dataset.featureShape.reduce((product, size) => product * size, 1);
  const model = await createTrainableModel(training.model, {
    inputSize,
    outputSize: dataset.classCount,
    seed: training.seed,
  });
  if (options.initialWeights) model.setWeights(options.initialWeights);
  const common = { batchSize: training.batchSize, seed: training.seed, loss: training.loss };
  try {
    return options.method === 'halving'
      ? await runHalvingSearch(model, dataset, {
          ...common,
          optimizer: training.optimizer,
          ...options.halving,
          ...(options.onAttempt ? { onAttempt: options.onAttempt } : {}),
        })
      : await runRangeTest(model, dataset, {
          ...common,
          ...options.settings,
          optimizer: training.optimizer,
          ...(options.signal ? { signal: options.signal } : {}),
          ...(options.onPoint ? { onPoint: options.onPoint } : {}),
        });
  } finally {
    model.dispose();
  }
}
