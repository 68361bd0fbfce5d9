import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '@contour/metrics-logger/node';
import type { Model } from '../model/model.js';
import { artifactsToModel, type ModelJson, modelToArtifacts } from '../model/model-io.js';
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
