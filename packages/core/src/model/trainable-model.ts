import type * as tf from '@tensorflow/tfjs-core';
import type { ModelSpec } from './model-spec.js';

/** Weights by parameter name, as plain arrays (checkpoints, transfers between models). */
export type WeightValues = Readonly<Record<string, Float32Array>>;

/**
 * What the trainer, the range test, evaluation and checkpoints need of a model: parameters as
 * tfjs variables under stable names (`head/kernel`, `conv1/bias`) that optimizer parameter groups,
 * checkpoints and per-layer update ratios address, and a forward pass to logits. Contour's dense
 * `Model` and `LayersModelAdapter` (any tfjs-layers model) both implement it, so both train on the
 * same engine.
 */
export interface TrainableModel {
  readonly spec: ModelSpec;
  /** Values in one example (the data's features are reshaped to the model's input shape). */
  readonly inputSize: number;
  /** Logits per example: the number of classes. */
  readonly outputSize: number;
  /** Layers with a kernel, for the per-layer update:parameter ratio (`name`, `<name>/kernel`). */
  readonly layers: readonly { readonly name: string; readonly kernel: string }[];
  /** Trainable variables by parameter name. */
  readonly variables: Readonly<Record<string, tf.Variable>>;
  /** Parameter names in layer order. */
  readonly parameterNames: string[];
  /** Number of trainable values. */
  readonly parameterCount: number;
  /**
   * Logits [batch, outputSize] of features [batch, inputSize] (or already shaped). With
   * `dropoutSeed` the pass is a training pass (dropout on, seeded where the model allows it).
   */
  forward(inputs: tf.Tensor, dropoutSeed?: number): tf.Tensor2D;
  /** Copies of every parameter's values. */
  getWeights(): Record<string, Float32Array>;
  /** Overwrites parameters from values by name (missing names are left as they are). */
  setWeights(weights: WeightValues): void;
  /** Frees the variables. */
  dispose(): void;
}
