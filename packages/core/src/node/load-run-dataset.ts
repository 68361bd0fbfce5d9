import type { PreparedDataset } from '@contour/mnist-loader';
import { loadMnistDataset, prepareDataset } from '@contour/mnist-loader/node';
import { CoreSpecError } from '../core-spec-error.js';
import { type DataConfig, prepareOptions } from '../data-config.js';

/**
 * Loads and prepares a run's data (seeded split) and checks that one batch fits the training split.
 * Called before anything is written, so a bad `--data` or batch size leaves no files behind.
 */
export async function loadRunDataset(
  data: DataConfig,
  training: { readonly seed: number; readonly batchSize: number },
): Promise<PreparedDataset> {
  const loaded = await loadMnistDataset(
    data.source,
    data.classCount === undefined ? {} : { classCount: data.classCount },
  );
  const dataset = prepareDataset(loaded, prepareOptions(data, training.seed));
  if (dataset.train.count < training.batchSize) {
    throw new CoreSpecError(
      'batchSize',
      `at most the ${dataset.train.count} training examples`,
      training.batchSize,
    );
  }
  return dataset;
}
