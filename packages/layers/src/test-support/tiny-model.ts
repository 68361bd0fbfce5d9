import { useCpuBackend } from '@contour/backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

export { tf, tfl };

/** Makes the cpu backend active (what every test here runs on). */
export async function cpuBackend(): Promise<void> {
  await useCpuBackend();
}

/**
 * One weight w, no bias: prediction w·x. With x = 1, y = 0 and mean squared error the loss is w²
 * and its gradient 2w, so every optimizer's step has a closed form.
 */
export function singleWeightModel(optimizer: tf.Optimizer, initialWeight = 0.5): tfl.LayersModel {
  const model = tfl.sequential({
    layers: [
      tfl.layers.dense({
        units: 1,
        inputShape: [1],
        useBias: false,
        kernelInitializer: tfl.initializers.constant({ value: initialWeight }),
      }),
    ],
  });
  model.compile({ optimizer, loss: 'meanSquaredError' });
  return model;
}

/** The single weight of {@link singleWeightModel}. */
export function weightOf(model: tfl.LayersModel): number {
  return (model.getWeights()[0] as tf.Tensor).dataSync()[0] as number;
}

/** A small two-class-free regression set: y = 2x − 1 plus a little pattern, deterministic. */
export function regressionData(count = 32): { x: tf.Tensor2D; y: tf.Tensor2D } {
  const xs: number[] = [];
  const ys: number[] = [];
  for (let index = 0; index < count; index += 1) {
    const a = Math.sin(index * 1.3);
    const b = Math.cos(index * 0.7);
    xs.push(a, b);
    ys.push(2 * a - b + 0.1 * Math.sin(index));
  }
  return { x: tf.tensor2d(xs, [count, 2]), y: tf.tensor2d(ys, [count, 1]) };
}

/** Copies of every weight's values (bit-exact comparison). */
export function weightValues(model: tfl.LayersModel): Float32Array[] {
  return model.getWeights().map((weight) => Float32Array.from(weight.dataSync()));
}
