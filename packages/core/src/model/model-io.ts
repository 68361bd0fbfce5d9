import * as tf from '@tensorflow/tfjs-core';
import { Model } from './model.js';
import type { ModelSpec } from './model-spec.js';

/** What a saved model is made of, in tfjs's weights format (`model.json` + binary weights). */
export interface ModelArtifacts {
  /** JSON of `model.json`: format, the model spec, sizes and the tfjs weights manifest. */
  readonly modelJson: ModelJson;
  /** Concatenated little-endian float32 weights (`weights.bin`). */
  readonly weightData: ArrayBuffer;
}

/** `model.json` of a saved Contour model. */
export interface ModelJson {
  readonly format: 'contour-model';
  readonly formatVersion: 1;
  readonly modelTopology: {
    readonly spec: ModelSpec;
    readonly inputSize: number;
    readonly outputSize: number;
  };
  readonly weightsManifest: ReadonlyArray<{
    readonly paths: readonly string[];
    readonly weights: tf.io.WeightsManifestEntry[];
  }>;
}

/** Encodes a model's weights with tfjs-core's io (`tf.io.encodeWeights`). */
export async function modelToArtifacts(model: Model, weightsPath = 'weights.bin'): Promise<ModelArtifacts> {
  const named: tf.NamedTensorMap = {};
  for (const name of model.parameterNames) named[name] = model.variables[name] as tf.Variable;
  const { data, specs } = await tf.io.encodeWeights(named);
  return {
    modelJson: {
      format: 'contour-model',
      formatVersion: 1,
      modelTopology: { spec: model.spec, inputSize: model.inputSize, outputSize: model.outputSize },
      weightsManifest: [{ paths: [weightsPath], weights: specs }],
    },
    weightData: data,
  };
}

/** Decodes saved weights (`tf.io.decodeWeights`) into a new Model. Throws when the files disagree. */
export function artifactsToModel(artifacts: ModelArtifacts): Model {
  const { modelJson, weightData } = artifacts;
  if (modelJson.format !== 'contour-model') {
    throw new Error(`model.json: "format" must be "contour-model"; got ${JSON.stringify(modelJson.format)}`);
  }
  const specs = modelJson.weightsManifest.flatMap((group) => group.weights);
  const tensors = tf.io.decodeWeights(weightData, specs);
  try {
    const weights: Record<string, Float32Array> = {};
    for (const [name, tensor] of Object.entries(tensors)) weights[name] = tensor.dataSync() as Float32Array;
    const { spec, inputSize, outputSize } = modelJson.modelTopology;
    return new Model(spec, inputSize, outputSize, weights);
  } finally {
    tf.dispose(Object.values(tensors));
  }
}
