import { selectBackend } from '@contour/backends';
import type { HalvingSearchResult, RangeTestResult, RunConfig } from '@contour/core';
import {
  createTrainableModel,
  type FindAutoLearningRateOptions,
  type FindLearningRateOptions,
  type FoundAutoLearningRate,
  findAutoLearningRate,
  findLearningRateOnDataset,
} from '@contour/core';
import { loadRunDataset, modelSizes } from './load-run-dataset.js';
import { readInitialWeights } from './model-files.js';

export type { FindLearningRateOptions } from '@contour/core';

/**
 * The automatic rate of a run config in Node (`contour sweep --lr auto:N`): picks the backend,
 * loads and prepares the data as the run would, starts from a model.json's own weights when it
 * has them, and runs {@link findAutoLearningRate}. Nothing is written to disk.
 */
export async function findAutoLearningRateForConfig(
  config: RunConfig,
  options: Omit<FindAutoLearningRateOptions, 'initialWeights'> = {},
): Promise<FoundAutoLearningRate & { readonly backend: string }> {
  const selection = await selectBackend(config.backend);
  const dataset = await loadRunDataset(config.data, config.training);
  const initialWeights = await modelJsonWeights(config, dataset);
  const found = await findAutoLearningRate(config.training, dataset, {
    ...options,
    ...(initialWeights ? { initialWeights } : {}),
  });
  return { ...found, backend: selection.name };
}

/** The weights of a config's model.json (undefined for built-in models or a model.json without weights). */
async function modelJsonWeights(
  config: RunConfig,
  dataset: Awaited<ReturnType<typeof loadRunDataset>>,
): Promise<Record<string, Float32Array> | undefined> {
  if (config.training.model.layers?.weights === undefined) return undefined;
  const model = await createTrainableModel(config.training.model, modelSizes(dataset, config.training.seed));
  try {
    return readInitialWeights(config.training.model, model.parameterNames);
  } finally {
    model.dispose();
  }
}

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
