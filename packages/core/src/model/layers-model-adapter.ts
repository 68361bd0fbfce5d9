import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { CoreSpecError } from '../core-spec-error.js';
import { useConvolutionFilterGradient } from './convolution-filter-gradient.js';
import { type CreateModelOptions, createModel } from './model.js';
import type { ModelSpec } from './model-spec.js';
import type { TrainableModel, WeightValues } from './trainable-model.js';
import { readVariables, writeVariables } from './variable-weights.js';

type Json = Record<string, unknown>;

/** Initializers that draw random numbers and take a `seed` (tfjs-layers' and Keras' names). */
const seededInitializers = new Set([
  'GlorotUniform',
  'GlorotNormal',
  'HeUniform',
  'HeNormal',
  'LeCunUniform',
  'LeCunNormal',
  'VarianceScaling',
  'RandomUniform',
  'RandomNormal',
  'TruncatedNormal',
  'Orthogonal',
]);

function layerList(topology: Json): Json[] {
  const config = topology.config as Json | Json[];
  return (Array.isArray(config) ? config : (config.layers as Json[])) ?? [];
}

/**
 * A copy of the topology ready to train from logits: random initializers get seeds derived from
 * `seed` (the same weights in every process and on every backend, as the built-in models), and a
 * softmax on the output layer is removed — Contour's loss applies it to the logits (Keras'
 * `from_logits=True`), which is the same function, computed stably.
 */
function trainingTopology(topology: Json, seed: number): Json {
  const copy = JSON.parse(JSON.stringify(topology)) as Json;
  const layers = layerList(copy);
  let counter = 0;
  for (const layer of layers) {
    const config = (layer.config ?? {}) as Json;
    for (const [key, value] of Object.entries(config)) {
      if (!key.endsWith('_initializer') || !value || typeof value !== 'object') continue;
      const initializer = value as Json;
      if (!seededInitializers.has(String(initializer.class_name))) continue;
      counter += 1;
      initializer.config = {
        ...((initializer.config as Json | undefined) ?? {}),
        seed: seed * 1009 + counter,
      };
    }
  }
  const outputName = outputLayerName(copy, layers);
  const output = layers.find((layer) => (layer.config as Json | undefined)?.name === outputName);
  const outputConfig = output?.config as Json | undefined;
  if (outputConfig && outputConfig.activation === 'softmax') outputConfig.activation = 'linear';
  return copy;
}

function outputLayerName(topology: Json, layers: Json[]): unknown {
  const config = topology.config as Json | Json[];
  const outputs = Array.isArray(config) ? undefined : (config.output_layers as unknown[][] | undefined);
  if (outputs && Array.isArray(outputs[0])) return outputs[0][0];
  return (layers.at(-1)?.config as Json | undefined)?.name;
}

/**
 * Any tfjs-layers model (Sequential or functional, dense or convolutional, from a model.json) as a
 * {@link TrainableModel}: the trainer, range test, evaluation, checkpoints and run directories use
 * it exactly as the built-in models. Parameters are the model's trainable weights under their
 * tfjs names (`conv1/kernel`, `head/bias`; stable when the same model is built twice in one
 * process), gradients come from `tf.variableGrads` over its variables, features `[batch, H·W]`
 * are reshaped to the model's input shape (`[H, W, 1]`, `[H·W]`, …). The output must be
 * `[batch, classes]` logits (a softmax on the output layer is removed when building).
 */
export class LayersModelAdapter implements TrainableModel {
  readonly layers: readonly { readonly name: string; readonly kernel: string }[];
  readonly variables: Readonly<Record<string, tf.Variable>>;
  readonly parameterNames: string[];
  /** Name of the output layer (the head a transfer replaces). */
  readonly outputLayer: string;
  readonly #model: tfl.LayersModel;
  readonly #inputShape: number[];
  #disposed = false;

