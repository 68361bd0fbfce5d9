import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '@contour/metrics-logger/node';
import * as tf from '@tensorflow/tfjs-core';
import { LayersModelAdapter } from '../model/layers-model-adapter.js';
import type { Model } from '../model/model.js';
import {
  artifactsToModel,
  type LayersModelJson,
  type ModelJson,
  modelToArtifacts,
} from '../model/model-io.js';
import { parseModelSpec, readLayersTopology } from '../model/model-spec.js';
import type { TrainableModel } from '../model/trainable-model.js';

/**
 * Saves a model in the tfjs weights format: `model.json` (spec + weights manifest) and
 * `weights.bin`, each written atomically (weights first, so model.json never names weights that
 * are not there).
 */
export async function saveModel(model: TrainableModel, directory: string): Promise<void> {
  mkdirSync(directory, { recursive: true });
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
