import { findMissingKernels, probeTrainingSupport, useCpuBackend } from '@contour/backend-cpu';
import * as tf from '@tensorflow/tfjs-core';

await useCpuBackend(); // the cpu backend, all tfjs-core gradients and chained ops (x.add(y))
console.log(tf.getBackend()); // cpu

// Fit y = 2x − 1 with tfjs' own optimizer: gradients work, chained methods work.
const xs = tf.tensor2d([[0], [1], [2], [3]]);
const ys = xs.mul(2).sub(1);
const weight = tf.variable(tf.zeros([1, 1]));
const bias = tf.variable(tf.zeros([1]));
const optimizer = tf.train.sgd(0.1);
for (let step = 0; step < 200; step += 1) {
  optimizer.minimize(() => tf.losses.meanSquaredError(ys, xs.matMul(weight).add(bias)) as tf.Scalar);
}
console.log(weight.dataSync()[0]?.toFixed(3), bias.dataSync()[0]?.toFixed(3)); // 2.000 -1.000

// Before training on another backend: can it train, and which gradient kernels does it lack?
const probe = await probeTrainingSupport('cpu'); // one softmax-regression step against reference numbers
console.log(probe.supported, probe.reason);
console.log(findMissingKernels('cpu', ['matMul', 'softmax', 'conv2d']).length); // 0
