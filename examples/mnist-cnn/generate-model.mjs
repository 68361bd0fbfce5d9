// Writes model.json: the convolutional network of the TensorFlow.js MNIST example
// (tfjs-examples/mnist), built with tfjs-layers and saved as a topology without weights — Contour
// starts every run from seeded initial weights. Run: pnpm --filter contour-example-mnist-cnn generate
import { writeFileSync } from 'node:fs';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-layers';

const model = tf.sequential({ name: 'mnist_cnn' });
model.add(
  tf.layers.conv2d({
    name: 'conv1',
    inputShape: [28, 28, 1],
    kernelSize: 5,
    filters: 8,
    activation: 'relu',
    kernelInitializer: 'varianceScaling',
  }),
);
model.add(tf.layers.maxPooling2d({ name: 'pool1', poolSize: 2, strides: 2 }));
model.add(
  tf.layers.conv2d({
    name: 'conv2',
    kernelSize: 5,
    filters: 16,
    activation: 'relu',
    kernelInitializer: 'varianceScaling',
  }),
);
model.add(tf.layers.maxPooling2d({ name: 'pool2', poolSize: 2, strides: 2 }));
model.add(tf.layers.flatten({ name: 'flatten' }));
// Softmax as in the tfjs example; Contour trains on the logits (it removes the output softmax and
// applies it in the loss, like Keras' from_logits=True).
model.add(
  tf.layers.dense({ name: 'head', units: 10, activation: 'softmax', kernelInitializer: 'varianceScaling' }),
);

const modelJson = {
  format: 'layers-model',
  generatedBy: `TensorFlow.js tfjs-layers v${tf.version_layers}`,
  modelTopology: model.toJSON(null, false),
};
writeFileSync(new URL('./model.json', import.meta.url), `${JSON.stringify(modelJson, null, 2)}\n`);
console.log(`wrote model.json: ${model.countParams()} parameters`);
model.dispose();
