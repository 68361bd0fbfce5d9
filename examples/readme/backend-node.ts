import { NodeBackendUnavailableError, useNodeBackend } from '@contour/backend-node';
import * as tf from '@tensorflow/tfjs-core';

// Native TensorFlow when @tensorflow/tfjs-node loads; otherwise the cpu backend, with the reason.
const { backendName, fellBack, reason } = await useNodeBackend();
console.log(backendName, fellBack, tf.getBackend()); // tensorflow false tensorflow (cpu true cpu without it)
console.log(reason);

// Either way it trains: gradients and chained ops are registered.
const xs = tf.tensor2d([[0], [1], [2], [3]]);
const ys = xs.mul(2).sub(1);
const weight = tf.variable(tf.zeros([1, 1]));
const bias = tf.variable(tf.zeros([1]));
const optimizer = tf.train.sgd(0.1);
for (let step = 0; step < 200; step += 1) {
  optimizer.minimize(() => tf.losses.meanSquaredError(ys, xs.matMul(weight).add(bias)) as tf.Scalar);
}
console.log(weight.dataSync()[0]?.toFixed(3), bias.dataSync()[0]?.toFixed(3)); // 2.000 -1.000

// Where only native speed will do: no silent fallback.
try {
  await useNodeBackend({ fallback: 'none' });
  console.log('native backend active');
} catch (error) {
  if (!(error instanceof NodeBackendUnavailableError)) throw error;
  console.log(error.message);
}