  private constructor(
    readonly spec: ModelSpec,
    model: tfl.LayersModel,
    inputShape: number[],
    readonly inputSize: number,
    readonly outputSize: number,
  ) {
    this.#model = model;
    this.#inputShape = inputShape;
    const variables: Record<string, tf.Variable> = {};
    for (const weight of model.trainableWeights) {
      if (weight.originalName in variables) {
        model.dispose();
        throw new CoreSpecError(
          'model',
          'parameters with distinct names',
          `two named "${weight.originalName}"`,
        );
      }
      variables[weight.originalName] = weight.read() as tf.Variable;
    }
    this.variables = variables;
    this.parameterNames = Object.keys(variables);
    this.outputLayer = model.outputs[0]?.sourceLayer.name ?? '';
    this.layers = model.layers.flatMap((layer) =>
      variables[`${layer.name}/kernel`] ? [{ name: layer.name, kernel: `${layer.name}/kernel` }] : [],
    );
  }

  /**
   * Builds the model of a `layers` spec for data of `inputSize` values per example and
   * `outputSize` classes, with seeded initial weights.
   *
   * @throws CoreSpecError (one line, naming the model.json) when tfjs cannot build the topology,
   *   when its input does not take `inputSize` values or its output is not `[batch, outputSize]`.
   */
  static async create(spec: ModelSpec, options: CreateModelOptions): Promise<LayersModelAdapter> {
    return LayersModelAdapter.#build(spec, options.seed, options);
  }

  /**
   * Builds the model of a `layers` spec at the sizes its topology declares (no check against
   * data), e.g. to load a saved run's model or to list its layers.
   */
  static async fromTopology(spec: ModelSpec, seed = 0): Promise<LayersModelAdapter> {
    return LayersModelAdapter.#build(spec, seed, undefined);
  }

  static async #build(
    spec: ModelSpec,
    seed: number,
    sizes: { readonly inputSize: number; readonly outputSize: number } | undefined,
  ): Promise<LayersModelAdapter> {
    const options = { seed };
    const source = spec.layers;
    if (spec.type !== 'layers' || !source)
      throw new CoreSpecError('model', 'a layers spec (a model.json)', spec.type);
    let layers: typeof tfl;
    try {
      layers = await import('@tensorflow/tfjs-layers');
    } catch {
      throw new CoreSpecError(
        'model',
        'a linear or mlp model unless @tensorflow/tfjs-layers 4.x is installed (it builds model.json models)',
        source.path,
      );
    }
    useConvolutionFilterGradient(tf.getBackend());
    let model: tfl.LayersModel;
    try {
      model = await layers.models.modelFromJSON({
        modelTopology: trainingTopology(source.modelTopology as Json, options.seed) as never,
      });
    } catch (error) {
      // tfjs' messages go on with advice over several sentences: keep the first.
      const reason = (error instanceof Error ? error.message : String(error)).split(/\. |\n/)[0];
      throw new CoreSpecError(
        'model',
        'a tfjs-layers topology that tfjs can build',
        `${source.path}: ${reason}`,
      );
    }
    const fail = (field: string, expected: string, found: string): never => {
      model.dispose();
      throw new CoreSpecError(field, expected, `${source.path}: ${found}`);
    };
    if (model.inputs.length !== 1 || model.outputs.length !== 1)
      fail(
        'model',
        'one input and one output',
        `${model.inputs.length} inputs, ${model.outputs.length} outputs`,
      );
    const inputShape = (model.inputs[0]?.shape ?? []).slice(1);
    const inputValues = inputShape.reduce<number>((product, size) => product * (size ?? Number.NaN), 1);
    const outputShape = model.outputs[0]?.shape ?? [];
    const inputSize = sizes?.inputSize ?? inputValues;
    const outputSize = sizes?.outputSize ?? outputShape[1] ?? Number.NaN;
    if (!(inputValues === inputSize))
      fail(
        'model input',
        `${inputSize} values per example (the data's images)`,
        `input shape [${inputShape.map((size) => size ?? 'null').join(', ')}]`,
      );
    if (outputShape.length !== 2 || outputShape[1] !== outputSize)
      fail(
        'model output',
        `${outputSize} units (the data's classes)`,
        `output shape [${outputShape.map((size) => size ?? 'null').join(', ')}]`,
      );
    return new LayersModelAdapter(spec, model, inputShape as number[], inputSize, outputSize);
  }

  /**
   * A model for a new task (transfer learning): the same topology with an output layer of
   * `outputSize` units, freshly initialised from `seed`, and every other parameter copied from
   * this model (left as it is), as Keras users do by replacing the head.
   */
  async transfer(outputSize: number, seed: number): Promise<LayersModelAdapter> {
    const target = await LayersModelAdapter.create(withOutputUnits(this.spec, outputSize), {
      inputSize: this.inputSize,
      outputSize,
      seed,
    });
    const weights = this.getWeights();
    target.setWeights(
      Object.fromEntries(
        Object.entries(weights).filter(([name]) => !name.startsWith(`${this.outputLayer}/`)),
      ),
    );
    return target;
  }

  get parameterCount(): number {
    return Object.values(this.variables).reduce((sum, variable) => sum + variable.size, 0);
  }

  forward(inputs: tf.Tensor, dropoutSeed?: number): tf.Tensor2D {
    return tf.tidy(() => {
      const batch = inputs.shape[0] ?? -1;
      const shaped =
        inputs.shape.length === this.#inputShape.length + 1
          ? inputs
          : tf.reshape(inputs, [batch, ...this.#inputShape]);
      return this.#model.apply(shaped, { training: dropoutSeed !== undefined }) as tf.Tensor2D;
    });
  }

  getWeights(): Record<string, Float32Array> {
    return readVariables(this.variables, this.parameterNames);
  }

  setWeights(weights: WeightValues): void {
    writeVariables(this.variables, this.parameterNames, weights);
  }

  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#model.dispose();
  }
}

