import * as tf from '@tensorflow/tfjs-core';
import './register-cpu-backend.js';
import { MissingKernelError, toMissingKernelError } from './missing-kernel-error.js';

/**
 * Kernels that the gradients of common layers need beyond their forward kernels, by operation name.
 * tfjs-backend-wasm 4.22 lacks `Conv2DBackpropFilter` and the depthwise backprop kernels, so
 * convolutional models cannot train on it while dense models can.
 */
export const gradientKernelRequirements: Readonly<Record<string, readonly string[]>> = {
  matMul: ['BatchMatMul'],
  add: ['Add', 'Sum', 'Reshape'],
  softmax: ['Softmax', 'Multiply', 'Sum', 'Sub'],
  logSoftmax: ['Max', 'Sub', 'Exp', 'Sum', 'Log'],
  relu: ['Relu', 'Step', 'Multiply', 'Cast'],
  tanh: ['Tanh', 'Square', 'Sub', 'Multiply'],
  sigmoid: ['Sigmoid', 'Sub', 'Multiply'],
  mean: ['Mean', 'Sum', 'RealDiv'],
  conv2d: ['Conv2D', 'Conv2DBackpropFilter', 'Conv2DBackpropInput'],
  depthwiseConv2d: [
    'DepthwiseConv2dNative',
    'DepthwiseConv2dNativeBackpropFilter',
    'DepthwiseConv2dNativeBackpropInput',
  ],
  maxPool: ['MaxPool', 'MaxPoolGrad'],
  avgPool: ['AvgPool', 'AvgPoolGrad'],
};

/**
 * Lists, for each operation named, the kernels its forward pass and gradient need that `backendName`
 * does not register (nothing is run). Operations not in {@link gradientKernelRequirements} are
 * ignored. Use it before training to fail at once with a clear message instead of mid-run.
 *
 * @example findMissingKernels('wasm', ['matMul', 'conv2d']) // → [MissingKernelError(conv2d gradient, Conv2DBackpropFilter, wasm)]
 */
export function findMissingKernels(backendName: string, operations: readonly string[]): MissingKernelError[] {
  const missing: MissingKernelError[] = [];
  for (const operation of operations) {
    for (const kernelName of gradientKernelRequirements[operation] ?? []) {
      if (tf.getKernel(kernelName, backendName) === undefined) {
        missing.push(new MissingKernelError(`${operation} gradient`, kernelName, backendName));
      }
    }
  }
  return missing;
}

/** What {@link probeTrainingSupport} found. */
export interface TrainingSupportReport {
  /** Backend that was probed. */
  readonly backendName: string;
  /** True when one step of softmax regression ran and gave the reference loss and gradient. */
  readonly supported: boolean;
  /** One line: why it is or is not supported. */
  readonly reason: string;
  /** Time the probe took, in milliseconds (includes the backend's first-use set-up). */
  readonly milliseconds: number;
}

/**
 * Makes `backendName` the active tfjs backend and runs one softmax-regression gradient (matMul,
 * add, logSoftmax, mean) on it, comparing loss and gradient with values computed in plain
 * JavaScript. Never throws: a backend that cannot be set, lacks a kernel or gives wrong numbers is
 * reported with `supported: false` and a one-line reason. Leaves `backendName` active when it works;
 * leaks no tensors.
 */
export async function probeTrainingSupport(backendName: string): Promise<TrainingSupportReport> {
  const start = performance.now();
  const report = (supported: boolean, reason: string): TrainingSupportReport => ({
    backendName,
    supported,
    reason,
    milliseconds: performance.now() - start,
  });
  try {
    const activated = await tf.setBackend(backendName);
    if (!activated || tf.getBackend() !== backendName) {
      return report(false, `backend "${backendName}" failed to initialise`);
    }
    await tf.ready();
  } catch (error) {
    return report(false, `backend "${backendName}" failed to initialise: ${firstLine(error)}`);
  }
  try {
    const { loss, gradient } = tf.tidy(() => {
      const inputs = tf.tensor2d([1, 2, -1, 0.5], [2, 2]);
      const targets = tf.tensor2d([1, 0, 0, 1], [2, 2]);
      const weights = tf.tensor2d([0.1, -0.2, 0.3, 0.4], [2, 2]);
      const { value, grads } = tf.valueAndGrads((w: tf.Tensor) => {
        const logits = tf.add(tf.matMul(inputs, w), tf.tensor1d([0.05, -0.05]));
        return tf.neg(tf.mean(tf.sum(tf.mul(targets, tf.logSoftmax(logits)), 1)));
      })([weights]);
      return { loss: value.dataSync()[0] ?? Number.NaN, gradient: Array.from(grads[0]?.dataSync() ?? []) };
    });
    const expected = referenceProbe();
    const lossError = Math.abs(loss - expected.loss);
    const gradientError = Math.max(
      ...gradient.map((value, index) => Math.abs(value - (expected.gradient[index] ?? 0))),
    );
    if (!(lossError < 1e-4) || !(gradientError < 1e-4) || gradient.length !== 4) {
      return report(
        false,
        `backend "${backendName}" gave wrong numbers: loss ${loss} (expected ${expected.loss.toFixed(6)}), gradient error ${gradientError}`,
      );
    }
    return report(true, `backend "${backendName}" trains: loss and gradient match the reference`);
  } catch (error) {
    const missing = toMissingKernelError(error, 'softmax regression');
    return report(
      false,
      missing === undefined ? `backend "${backendName}": ${firstLine(error)}` : missing.message,
    );
  }
}

/** Loss and weight gradient of the probe in float64, written out by hand. */
function referenceProbe(): { loss: number; gradient: number[] } {
  const inputs = [
    [1, 2],
    [-1, 0.5],
  ];
  const targets = [
    [1, 0],
    [0, 1],
  ];
  const weights = [
    [0.1, -0.2],
    [0.3, 0.4],
  ];
  const bias = [0.05, -0.05];
  const gradient = [0, 0, 0, 0];
  let loss = 0;
  for (let row = 0; row < 2; row += 1) {
    const x = inputs[row] ?? [];
    const y = targets[row] ?? [];
    const logits = [0, 1].map(
      (column) =>
        (x[0] ?? 0) * (weights[0]?.[column] ?? 0) +
        (x[1] ?? 0) * (weights[1]?.[column] ?? 0) +
        (bias[column] ?? 0),
    );
    const maximum = Math.max(...logits);
    const total = logits.reduce((sum, logit) => sum + Math.exp(logit - maximum), 0);
    const probabilities = logits.map((logit) => Math.exp(logit - maximum) / total);
    for (let column = 0; column < 2; column += 1) {
      loss -= ((y[column] ?? 0) * Math.log(probabilities[column] ?? 1)) / 2;
      const delta = ((probabilities[column] ?? 0) - (y[column] ?? 0)) / 2;
      gradient[column] = (gradient[column] ?? 0) + (x[0] ?? 0) * delta;
      gradient[2 + column] = (gradient[2 + column] ?? 0) + (x[1] ?? 0) * delta;
    }
  }
  return { loss, gradient };
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n').find((line) => line.trim() !== '') ?? 'unknown error';
}
