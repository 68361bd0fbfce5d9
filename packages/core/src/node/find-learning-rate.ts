import { selectBackend } from '@contour/backends';
import { createTrainableModel } from '../model/layers-model-adapter.js';
import {
  type FindLearningRateOptions,
  findLearningRateOnDataset,
} from '../range-test/find-learning-rate-on-dataset.js';
import type { HalvingSearchResult } from '../range-test/halving-search.js';
import type { RangeTestResult } from '../range-test/run-range-test.js';
import type { RunConfig } from '../run-config.js';
import { loadRunDataset, modelSizes } from './load-run-dataset.js';
import { readInitialWeights } from './model-files.js';

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
  // A model.json with weights: the search starts from them (built once here to name them).
  let initialWeights: Record<string, Float32Array> | undefined;
  if (config.training.model.layers?.weights !== undefined) {
    const model = await createTrainableModel(
      config.training.model,
      modelSizes(dataset, config.training.seed),
    );
    try {
      initialWeights = readInitialWeights(config.training.model, model.parameterNames);
    } finally {
      model.dispose();
    }
  }
  const result = await findLearningRateOnDataset(config.training, dataset, {
    ...options,
    ...(initialWeights ? { initialWeights } : {}),
  });
  return { backend: selection.name, trainingExamples: dataset.train.count, result };
}
