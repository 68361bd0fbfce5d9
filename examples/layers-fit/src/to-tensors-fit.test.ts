import { useCpuBackend } from '@contour/backend-cpu';
import { loadEmbeddedMnist, prepareDataset, toTensors } from '@contour/mnist-loader';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';

// toTensors from the built package, fed to tfjs-layers as a Keras user would: both label
// encodings with the loss each needs, both layouts with the layer each feeds.
describe('toTensors', () => {
  beforeAll(() => useCpuBackend());

  const denseModel = (inputShape: number[]): tfl.LayersModel =>
    tfl.sequential({
      layers: [
        ...(inputShape.length > 1 ? [tfl.layers.flatten({ inputShape })] : []),
        tfl.layers.dense({
          units: 10,
          activation: 'softmax',
          kernelInitializer: tfl.initializers.glorotUniform({ seed: 3 }),
          ...(inputShape.length === 1 ? { inputShape } : {}),
        }),
      ],
    });

  it('gives sparse and one-hot labels the same loss, and trains a dense model with sparseCategoricalCrossentropy', async () => {
    const prepared = prepareDataset(await loadEmbeddedMnist(), { trainLimit: 600, validationFraction: 0.2 });
    const oneHot = toTensors(prepared, { split: 'validation' });
    const sparse = toTensors(prepared, { split: 'validation', labelEncoding: 'index' });
    const model = denseModel([784]);
    model.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
    const [categorical] = model.evaluate(oneHot.x, oneHot.y) as tf.Scalar[];
    model.compile({
      optimizer: tf.train.adam(0.01),
      loss: 'sparseCategoricalCrossentropy',
      metrics: ['accuracy'],
    });
    const [sparseLoss] = model.evaluate(sparse.x, sparse.y) as tf.Scalar[];
    expect(sparseLoss?.dataSync()[0]).toBeCloseTo(categorical?.dataSync()[0] ?? Number.NaN, 5);

    const train = toTensors(prepared, { labelEncoding: 'index' });
    const history = await model.fit(train.x, train.y, {
      epochs: 3,
      batchSize: 32,
      validationData: [sparse.x, sparse.y],
      verbose: 0,
    });
    const losses = history.history.val_loss as number[];
    expect(losses[2] as number).toBeLessThan(losses[0] as number);
    expect(history.history.val_acc?.[2] as number).toBeGreaterThan(0.7);
    tf.dispose([oneHot.x, oneHot.y, sparse.x, sparse.y, train.x, train.y, categorical, sparseLoss]);
    model.dispose();
  });

  it('feeds a conv2d model [n, 28, 28, 1] images, and standardised data the prepared scaling', async () => {
    const prepared = prepareDataset(await loadEmbeddedMnist(), {
      trainLimit: 300,
      validationFraction: 0.2,
      standardize: true,
      layout: 'image',
    });
    const train = toTensors(prepared);
    expect(train.x.shape).toEqual([240, 28, 28, 1]);
    const moments = tf.moments(train.x);
    expect(moments.mean.dataSync()[0]).toBeCloseTo(0, 4);
    const model = tfl.sequential({
      layers: [
        tfl.layers.conv2d({
          inputShape: [28, 28, 1],
          filters: 4,
          kernelSize: 5,
          strides: 3,
          activation: 'relu',
        }),
        tfl.layers.flatten(),
        tfl.layers.dense({ units: 10, activation: 'softmax' }),
      ],
    });
    model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
    const history = await model.fit(train.x, train.y, { epochs: 2, batchSize: 32, verbose: 0 });
    const losses = history.history.loss as number[];
    expect(losses[1] as number).toBeLessThan(losses[0] as number);
    tf.dispose([train.x, train.y, moments.mean, moments.variance]);
    model.dispose();
  });
});
