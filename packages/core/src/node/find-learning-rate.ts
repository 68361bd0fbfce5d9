import { selectBackend } from '@contour/backends';
import { createModel } from '../model/model.js';
import {
  type HalvingAttempt,
  type HalvingSearchResult,
  runHalvingSearch,
} from '../range-test/halving-search.js';
import type { RangeTestPoint, RangeTestSettings } from '../range-test/range-test-recorder.js';
import { type RangeTestResult, runRangeTest } from '../range-test/run-range-test.js';
import type { RunConfig } from '../run-config.js';
import { loadRunDataset } from './load-run-dataset.js';

/** Options of {@link findLearningRate}. */
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
}

/** What {@link findLearningRate} returns: the backend used and the method's result. */
export interface FindLearningRateOutcome {
  readonly backend: string;
  readonly trainingExamples: number;
  readonly result: RangeTestResult | HalvingSearchResult;
}

/**
 * Finds a learning rate for a run config in Node: picks the backend, loads and prepares the data
 * (its `trainLimit` is the subset), builds the model with the config's seed, and runs the range
 * test ({@link runRangeTest}) or the halving search ({@link runHalvingSearch}) with the config's
 * optimizer spec, batch size, seed and loss. Nothing is written to disk.
 */
export async function findLearningRate(
  config: RunConfig,
  options: FindLearningRateOptions = {},
): Promise<FindLearningRateOutcome> {
  const selection = await selectBackend(config.backend);
  const dataset = await loadRunDataset(config.data, config.training);
  const inputSize = dataset.featureShape.reduce((product, size) => product * size, 1);
  const model = createModel(config.training.model, {
    inputSize,
    outputSize: dataset.classCount,
    seed: config.training.seed,
  });
  const common = {
    batchSize: config.training.batchSize,
    seed: config.training.seed,
    loss: config.training.loss,
  };
  try {
    const result =
      options.method === 'halving'
        ? await runHalvingSearch(model, dataset, {
            ...common,
            optimizer: config.training.optimizer,
            ...options.halving,
            ...(options.onAttempt ? { onAttempt: options.onAttempt } : {}),
          })
        : await runRangeTest(model, dataset, {
            ...common,
            ...options.settings,
            optimizer: config.training.optimizer,
            ...(options.signal ? { signal: options.signal } : {}),
            ...(options.onPoint ? { onPoint: options.onPoint } : {}),
          });
    return { backend: selection.name, trainingExamples: dataset.train.count, result };
  } finally {
    model.dispose();
  }
}
