import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Model, TrainableModel } from '@contour/core';
import {
  artifactsToModel,
  CoreSpecError,
  LayersModelAdapter,
  type LayersModelJson,
  type ModelJson,
  type ModelSpec,
  modelToArtifacts,
  parseModelSpec,
  readLayersTopology,
} from '@contour/core';
import { makeDirectory, writeFileAtomic } from '@contour/metrics-logger/node';
import * as tf from '@tensorflow/tfjs-core';

/**
 * Saves a model in the tfjs weights format: `model.json` (spec + weights manifest) and
 * `weights.bin`, each written atomically (weights first, so model.json never names weights that
 * are not there).
 */
export async function saveModel(model: TrainableModel, directory: string): Promise<void> {
  makeDirectory(directory);
  const { modelJson, weightData } = await modelToArtifacts(model, 'weights.bin');
  writeFileAtomic(join(directory, 'weights.bin'), new Uint8Array(weightData));
  writeFileAtomic(join(directory, 'model.json'), `${JSON.stringify(modelJson, null, 2)}\n`);
}

/** Loads a model saved by `saveModel`. */
export function loadModel(directory: string): Model {
  const modelJson = JSON.parse(readFileSync(join(directory, 'model.json'), 'utf8')) as ModelJson;
  const path = modelJson.weightsManifest[0]?.paths[0] ?? 'weights.bin';
  const bytes = readFileSync(join(directory, path));
  const weightData = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  return artifactsToModel({ modelJson, weightData });
}

/**
 * Loads a model saved by `saveModel`, whichever kind: a Contour dense model, or a model.json model
 * (tfjs-layers format: its topology rebuilt, the saved weights set by name).
 */
export async function loadTrainableModel(directory: string): Promise<TrainableModel> {
  const path = join(directory, 'model.json');
  const modelJson = JSON.parse(readFileSync(path, 'utf8')) as ModelJson | LayersModelJson;
  if (modelJson.format !== 'layers-model') return loadModel(directory);
  const bytes = readFileSync(join(directory, modelJson.weightsManifest[0]?.paths[0] ?? 'weights.bin'));
  const weightData = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  const spec = parseModelSpec({
    type: 'layers',
    layers: { path, modelTopology: readLayersTopology(modelJson, path) },
  });
  const model = await LayersModelAdapter.fromTopology(spec);
  const tensors = tf.io.decodeWeights(
    weightData,
    modelJson.weightsManifest.flatMap((group) => group.weights),
  );
  try {
    model.setWeights(
      Object.fromEntries(
        Object.entries(tensors).map(([name, tensor]) => [name, tensor.dataSync() as Float32Array]),
      ),
    );
  } catch (error) {
    model.dispose();
    throw error;
  } finally {
    tf.dispose(Object.values(tensors));
  }
  return model;
}

/**
 * The weights a model.json spec starts from, read in Node from the files its `weightsManifest`
 * names (beside the model.json), by parameter name; undefined when the spec has none.
 *
 * @throws CoreSpecError (one line, naming the file) when a weight file is missing or does not
 *   match its manifest, or when it holds no weights for one of the model's parameters.
 */
export function readInitialWeights(
  spec: ModelSpec,
  parameterNames: readonly string[],
): Record<string, Float32Array> | undefined {
  const path = spec.layers?.weights;
  if (spec.type !== 'layers' || path === undefined) return undefined;
  const fail = (found: string): never => {
    throw new CoreSpecError(
      'model weights',
      'the files its weightsManifest names, beside it',
      `${path}: ${found}`,
    );
  };
  let manifest: LayersModelJson['weightsManifest'];
  try {
    manifest = (JSON.parse(readFileSync(path, 'utf8')) as LayersModelJson).weightsManifest;
  } catch {
    return fail('unreadable');
  }
  const chunks: Uint8Array[] = [];
  for (const file of manifest.flatMap((group) => group.paths)) {
    try {
      chunks.push(readFileSync(join(dirname(path), file)));
    } catch {
      fail(`${file} is missing`);
    }
  }
  const bytes = new Uint8Array(chunks.reduce((sum, chunk) => sum + chunk.length, 0));
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.length;
  }
  let tensors: tf.NamedTensorMap = {};
  try {
    tensors = tf.io.decodeWeights(
      bytes.buffer,
      manifest.flatMap((group) => group.weights),
    );
  } catch (error) {
    fail(`weights do not match the manifest (${(error as Error).message.split('\n')[0]})`);
  }
  try {
    const weights: Record<string, Float32Array> = {};
    for (const name of parameterNames) {
      const tensor = tensors[name];
      if (!tensor) fail(`no weights for parameter "${name}"`);
      else weights[name] = Float32Array.from(tensor.dataSync());
    }
    return weights;
  } finally {
    tf.dispose(Object.values(tensors));
  }
}
