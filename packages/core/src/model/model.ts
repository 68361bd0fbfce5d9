import * as tf from '@tensorflow/tfjs-core';
import { CoreSpecError } from '../core-spec-error.js';
import { initialKernel } from './initializers.js';
import type { ModelSpec } from './model-spec.js';
import type { TrainableModel, WeightValues } from './trainable-model.js';
import { readVariables, writeVariables } from './variable-weights.js';

/** One dense layer: its name and its parameters' names (`<layer>/kernel`, `<layer>/bias`). */
export interface DenseLayer {
  readonly name: string;
  readonly inputSize: number;
  readonly outputSize: number;
  readonly kernel: string;
  readonly bias: string;
}

export type { WeightValues } from './trainable-model.js';

let modelCounter = 0;

/** The transposition that swaps the last two axes of a rank-2 or rank-3 tensor. */
function swapLastAxes(tensor: tf.Tensor): tf.Tensor {
  return tf.transpose(tensor, tensor.rank === 3 ? [0, 2, 1] : [1, 0]);
}

/**
 * A dense layer `inputs · kernel + bias` ([batch, in] · [in, out], or stacked [K, batch, in] ·
 * [K, in, out] with bias [K, 1, out]) whose gradient is written out: ∂kernel = inputsᵀ · dy,
 * ∂bias = Σ_batch dy and, only when `inputsNeedGradient`, ∂inputs = dy · kernelᵀ. The transposes
 * are explicit because tfjs's own matMul gradient multiplies with transposed operands, which the
 * wasm backend runs ~6× slower than a transpose followed by a plain matMul (measured here; see
 * bench/README.md). On the cpu backend the values are the same as the built-in gradient's (the same
 * products summed in the same order).
 */
export function denseLayer(
  inputs: tf.Tensor,
  kernel: tf.Tensor,
  bias: tf.Tensor,
  inputsNeedGradient: boolean,
): tf.Tensor {
  if (!inputsNeedGradient) {
    return tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
      const [weights, offsets] = args as [tf.Tensor, tf.Tensor];
      return {
        value: tf.add(tf.matMul(inputs as tf.Tensor2D, weights as tf.Tensor2D), offsets),
        gradFunc: (dy: tf.Tensor | tf.Tensor[]) => denseParameterGradients(inputs, dy as tf.Tensor),
      };
    })(kernel, bias);
  }
  return tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [values, weights, offsets, save] = args as [tf.Tensor, tf.Tensor, tf.Tensor, tf.GradSaveFunc];
    save([values, weights]);
    return {
      value: tf.add(tf.matMul(values as tf.Tensor2D, weights as tf.Tensor2D), offsets),
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
        const gradient = dy as tf.Tensor;
        const [input, weight] = saved as [tf.Tensor, tf.Tensor];
        return [
          tf.matMul(gradient as tf.Tensor2D, swapLastAxes(weight) as tf.Tensor2D),
          ...denseParameterGradients(input, gradient),
        ];
      },
    };
  })(inputs, kernel, bias);
}

/**
 * {@link denseLayer}'s gradients of its kernel and bias for the gradient `dy` of its output:
 * inputsᵀ · dy and Σ_batch dy (what a training step computes without the tape when it has `dy`).
 */
export function denseParameterGradients(inputs: tf.Tensor, dy: tf.Tensor): [tf.Tensor, tf.Tensor] {
  return [
    tf.matMul(swapLastAxes(inputs) as tf.Tensor2D, dy as tf.Tensor2D),
    dy.rank === 3 ? tf.sum(dy, 1, true) : tf.sum(dy, 0),
  ];
}

/**
 * The dense layers of a model spec between `inputSize` inputs and `outputSize` outputs: hidden
 * layers `hidden1`, `hidden2`, … and the output layer `head`, with their parameters' names.
 */
export function denseLayersOf(spec: ModelSpec, inputSize: number, outputSize: number): DenseLayer[] {
  const sizes = [inputSize, ...spec.hidden, outputSize];
  return sizes.slice(1).map((layerOutputSize, index) => {
    const name = index === sizes.length - 2 ? 'head' : `hidden${index + 1}`;
    return {
      name,
      inputSize: sizes[index] as number,
      outputSize: layerOutputSize,
      kernel: `${name}/kernel`,
      bias: `${name}/bias`,
    };
  });
}

/** A hidden layer's activation function. */
export function activate(values: tf.Tensor, activation: ModelSpec['activation']): tf.Tensor {
  switch (activation) {
    case 'relu':
      return tf.relu(values);
    case 'tanh':
      return tf.tanh(values);
    case 'sigmoid':
      return tf.sigmoid(values);
  }
}

