import { findMissingKernels, probeTrainingSupport } from '@contour/backend-cpu';
import { useWasmBackend } from '@contour/backend-wasm';
import * as tf from '@tensorflow/tfjs-core';

await useWasmBackend(); // or useWasmBackend({ wasmPaths: 'https://example.com/wasm/' })
console.log(tf.getBackend()); // wasm

// Dense training runs on wasm: fit y = 2x − 1.
const xs = tf.tensor2d([[0], [1], [2], [3]]);
const ys = xs.mul(2).sub(1);
const weight = tf.variable(tf.zeros([1, 1]));
const bias = tf.variable(tf.zeros([1]));
const optimizer = tf.train.adam(0.1);
for (let step = 0; step < 300; step += 1) {
  optimizer.minimize(() => tf.losses.meanSquaredError(ys, xs.matMul(weight).add(bias)) as tf.Scalar);
}
console.log(weight.dataSync()[0]?.toFixed(2), bias.dataSync()[0]?.toFixed(2)); // 2.00 -1.00

console.log((await probeTrainingSupport('wasm')).supported); // true
// Convolution training needs kernels tfjs-backend-wasm 4.22 lacks: check before you start.
for (const missing of findMissingKernels('wasm', ['matMul', 'conv2d'])) console.log(missing.message);
