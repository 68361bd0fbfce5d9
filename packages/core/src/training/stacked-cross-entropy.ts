import * as tf from '@tensorflow/tfjs-core';
import type { HostFloat32 } from './host-float32.js';

/** What {@link stackedCrossEntropy} returns. */
export interface StackedCrossEntropy {
  /** Σ over models of each model's mean cross entropy: what the gradient is taken of. */
  readonly total: tf.Scalar;
  /** Each model's mean cross entropy over the batch [models], kept (dispose it yourself). */
  readonly perModel: tf.Tensor1D;
}

/** How K models' logits are laid out (see {@link stackedCrossEntropy}). */
export interface StackedLogitsLayout {
  /** 0: [batch, models, classes] (a one-layer stack's wide output); 1: [models, batch, classes]. */
  readonly batchAxis: 0 | 1;
  readonly models: number;
}

/**
 * Softmax cross entropy of K stacked models on one batch of one-hot targets, with its gradient
 * written out: the training loss of a vectorised sweep. The forward pass is `softmaxCrossEntropy`'s
 * (log-sum-exp with the max subtracted), reduced to each model's mean; the gradient is the float32
 * arithmetic tfjs' autodiff performs on that same graph, in the same order, minus its exact no-ops
 * (multiplications by ones, reshapes, clones of saved tensors, casts to float32): so the gradient
 * is bit-identical to `tf.variableGrads` of `sum(mean(softmaxCrossEntropy(logits, targets, 'none')))`
 * (see the tests) in 10 kernels instead of ~45 recorded ones, which on the wasm backend cost more
 * in dispatch than in arithmetic.
 *
 * With n = batch size, s = 1/n (float32), t the targets, m = max z, b = exp(z − m), c = Σb:
 * ∂/∂z = ((s/c)·b − s·t) + [z = m]·(s − Σ (s/c)·b) — the last term is the max's gradient, ~0
 * but not exactly, hence kept.
 *
 * @param logits K models' logits: [models, batch, classes] (`batchAxis` 1) or, `batchAxis` 0, any
 *   shape holding [batch, models, classes] in row-major order (e.g. a wide layer's [batch, models·classes]).
 * @param targets one-hot float32 [batch, classes] (each row exactly one 1).
 */
export function stackedCrossEntropy(
  logits: tf.Tensor,
  targets: tf.Tensor2D,
  layout: StackedLogitsLayout,
): StackedCrossEntropy {
  const { batchAxis, models } = layout;
  const [batch, classes] = targets.shape;
  // Reshapes happen inside the custom gradient, where the tape does not record (nor clone) them.
  const shape = batchAxis === 0 ? [batch, models, classes] : [models, batch, classes];
  let perModel: tf.Tensor1D | undefined;
  const total = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [input, save] = args as [tf.Tensor, tf.GradSaveFunc];
    const values = tf.reshape(input, shape);
    // Targets broadcast over the models' axis.
    const broadcastTargets = batchAxis === 0 ? tf.reshape(targets, [batch, 1, classes]) : targets;
    const maximum = tf.max(values, 2, true);
    const shifted = tf.sub(values, maximum);
    const exponentials = tf.exp(shifted);
    const sums = tf.sum(exponentials, 2);
    const logSumExp = tf.reshape(tf.add(tf.reshape(maximum, sums.shape), tf.log(sums)), maximum.shape);
    const perExample = tf.sum(tf.mul(broadcastTargets, tf.sub(logSumExp, values)), 2);
    const means = tf.keep(tf.mean(perExample, batchAxis) as tf.Tensor1D);
    perModel = means;
    // d mean / d example = 1/n, as autodiff's float32 1 ÷ n (the double quotient rounded to float32
    // is the same number); Σ_k t_k·(1/n) = 1/n exactly for one-hot t.
    const scale = Math.fround(1 / batch);
    const scaledTargets = tf.mul(scale, broadcastTargets);
    const scaledExponentials = tf.mul(tf.reshape(tf.div(scale, sums), maximum.shape), exponentials);
    const maximumGradient = tf.sub(scale, tf.sum(scaledExponentials, 2, true));
    // Autodiff's mask is z = m; z − m = 0 is the same test for finite z and m (float32 differences of
    // distinct values are never 0) and differs only in rows whose gradient is NaN anyway (an infinite
    // or NaN logit makes Σb NaN). Comparing with a scalar avoids the wasm backend's broadcasting
    // Equal, which costs 10× a whole step's element-wise work.
    const atMaximum = tf.cast(tf.equal(shifted, 0), 'float32');
    const gradient = tf.add(tf.sub(scaledExponentials, scaledTargets), tf.mul(maximumGradient, atMaximum));
    save([tf.reshape(gradient, input.shape)]);
    return {
      value: tf.sum(means) as tf.Scalar,
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) =>
        tf.mul(dy as tf.Tensor, saved[0] as tf.Tensor),
    };
  })(logits) as tf.Scalar;
  return { total, perModel: perModel as tf.Tensor1D };
}

