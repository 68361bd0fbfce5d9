// The benchmark's data, prepared once by Contour's own loader and written to files for the
// PyTorch script, so every engine trains on the same examples, in the same order, from the same
// initial weights.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { initialKernel } from '../packages/core/src/model/initializers.ts';
import { parseModelSpec } from '../packages/core/src/model/model-spec.ts';
import {
  createBatcher,
  loadEmbeddedMnist,
  loadFashionMnist,
  type PreparedDataset,
  prepareDataset,
  splitFeatures,
} from '../packages/mnist-loader/src/node/index.ts';
import type { BenchSettings } from './bench-support.ts';

/** The embedded MNIST sample as the `mnist-lr-sweep` preset prepares it (also used by find-lr). */
export async function loadSweepData(settings: BenchSettings): Promise<PreparedDataset> {
  const { validation, seed, trainLimit } = settings.sweep;
  return prepareDataset(await loadEmbeddedMnist(), {
    validationFraction: validation,
    seed,
    ...(trainLimit === undefined ? {} : { trainLimit }),
  });
}

/** Fashion-MNIST from Debian's `dataset-fashion-mnist`: all 60,000 training images, the 10,000 test images. */
export async function loadMlpData(settings: BenchSettings): Promise<PreparedDataset> {
  const { seed, trainLimit, testLimit } = settings.mlp;
  return prepareDataset(await loadFashionMnist(), {
    validationFraction: 0,
    seed,
    ...(trainLimit === undefined ? {} : { trainLimit }),
    ...(testLimit === undefined ? {} : { testLimit }),
  });
}

/** Contour's initial weights of a model spec and seed, kernels then biases per layer, in layer order. */
export function initialWeights(
  model: string,
  inputSize: number,
  outputSize: number,
  seed: number,
): Float32Array[] {
  const spec = parseModelSpec(model);
  const sizes = [inputSize, ...spec.hidden, outputSize];
  return sizes
    .slice(1)
    .flatMap((size, index) => [
      initialKernel(spec.initializer, sizes[index] as number, size, seed * 1009 + index),
      new Float32Array(size),
    ]);
}

function concatenate(arrays: readonly Uint32Array[]): Uint32Array {
  const total = arrays.reduce((sum, array) => sum + array.length, 0);
  const result = new Uint32Array(total);
  let offset = 0;
  for (const array of arrays) {
    result.set(array, offset);
    offset += array.length;
  }
  return result;
}

function writeArray(path: string, array: Float32Array | Uint32Array | Uint8Array): void {
  writeFileSync(path, new Uint8Array(array.buffer, array.byteOffset, array.byteLength));
}

/** What `writePythonData` wrote, described in `data.json`. */
export interface PythonDataDescription {
  readonly datasets: Record<
    string,
    {
      readonly splits: Record<
        string,
        { readonly count: number; readonly features: string; readonly labels: string }
      >;
      readonly orders: { readonly file: string; readonly epochs: number; readonly count: number };
      readonly initialWeights: { readonly file: string; readonly shapes: number[][] };
      readonly classCount: number;
    }
  >;
}

async function writeDataset(
  directory: string,
  name: string,
  dataset: PreparedDataset,
  options: { batchSize: number; seed: number; epochs: number; model: string },
): Promise<PythonDataDescription['datasets'][string]> {
  const splits: Record<string, { count: number; features: string; labels: string }> = {};
  for (const splitName of ['train', 'validation', 'test'] as const) {
    const split = dataset[splitName];
    if (split.count === 0) continue;
    const features = `${name}-${splitName}-features.f32`;
    const labels = `${name}-${splitName}-labels.u8`;
    writeArray(join(directory, features), splitFeatures(dataset, splitName));
    writeArray(join(directory, labels), split.labels);
    splits[splitName] = { count: split.count, features, labels };
  }
  const batcher = createBatcher(dataset, { batchSize: options.batchSize, seed: options.seed });
  const orders = `${name}-orders.u32`;
  writeArray(
    join(directory, orders),
    concatenate(Array.from({ length: options.epochs }, (_, epoch) => batcher.order(epoch))),
  );
  const weights = initialWeights(options.model, 784, dataset.classCount, options.seed);
  const spec = parseModelSpec(options.model);
  const sizes = [784, ...spec.hidden, dataset.classCount];
  const shapes = sizes.slice(1).flatMap((size, index) => [[sizes[index] as number, size], [size]]);
  const weightsFile = `${name}-initial-weights.f32`;
  const flat = new Float32Array(weights.reduce((sum, array) => sum + array.length, 0));
  let offset = 0;
  for (const array of weights) {
    flat.set(array, offset);
    offset += array.length;
  }
  writeArray(join(directory, weightsFile), flat);
  return {
    splits,
    orders: { file: orders, epochs: options.epochs, count: dataset.train.count },
    initialWeights: { file: weightsFile, shapes },
    classCount: dataset.classCount,
  };
}

/**
 * Writes the sweep/find-lr data (embedded MNIST, prepared as the preset does) and the MLP data
 * (Fashion-MNIST, when installed) with Contour's shuffling orders and initial weights, plus
 * `settings.json` and `data.json`, for `pytorch_workloads.py`.
 */
export async function writePythonData(
  directory: string,
  settings: BenchSettings,
  include: { readonly mnist: boolean; readonly fashion: boolean },
): Promise<void> {
  mkdirSync(directory, { recursive: true });
  const description: PythonDataDescription = { datasets: {} };
  if (include.mnist) {
    const mnist = await loadSweepData(settings);
    const batches = Math.ceil(mnist.train.count / settings.sweep.batchSize);
    description.datasets.mnist = await writeDataset(directory, 'mnist', mnist, {
      batchSize: settings.sweep.batchSize,
      seed: settings.sweep.seed,
      epochs: Math.max(settings.sweep.epochs, Math.ceil(settings.findLr.iterations / batches)),
      model: 'linear',
    });
  }
  if (include.fashion) {
    const fashion = await loadMlpData(settings);
    description.datasets.fashion = await writeDataset(directory, 'fashion', fashion, {
      batchSize: settings.mlp.batchSize,
      seed: settings.mlp.seed,
      epochs: settings.mlp.epochs,
      model: `mlp:${settings.mlp.hidden.join(',')}`,
    });
  }
  writeFileSync(join(directory, 'settings.json'), `${JSON.stringify(settings, null, 2)}\n`);
  writeFileSync(join(directory, 'data.json'), `${JSON.stringify(description, null, 2)}\n`);
}
