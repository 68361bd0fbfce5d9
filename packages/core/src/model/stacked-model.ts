import { modelSlice, type StackedParameter } from '@contour/optimizers';
import * as tf from '@tensorflow/tfjs-core';
import {
  activate,
  type DenseLayer,
  denseLayer,
  denseLayersOf,
  denseParameterGradients,
  type WeightValues,
} from './model.js';
import type { ModelSpec } from './model-spec.js';

/**
 * K dense models of one spec (no dropout) held as stacked variables, for training them together:
 * the first layer's kernels side by side ([in, K·out], one matMul for every model; biases
 * [K·out]), deeper layers stacked ([K, in, out], one batched matMul; biases [K, 1, out]). Layers
 * and parameter names are {@link Model}'s; `parameters` describe the stacking for
 * `StackedOptimizer`. Each model's forward pass is the same float32 arithmetic as its own Model's.
 */
export class StackedModel {
  readonly layers: readonly DenseLayer[];
  /** Number of stacked models. */
  readonly count: number;
  /** Kernel and bias of every layer, in Model's parameter order, with their stacking. */
  readonly parameters: readonly StackedParameter[];
  #disposed = false;

  /** `weights[k]` are model k's initial weights by parameter name (as `Model` takes them). */
  constructor(
    readonly spec: ModelSpec,
    readonly inputSize: number,
    readonly outputSize: number,
    weights: readonly WeightValues[],
  ) {
    if (spec.dropout > 0) throw new Error('StackedModel: dropout is not supported');
    this.layers = denseLayersOf(spec, inputSize, outputSize);
    const count = weights.length;
    if (count === 0) throw new Error('StackedModel: no models');
    this.count = count;
    const parameters: StackedParameter[] = [];
    this.layers.forEach((layer, index) => {
      const wide = index === 0;
      for (const [name, modelShape] of [
        [layer.kernel, [layer.inputSize, layer.outputSize]],
        [layer.bias, [layer.outputSize]],
      ] as const) {
        // Model k's values as the k-th block along the stacking axis.
        const stackedShape = wide
          ? [...modelShape]
          : name === layer.kernel
            ? [1, ...modelShape]
            : [1, 1, layer.outputSize];
        const modelAxis = wide ? modelShape.length - 1 : 0;
        const variable = tf.tidy(() =>
          tf.variable(
            tf.concat(
              weights.map((values) => {
                const data = values[name];
                if (!data) throw new Error(`StackedModel: weights for "${name}" are missing`);
                return tf.tensor(data, stackedShape, 'float32');
              }),
              modelAxis,
            ),
            true,
          ),
        );
        parameters.push({ name, variable, modelAxis, modelShape });
      }
    });
    this.parameters = parameters;
  }

  /** The stacked variables (kernel, bias, … in layer order). */
  get variables(): tf.Variable[] {
    return this.parameters.map((parameter) => parameter.variable);
  }

  /**
   * Logits of every model for training, in whichever layout is cheaper: for a one-layer model its
   * wide matMul's [batch, K·outputSize], which holds [batch, K, outputSize] (`batchAxis` 0) without
   * a transpose (nor one back in the gradient); else [K, batch, outputSize] (`batchAxis` 1) as
   * {@link forward}. Every model's values are {@link forward}'s.
   */
  trainingLogits(inputs: tf.Tensor): { logits: tf.Tensor; batchAxis: 0 | 1 } {
    if (this.layers.length > 1) return { logits: this.forward(inputs), batchAxis: 1 };
    const logits = tf.tidy(() => {
      const flat =
        inputs.rank === 2 ? inputs : tf.reshape(inputs, [inputs.shape[0] as number, this.inputSize]);
      const [kernel, bias] = this.#layerVariables(0);
      return denseLayer(flat, kernel, bias, false);
    });
    return { logits, batchAxis: 0 };
  }

  /**
   * A one-layer stack's parameter gradients (kernel, bias: {@link variables}' order) for the
   * gradient of its {@link trainingLogits} ([batch, K·outputSize]), the values the tape would give:
   * for a training step that computes the loss's gradient itself.
   */
  wideGradients(inputs: tf.Tensor, logitsGradient: tf.Tensor): tf.Tensor[] {
    if (this.layers.length !== 1) throw new Error('StackedModel.wideGradients: only for one-layer stacks');
    return tf.tidy(() => {
      const flat =
        inputs.rank === 2 ? inputs : tf.reshape(inputs, [inputs.shape[0] as number, this.inputSize]);
      return denseParameterGradients(flat, logitsGradient);
    });
  }

