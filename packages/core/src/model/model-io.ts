import * as tf from '@tensorflow/tfjs-core';
import { CoreSpecError } from '../core-spec-error.js';
import { Model } from './model.js';
import type { ModelSpec } from './model-spec.js';
import type { TrainableModel } from './trainable-model.js';

/** What a saved model is made of, in tfjs's weights format (`model.json` + binary weights). */
export interface ModelArtifacts {
  /** JSON of `model.json`: format, the model spec, sizes and the tfjs weights manifest. */
  readonly modelJson: ModelJson | LayersModelJson;
  /** Concatenated little-endian float32 weights (`weights.bin`). */
  readonly weightData: ArrayBuffer;
}

/**
 * `model.json` of a saved model.json-defined (tfjs-layers) model: the topology it was read from and
 * the trained weights under their tfjs names — what `tf.loadLayersModel` reads.
 */
export interface LayersModelJson {
  readonly format: 'layers-model';
  readonly generatedBy: 'contour';
  readonly modelTopology: Readonly<Record<string, unknown>>;
  readonly weightsManifest: ReadonlyArray<{
    readonly paths: readonly string[];
    readonly weights: tf.io.WeightsManifestEntry[];
  }>;
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

/**
 * Encodes a model's weights with tfjs-core's io (`tf.io.encodeWeights`). A model.json-defined model
 * is saved in tfjs-layers' own format (its topology, the weights under their tfjs names).
 */
export async function modelToArtifacts(
  model: TrainableModel,
  weightsPath = 'weights.bin',
): Promise<ModelArtifacts> {
  const named: tf.NamedTensorMap = {};
  for (const name of model.parameterNames) named[name] = model.variables[name] as tf.Variable;
  const { data, specs } = await tf.io.encodeWeights(named);
  if (model.spec.type === 'layers' && model.spec.layers) {
    return {
      modelJson: {
        format: 'layers-model',
        generatedBy: 'contour',
        modelTopology: model.spec.layers.modelTopology,
        weightsManifest: [{ paths: [weightsPath], weights: specs }],
      },
      weightData: data,
    };
  }
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
  if (modelJson.format === 'layers-model') {
    throw new CoreSpecError(
      'model',
      'a saved linear or mlp model here (load a layers model with tf.loadLayersModel)',
      'a tfjs-layers model.json',
    );
  }
  if (modelJson.format !== 'contour-model') {
    throw new Error(
      `model.json: "format" must be "contour-model"; got ${JSON.stringify((modelJson as { format?: unknown }).format)}`,
    );
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
