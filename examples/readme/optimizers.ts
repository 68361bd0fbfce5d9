import { useCpuBackend } from '@contour/backend-cpu';
import { createOptimizer } from '@contour/optimizers';
import * as tf from '@tensorflow/tfjs-core';

await useCpuBackend(); // a backend and tfjs' gradients: call once before training

const x = tf.tensor2d([
  [1, 2],
  [3, 4],
]);
const y = tf.tensor2d([[1], [0]]);
const features = tf.variable(tf.fill([2, 2], 0.5), true, 'conv1/kernel');
const head = tf.variable(tf.tensor2d([[0.5], [-0.5]]), true, 'head/kernel');
const lossFunction = () =>
  tf.mean(tf.square(tf.sub(tf.matMul(tf.matMul(x, features), head), y))) as tf.Scalar;

const optimizer = createOptimizer({
  type: 'sgd',
  momentum: 0.9,
  nesterov: true,
  lr: { type: 'step', lr: 0.01, stepSize: 30 }, // or a number
  groups: [
    { layer: 'head', lrMult: 10 },
    { match: 'conv1/*', frozen: true },
  ],
  clipGlobalNorm: 5,
});
const { value, grads } = tf.variableGrads(lossFunction);
const report = optimizer.applyGradients(grads); // { status: 'applied' | 'skipped' | 'diverged', ... }
console.log(report.status, report.step, value.dataSync()[0]); // applied 1 …
console.log(optimizer.learningRateAt(optimizer.step, 'head/kernel')); // 0.1: the rate in effect
console.log(
  tf
    .equal(features, tf.fill([2, 2], 0.5))
    .all()
    .dataSync()[0],
); // 1: frozen
const saved = optimizer.exportState(); // JSON; importState(saved) resumes bit for bit
console.log(JSON.parse(JSON.stringify(saved)).step); // 1