  /** Logits of every model [K, batch, outputSize] for inputs [batch, in]. */
  forward(inputs: tf.Tensor): tf.Tensor3D {
    return tf.tidy(() => {
      const count = this.count;
      const batch = inputs.shape[0] as number;
      const flat = inputs.rank === 2 ? inputs : tf.reshape(inputs, [batch, this.inputSize]);
      const [kernel, bias] = this.#layerVariables(0);
      const width = (this.layers[0] as DenseLayer).outputSize;
      let activations = denseLayer(flat, kernel, bias, false);
      if (this.layers.length > 1) activations = activate(activations, this.spec.activation);
      // [batch, K·out] → [K, batch, out]: each model's columns become its own slice.
      activations = tf.transpose(tf.reshape(activations, [batch, count, width]), [1, 0, 2]);
      for (let index = 1; index < this.layers.length; index += 1) {
        const [deeperKernel, deeperBias] = this.#layerVariables(index);
        activations = denseLayer(activations, deeperKernel, deeperBias, true);
        if (index < this.layers.length - 1) activations = activate(activations, this.spec.activation);
      }
      return activations as tf.Tensor3D;
    });
  }

  /** The weights of the given models by parameter name (each stacked variable read back once). */
  modelWeights(models: readonly number[]): Array<Record<string, Float32Array>> {
    const count = this.count;
    const values = this.parameters.map((parameter) => parameter.variable.dataSync());
    return models.map((model) =>
      Object.fromEntries(
        this.parameters.map((parameter, index) => [
          parameter.name,
          modelSlice(
            values[index] as Float32Array,
            parameter.variable.shape,
            parameter.modelAxis,
            count,
            model,
          ),
        ]),
      ),
    );
  }

  /** Zeroes every parameter of the given models (stopped ones), leaving the others untouched. */
  zeroModels(models: readonly number[]): void {
    if (models.length === 0) return;
    const count = this.count;
    tf.tidy(() => {
      for (const parameter of this.parameters) {
        const { variable, modelAxis } = parameter;
        const outer = variable.shape.slice(0, modelAxis).reduce((product, size) => product * size, 1);
        const keep = tf.tensor1d(
          Array.from({ length: count }, (_, model) => (models.includes(model) ? 0 : 1)),
          'bool',
        );
        const mask = tf.reshape(
          tf.broadcastTo(tf.reshape(keep, [1, count, 1]), [outer, count, variable.size / outer / count]),
          variable.shape,
        );
        variable.assign(tf.where(mask, variable, tf.zerosLike(variable)));
      }
    });
  }

  /** Copies of every layer's kernel (to measure the update of a step; see {@link updateRatios}). */
  kernelSnapshot(): tf.Tensor[] {
    return this.layers.map((_, index) => tf.clone(this.#layerVariables(index)[0]));
  }

  /**
   * log10(mean |update| / mean |kernel|) of every layer's kernel since `before` (a
   * {@link kernelSnapshot}, disposed here), per model: `[model][layer]`, as `train` reports for one.
   */
  updateRatios(before: readonly tf.Tensor[]): number[][] {
    const count = this.count;
    const data = tf.tidy(() => {
      const perLayer = this.layers.map((_, index) => {
        const parameter = this.parameters[index * 2] as StackedParameter;
        const kernel = parameter.variable;
        const outer = kernel.shape.slice(0, parameter.modelAxis).reduce((product, size) => product * size, 1);
        const byModel = (values: tf.Tensor) => tf.reshape(tf.abs(values), [outer, count, -1]);
        return tf.stack([
          tf.mean(byModel(tf.sub(kernel, before[index] as tf.Tensor)), [0, 2]),
          tf.mean(byModel(kernel), [0, 2]),
        ]);
      });
      return tf.stack(perLayer).dataSync();
    });
    tf.dispose([...before]);
    return Array.from({ length: count }, (_, model) =>
      this.layers.map((_, layer) => {
        const base = layer * 2 * count;
        return Math.log10((data[base + model] ?? Number.NaN) / (data[base + count + model] ?? Number.NaN));
      }),
    );
  }

  /** Frees the variables. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    tf.dispose(this.variables);
  }

  #layerVariables(index: number): [tf.Variable, tf.Variable] {
    return [
      (this.parameters[index * 2] as StackedParameter).variable,
      (this.parameters[index * 2 + 1] as StackedParameter).variable,
    ];
  }
}