/**
 * A dense network on tfjs-core variables. Parameters are keyed by stable names (`hidden1/kernel`,
 * `head/bias`); the underlying tfjs variables get a unique prefix so several models can live in
 * one process.
 */
export class Model implements TrainableModel {
  readonly layers: readonly DenseLayer[];
  /** Trainable variables by parameter name. */
  readonly variables: Readonly<Record<string, tf.Variable>>;
  #disposed = false;

  constructor(
    readonly spec: ModelSpec,
    readonly inputSize: number,
    readonly outputSize: number,
    initialWeights: WeightValues,
  ) {
    this.layers = denseLayersOf(spec, inputSize, outputSize);
    modelCounter += 1;
    const prefix = `contour-model-${modelCounter}`;
    const variables: Record<string, tf.Variable> = {};
    for (const layer of this.layers) {
      for (const [parameter, shape] of [
        [layer.kernel, [layer.inputSize, layer.outputSize]],
        [layer.bias, [layer.outputSize]],
      ] as const) {
        const values = initialWeights[parameter];
        if (!values || values.length !== shape.reduce((product, size) => product * size, 1)) {
          throw new Error(`weights for "${parameter}" must hold ${shape.join('×')} values`);
        }
        // A variable shares the initial tensor's data; the tensor object itself must be freed.
        const initial = tf.tensor(values, [...shape], 'float32');
        variables[parameter] = tf.variable(initial, true, `${prefix}/${parameter}`);
        initial.dispose();
      }
    }
    this.variables = variables;
  }

  /** Parameter names in layer order (kernel, bias, …). */
  get parameterNames(): string[] {
    return this.layers.flatMap((layer) => [layer.kernel, layer.bias]);
  }

  /** Number of trainable values. */
  get parameterCount(): number {
    return this.layers.reduce((sum, layer) => sum + layer.inputSize * layer.outputSize + layer.outputSize, 0);
  }

  /**
   * Logits [batch, outputSize]. With `dropoutSeed` (training), inverted dropout at the spec's rate
   * is applied to hidden activations with a seed derived per layer, so steps are reproducible.
   */
  forward(inputs: tf.Tensor, dropoutSeed?: number): tf.Tensor2D {
    return tf.tidy(() => {
      let activations: tf.Tensor2D =
        inputs.rank === 2
          ? (inputs as tf.Tensor2D)
          : (tf.reshape(inputs, [inputs.shape[0] ?? -1, this.inputSize]) as tf.Tensor2D);
      this.layers.forEach((layer, index) => {
        const kernel = this.variables[layer.kernel] as tf.Variable;
        const bias = this.variables[layer.bias] as tf.Variable;
        activations = denseLayer(activations, kernel, bias, index > 0) as tf.Tensor2D;
        if (layer.name === 'head') return;
        activations = activate(activations, this.spec.activation) as tf.Tensor2D;
        if (dropoutSeed !== undefined && this.spec.dropout > 0) {
          activations = tf.dropout(
            activations,
            this.spec.dropout,
            undefined,
            dropoutSeed * 31 + index,
          ) as tf.Tensor2D;
        }
      });
      return activations;
    });
  }

  /** Copies of every parameter's values. */
  getWeights(): Record<string, Float32Array> {
    return readVariables(this.variables, this.parameterNames);
  }

  /** Overwrites parameters from values by name (missing names are left as they are). */
  setWeights(weights: WeightValues): void {
    writeVariables(this.variables, this.parameterNames, weights);
  }

  /** Frees the variables. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    for (const variable of Object.values(this.variables)) variable.dispose();
  }
}

/** Options of createModel. */
export interface CreateModelOptions {
  readonly inputSize: number;
  readonly outputSize: number;
  /** Seed of the initial weights. */
  readonly seed: number;
}

/** Seeded initial weights of a spec (kernels by the spec's initialiser, zero biases), by parameter name. */
export function initialWeights(spec: ModelSpec, options: CreateModelOptions): Record<string, Float32Array> {
  const weights: Record<string, Float32Array> = {};
  denseLayersOf(spec, options.inputSize, options.outputSize).forEach((layer, index) => {
    weights[layer.kernel] = initialKernel(
      spec.initializer,
      layer.inputSize,
      layer.outputSize,
      options.seed * 1009 + index,
    );
    weights[layer.bias] = new Float32Array(layer.outputSize);
  });
  return weights;
}

/** Builds a model with seeded initial weights (kernels by the spec's initialiser, zero biases). */
export function createModel(spec: ModelSpec, options: CreateModelOptions): Model {
  if (spec.type === 'layers')
    throw new CoreSpecError(
      'model',
      'linear or mlp here (build a model.json with createTrainableModel)',
      'layers',
    );
  return new Model(spec, options.inputSize, options.outputSize, initialWeights(spec, options));
}