/** What {@link hostStackedCrossEntropy} returns. */
export interface HostStackedCrossEntropy {
  /** Each model's mean cross entropy over the batch [models]. */
  readonly perModel: Float32Array;
  /** ∂(Σ over models of the means)/∂logits, laid out as the logits. */
  readonly gradient: Float32Array;
}

/**
 * {@link stackedCrossEntropy} for the `batchAxis` 0 layout ([batch, models, classes]) computed in
 * JavaScript on logits read back from a backend whose float32 kernels {@link HostFloat32}
 * reproduces (cpu, wasm): every value, the losses and the gradient, is the one the tfjs op gives on
 * that backend, bit for bit — the same float32 operations in the same order, with the backend's
 * own exp, log, sums and means. Undefined when a logit is not finite (±∞ or NaN): such a step's
 * values depend on each backend's NaN handling in max, so the caller takes the tfjs op for it.
 *
 * @param logits [batch, models, classes] row-major.
 * @param targets one-hot [batch, classes] (each row exactly one 1).
 */
export function hostStackedCrossEntropy(
  logits: Float32Array,
  targets: Float32Array,
  layout: { readonly batch: number; readonly models: number; readonly classes: number },
  math: HostFloat32,
): HostStackedCrossEntropy | undefined {
  const { batch, models, classes } = layout;
  const fround = Math.fround;
  for (const value of logits) if (!Number.isFinite(value)) return undefined;
  const { exp, log } = math;
  // The backend's Sum over the classes, inlined (the hot loop): wasm rounds every partial sum to
  // float32, cpu rounds only the float64 total (HostFloat32.sum, checked against both by the tests).
  const float32Sums = math.backend === 'wasm';
  const rows = batch * models;
  const shifted = new Float32Array(classes);
  const exponentials = new Float32Array(classes);
  const scaled = new Float32Array(classes);
  const perExample = new Float32Array(rows);
  const gradient = new Float32Array(rows * classes);
  const scale = fround(1 / batch);
  for (let row = 0; row < rows; row += 1) {
    const base = row * classes;
    const targetBase = Math.floor(row / models) * classes;
    let maximum = logits[base] as number;
    for (let index = 1; index < classes; index += 1) {
      const value = logits[base + index] as number;
      if (value > maximum) maximum = value;
    }
    let sum = 0;
    for (let index = 0; index < classes; index += 1) {
      const difference = fround((logits[base + index] as number) - maximum);
      const exponential = exp(difference);
      shifted[index] = difference;
      exponentials[index] = exponential;
      sum = float32Sums ? fround(sum + exponential) : sum + exponential;
    }
    sum = fround(sum);
    const logSumExp = fround(maximum + log(sum));
    let example = 0;
    for (let index = 0; index < classes; index += 1) {
      const term = fround(
        (targets[targetBase + index] as number) * fround(logSumExp - (logits[base + index] as number)),
      );
      example = float32Sums ? fround(example + term) : example + term;
    }
    perExample[row] = fround(example);
    // The gradient: (s/c)·b − s·t + [z = m]·(s − Σ (s/c)·b), as the tfjs op computes it.
    const quotient = fround(scale / sum);
    let scaledSum = 0;
    for (let index = 0; index < classes; index += 1) {
      const value = fround(quotient * (exponentials[index] as number));
      scaled[index] = value;
      scaledSum = float32Sums ? fround(scaledSum + value) : scaledSum + value;
    }
    const maximumGradient = fround(scale - fround(scaledSum));
    for (let index = 0; index < classes; index += 1) {
      const scaledTarget = fround(scale * (targets[targetBase + index] as number));
      const atMaximum = shifted[index] === 0 ? 1 : 0;
      gradient[base + index] = fround(
        fround((scaled[index] as number) - scaledTarget) + fround(maximumGradient * atMaximum),
      );
    }
  }
  const perModel = new Float32Array(models);
  for (let model = 0; model < models; model += 1)
    perModel[model] = math.mean(perExample, model, batch, models);
  return { perModel, gradient };
}