/**
 * The spec of the same model with `units` outputs: for a model.json, its output layer (a Dense
 * layer) gets `units` units; a dense spec is unchanged (its head is sized when it is built).
 *
 * @throws CoreSpecError when a model.json's output layer is not a Dense layer.
 */
export function withOutputUnits(spec: ModelSpec, units: number): ModelSpec {
  if (spec.type !== 'layers' || !spec.layers) return spec;
  const topology = JSON.parse(JSON.stringify(spec.layers.modelTopology)) as Json;
  const layers = layerList(topology);
  const name = outputLayerName(topology, layers);
  const output = layers.find((layer) => (layer.config as Json | undefined)?.name === name);
  if (output?.class_name !== 'Dense')
    throw new CoreSpecError(
      'model',
      "a model.json whose output layer is Dense (its units become the new task's classes)",
      `${spec.layers.path}: ${String(output?.class_name ?? 'no output layer')}`,
    );
  (output.config as Json).units = units;
  return { ...spec, layers: { ...spec.layers, modelTopology: topology } };
}

/**
 * Builds the model a spec describes: Contour's dense model for `linear`/`mlp` (synchronously
 * underneath), a {@link LayersModelAdapter} for a model.json.
 */
export async function createTrainableModel(
  spec: ModelSpec,
  options: CreateModelOptions,
): Promise<TrainableModel> {
  if (spec.type === 'layers') return LayersModelAdapter.create(spec, options);
  return createModel(spec, options);
}

/**
 * Builds a spec's model for data of `inputSize` values and `outputSize` classes once and frees it,
 * so a model.json that does not fit the data is refused (one-line CoreSpecError) before a run
 * writes anything. Dense specs fit any data: nothing is built.
 */
export async function checkModelFitsData(spec: ModelSpec, options: CreateModelOptions): Promise<void> {
  if (spec.type !== 'layers') return;
  (await LayersModelAdapter.create(spec, options)).dispose();
}
