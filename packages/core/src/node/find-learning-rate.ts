import { selectBackend } from '@contour/backends';
import {
  type FindLearningRateOptions,
  findLearningRateOnDataset,
} from '../range-test/find-learning-rate-on-dataset.js';
import type { HalvingSearchResult } from '../range-test/halving-search.js';
import type { RangeTestResult } from '../range-test/run-range-test.js';
import type { RunConfig } from '../run-config.js';
import { loadRunDataset } from './load-run-dataset.js';

export type { FindLearningRateOptions } from '../range-test/find-learning-rate-on-dataset.js';

/** What {@link findLearningRate} returns: the backend used and the method's result. */
export interface FindLearningRateOutcome {
  readonly backend: string;
  readonly trainingExamples: number;
  readonly result: RangeTestResult | HalvingSearchResult;
}

/**
 * Finds a learning rate for a run config in Node: picks the backend, loads and prepares the data
 * (its `trainLimit` is the subset; `loadRunDataset`), then runs `findLearningRateOnDataset`.
 * Nothing is written to disk.
 */
export async function findLearningRate(
  config: RunConfig,
  options: FindLearningRateOptions = {},
): Promise<FindLearningRateOutcome> {
  const selection = await selectBackend(config.backend);
  const dataset = await loadRunDataset(config.data, config.training);
  const result = await findLearningRateOnDataset(config.training, dataset, options);
  return { backend: selection.name, trainingExamples: dataset.train.count, result };
}
