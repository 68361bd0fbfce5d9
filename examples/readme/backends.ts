import { BackendUnavailableError, selectBackend } from '@contour/backends';
import * as tf from '@tensorflow/tfjs-core';

// The fastest backend that trains here; each one tried gets a one-line reason.
const selection = await selectBackend('auto'); // 'cpu' | 'wasm' | 'node' | 'webgl' | 'auto'
console.log(selection.name, selection.fellBack); // wasm false (node when @contour/backend-node and tfjs-node load)
for (const attempt of selection.attempts) console.log(attempt.name, attempt.usable, attempt.reason);

// A named backend that cannot train here falls back, and says why ({ strict: true } throws instead).
const webgl = await selectBackend('webgl');
console.log(webgl.name, webgl.fellBack, tf.getBackend()); // wasm true wasm
try {
  await selectBackend('webgl', { strict: true });
} catch (error) {
  console.log(error instanceof BackendUnavailableError); // true
}

// Training works on whatever was chosen: gradients are registered with the backend.
const gradient = tf.grad((x: tf.Tensor) => tf.sum(tf.square(x)))(tf.tensor1d([1, 2, 3]));
console.log(Array.from(gradient.dataSync())); // [ 2, 4, 6 ]
