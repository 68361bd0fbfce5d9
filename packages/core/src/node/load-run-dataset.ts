import type { PreparedDataset } from '@contour/mnist-loader';
import { loadMnistDataset } from '@contour/mnist-loader/node';
import { type DataConfig, prepareRunDataset } from '../data-config.js';

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
