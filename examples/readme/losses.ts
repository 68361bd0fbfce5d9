import { useCpuBackend } from '@contour/backend-cpu';
import { classificationError, NonFiniteLossError, softmaxCrossEntropy } from '@contour/losses';
import * as tf from '@tensorflow/tfjs-core';

await useCpuBackend(); // a backend and tfjs' gradients: call once before training

const x = tf.tensor2d([
  [1, 0],
  [0, 1],
  [1, 1],
]);
const labels = tf.tensor1d([0, 1, 1], 'int32'); // class indices, or one-hot rows
const weights = tf.variable(tf.zeros([2, 3]));
const model = (input: tf.Tensor2D) => tf.matMul(input, weights); // logits

const { value, grads } = tf.variableGrads(() => softmaxCrossEntropy(model(x), labels));
console.log(value.dataSync()[0]?.toFixed(6), Object.keys(grads).length); // ln 3 = 1.098612, 1
console.log(classificationError(model(x), labels)); // 0.666…: the fraction misclassified

// NaN or ±∞ in a per-example loss throws NonFiniteLossError; `indices` names the examples.
try {
  softmaxCrossEntropy(tf.tensor2d([0, 0, Number.NaN, 0], [2, 2]), tf.tensor1d([0, 1], 'int32'));
} catch (error) {
  console.log(error instanceof NonFiniteLossError ? error.indices : error); // [ 1 ]
}
