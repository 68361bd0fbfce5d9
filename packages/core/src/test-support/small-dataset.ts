import { useCpuBackend } from '@contour/backend-cpu';
import { loadEmbeddedMnist, type PreparedDataset, prepareDataset } from '@contour/mnist-loader';

let cached: Awaited<ReturnType<typeof loadEmbeddedMnist>> | undefined;

/** The embedded MNIST sample, prepared small for fast tests, on the cpu backend. */
export async function smallDataset(trainLimit = 1200, seed = 0): Promise<PreparedDataset> {
  await useCpuBackend();
  cached ??= await loadEmbeddedMnist();
  return prepareDataset(cached, { trainLimit, testLimit: 200, validationFraction: 0.25, seed });
}
