import { selectBackend } from '@contour/backends';
import type { PreparedDataset } from '@contour/mnist-loader';
import { loadMnistDataset } from '@contour/mnist-loader/node';
import { type DataConfig, prepareRunDataset } from '../data-config.js';
import { checkModelFitsData } from '../model/layers-model-adapter.js';
import type { CreateModelOptions } from '../model/model.js';
import type { RunConfig } from '../run-config.js';

/**
 * Loads a run's data from disk (embedded, Fashion-MNIST or an IDX directory) and prepares it with
 * {@link prepareRunDataset}. Called before anything is written, so a bad `--data` or batch size
 * leaves no files behind.
 */
export async function loadRunDataset(
  data: DataConfig,
  training: { readonly seed: number; readonly batchSize: number },
): Promise<PreparedDataset> {
  const loaded = await loadMnistDataset(
    data.source,
    data.classCount === undefined ? {} : { classCount: data.classCount },
  );
  return prepareRunDataset(loaded, data, training);
}

/**
 * Checks a run's inputs the way the run will use them, writing nothing: picks the backend, loads
 * and prepares the data, and builds the model once (a model.json must take the data's images and
 * have one output per class). Sweeps call it before writing their directory.
 */
export async function checkRunInputs(config: RunConfig): Promise<PreparedDataset> {
  await selectBackend(config.backend);
  const dataset = await loadRunDataset(config.data, config.training);
  await checkModelFitsData(config.training.model, modelSizes(dataset, config.training.seed));
  return dataset;
}

/** The sizes and seed a run's model is built with for a prepared dataset. */
export function modelSizes(dataset: PreparedDataset, seed: number): CreateModelOptions {
  return {
    inputSize: dataset.featureShape.reduce((product, size) => product * size, 1),
    outputSize: dataset.classCount,
    seed,
  };
}
