import { chooseLearningRate, rangeTestLearningRate } from '@contour/core';
import { createOptimizer, toTfOptimizer } from '@contour/optimizers';
import * as tfd from '@tensorflow/tfjs-data';
import { beforeAll, describe, expect, it } from 'vitest';
import { findLearningRate } from './find-learning-rate.js';
import { getLearningRate } from './optimizer-learning-rate.js';
import { cpuBackend, tf, tfl, weightValues } from './test-support/tiny-model.js';

beforeAll(cpuBackend);

/** 96 8×8 single-channel "images" in 4 classes: the class sets which quadrant is bright. */
function imageData(count = 96): { x: tf.Tensor4D; y: tf.Tensor2D } {
  return tf.tidy(() => {
    const labels = Array.from({ length: count }, (_, index) => (index * 7) % 4);
    const noise = tf.randomUniform([count, 8, 8, 1], 0, 0.3, 'float32', 7);
    const masks = labels.map((label) => {
      const rows = label < 2 ? [0, 4] : [4, 8];
      const cols = label % 2 === 0 ? [0, 4] : [4, 8];
      return Array.from({ length: 64 }, (_, cell) => {
        const row = Math.floor(cell / 8);
        const col = cell % 8;
        return row >= (rows[0] as number) &&
          row < (rows[1] as number) &&
          col >= (cols[0] as number) &&
          col < (cols[1] as number)
          ? 1
          : 0;
      });
    });
    const x = tf.add(noise, tf.tensor4d(masks.flat(), [count, 8, 8, 1])) as tf.Tensor4D;
    const y = tf.oneHot(tf.tensor1d(labels, 'int32'), 4).toFloat() as tf.Tensor2D;
    return { x, y };
  });
}

/** A functional CNN: conv → pool → flatten → dense softmax. */
function convModel(optimizer: tf.Optimizer): tfl.LayersModel {
  const input = tfl.input({ shape: [8, 8, 1] });
  const conv = tfl.layers
    .conv2d({
      filters: 4,
      kernelSize: 3,
      activation: 'relu',
      kernelInitializer: tfl.initializers.glorotUniform({ seed: 1 }),
    })
    .apply(input);
  const pooled = tfl.layers.maxPooling2d({ poolSize: 2 }).apply(conv);
  const flat = tfl.layers.flatten().apply(pooled);
  const output = tfl.layers
    .dense({
      units: 4,
      activation: 'softmax',
      kernelInitializer: tfl.initializers.glorotUniform({ seed: 2 }),
    })
    .apply(flat) as tfl.SymbolicTensor;
  const model = tfl.model({ inputs: input, outputs: output });
  model.compile({ optimizer, loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return model;
}

/** A Sequential dense model with batch normalisation (non-trainable statistics). */
function denseModel(optimizer: tf.Optimizer): tfl.LayersModel {
  const model = tfl.sequential({
    layers: [
      tfl.layers.flatten({ inputShape: [8, 8, 1] }),
      tfl.layers.dense({
        units: 16,
        activation: 'relu',
        kernelInitializer: tfl.initializers.glorotUniform({ seed: 3 }),
      }),
      tfl.layers.batchNormalization(),
      tfl.layers.dense({
        units: 4,
        activation: 'softmax',
        kernelInitializer: tfl.initializers.glorotUniform({ seed: 4 }),
      }),
    ],
  });
  model.compile({ optimizer, loss: 'categoricalCrossentropy' });
  return model;
}

const optimizers: Record<string, () => tf.Optimizer> = {
  adam: () => tf.train.adam(0.01),
  momentum: () => tf.train.momentum(0.05, 0.9),
  adamax: () => tf.train.adamax(0.01),
  rmsprop: () => tf.train.rmsprop(0.01, 0.9, 0.5),
  'Contour adamw (toTfOptimizer)': () => toTfOptimizer(createOptimizer({ type: 'adamw', lr: 0.01 })),
};

async function fitEpochs(model: tfl.LayersModel, data: { x: tf.Tensor; y: tf.Tensor }, epochs: number) {
  await model.fit(data.x, data.y, { epochs, batchSize: 16, shuffle: false, verbose: 0 });
}

/** Two models with the same weights and fresh optimizers of the same kind, both trained 2 epochs. */
async function twins(
  build: (optimizer: tf.Optimizer) => tfl.LayersModel,
  makeOptimizer: () => tf.Optimizer,
  data: { x: tf.Tensor; y: tf.Tensor },
) {
  const tested = build(makeOptimizer());
  const reference = build(makeOptimizer());
  reference.setWeights(tested.getWeights());
  await fitEpochs(tested, data, 2);
  await fitEpochs(reference, data, 2);
  return { tested, reference };
}

describe('findLearningRate', () => {
  it('runs fastai’s range test on a functional CNN and returns the curve, four suggestions and the chart', async () => {
    const data = imageData();
    const model = convModel(tf.train.sgd(0.1));
    const result = await findLearningRate(model, data, { iterations: 40, batchSize: 16 });
    expect(result.points.length).toBeGreaterThan(10);
    result.points.forEach((point, index) => {
      expect(point.learningRate).toBeCloseTo(rangeTestLearningRate(1e-7, 10, 40, index), 15);
    });
    expect(['completed', 'diverged', 'non-finite']).toContain(result.stop);
    expect(Object.keys(result.suggestions).sort()).toEqual(['minimum', 'slide', 'steep', 'valley']);
    expect(result.batchesPerEpoch).toBe(6);
    expect(result.interrupted).toBe(false);
    expect(JSON.stringify(result.chart)).toContain('valley');
    expect(getLearningRate(model.optimizer)).toBe(0.1);
    tf.dispose([data.x, data.y]);
    model.dispose();
  });

  it('takes a batched tf.data-style dataset of { xs, ys } and cycles it', async () => {
    const data = imageData(32);
    const model = denseModel(tf.train.adam(0.01));
    let passes = 0;
    const dataset = {
      async iterator() {
        passes += 1;
        let index = 0;
        return {
          async next() {
            if (index >= 4) return { value: undefined, done: true };
            const start = index * 8;
            index += 1;
            return { value: { xs: data.x.slice(start, 8), ys: data.y.slice(start, 8) }, done: false };
          },
        };
      },
    };
    const before = tf.memory().numTensors;
    const result = await findLearningRate(model, dataset, { iterations: 10, divergenceFactor: 1e9 });
    expect(result.points).toHaveLength(10);
    expect(result.batchesPerEpoch).toBe(4);
    expect(passes).toBe(3);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([data.x, data.y]);
    model.dispose();
  });

  it('takes a real tf.data.Dataset (tfjs-data) of { xs, ys } batches, as fitDataset does', async () => {
    const data = imageData(48);
    const model = convModel(tf.train.adam(0.01));
    const before = weightValues(model);
    const dataset = tfd
      .zip({ xs: tfd.array(tf.unstack(data.x)), ys: tfd.array(tf.unstack(data.y)) })
      .batch(16);
    const result = await findLearningRate(model, dataset, { iterations: 8, divergenceFactor: 1e9 });
    expect(result.points).toHaveLength(8);
    expect(result.batchesPerEpoch).toBe(3);
    expect(weightValues(model)).toEqual(before);
    tf.dispose([data.x, data.y]);
    model.dispose();
  });

  for (const [name, makeOptimizer] of Object.entries(optimizers)) {
    it(`restores weights and ${name} state bit-exactly: training afterwards equals training without the test`, async () => {
      const data = imageData(48);
      const { tested, reference } = await twins(denseModel, makeOptimizer, data);
      const weightsBefore = weightValues(tested);
      const rateBefore = getLearningRate(tested.optimizer);
      const tensorsBefore = tf.memory().numTensors;
      await findLearningRate(tested, data, { iterations: 30, batchSize: 16 });
      expect(weightValues(tested)).toEqual(weightsBefore);
      expect(getLearningRate(tested.optimizer)).toBe(rateBefore);
      expect(tf.memory().numTensors).toBe(tensorsBefore);
      await fitEpochs(tested, data, 2);
      await fitEpochs(reference, data, 2);
      expect(weightValues(tested)).toEqual(weightValues(reference));
      tf.dispose([data.x, data.y]);
      tested.dispose();
      reference.dispose();
    });
  }

  it('restores everything when a step throws (here: the onPoint callback)', async () => {
    const data = imageData(48);
    const { tested, reference } = await twins(convModel, () => tf.train.adam(0.01), data);
    const weightsBefore = weightValues(tested);
    const onPoint = (point: { iteration: number }) => {
      if (point.iteration === 4) throw new Error('boom');
    };
    await expect(findLearningRate(tested, data, { batchSize: 16, onPoint })).rejects.toThrow('boom');
    expect(weightValues(tested)).toEqual(weightsBefore);
    await fitEpochs(tested, data, 1);
    await fitEpochs(reference, data, 1);
    expect(weightValues(tested)).toEqual(weightValues(reference));
    tf.dispose([data.x, data.y]);
    tested.dispose();
    reference.dispose();
  });

  it('restores everything when a training step itself throws (wrong target shape)', async () => {
    const data = imageData(48);
    const { tested, reference } = await twins(denseModel, () => tf.train.momentum(0.05, 0.9), data);
    const weightsBefore = weightValues(tested);
    const wrongTargets = tf.zeros([48, 3]);
    await expect(
      findLearningRate(tested, { x: data.x, y: wrongTargets }, { batchSize: 16 }),
    ).rejects.toThrow();
    expect(weightValues(tested)).toEqual(weightsBefore);
    await fitEpochs(tested, data, 1);
    await fitEpochs(reference, data, 1);
    expect(weightValues(tested)).toEqual(weightValues(reference));
    tf.dispose([data.x, data.y, wrongTargets]);
    tested.dispose();
    reference.dispose();
  });

  it('stops after the current batch when aborted, marks the result interrupted and restores everything', async () => {
    const data = imageData(48);
    const { tested, reference } = await twins(
      convModel,
      () => toTfOptimizer(createOptimizer({ type: 'sgd', lr: 0.05, momentum: 0.9 })),
      data,
    );
    const weightsBefore = weightValues(tested);
    const controller = new AbortController();
    const result = await findLearningRate(tested, data, {
      batchSize: 16,
      signal: controller.signal,
      onPoint: (point) => {
        if (point.iteration === 3) controller.abort();
      },
    });
    expect(result.interrupted).toBe(true);
    expect(result.points).toHaveLength(4);
    expect(weightValues(tested)).toEqual(weightsBefore);
    await fitEpochs(tested, data, 1);
    await fitEpochs(reference, data, 1);
    expect(weightValues(tested)).toEqual(weightValues(reference));
    tf.dispose([data.x, data.y]);
    tested.dispose();
    reference.dispose();
  });

  it('rejects bad input with one line naming the field', async () => {
    const data = imageData(16);
    const uncompiled = tfl.sequential({ layers: [tfl.layers.dense({ units: 1, inputShape: [2] })] });
    await expect(findLearningRate(uncompiled, data)).rejects.toThrow(
      /findLearningRate: "model" must be a compiled model/,
    );
    const model = denseModel(tf.train.sgd(0.1));
    await expect(findLearningRate(model, data, { batchSize: 17 })).rejects.toThrow(
      /"batchSize" must be an integer in 1\.\.16/,
    );
    await expect(findLearningRate(model, { x: data.x, y: data.y.slice(0, 8) })).rejects.toThrow(
      /"data\.y" must be a tensor with 16 rows/,
    );
    await expect(findLearningRate(model, data, { iterations: 3 })).rejects.toThrow(/iterations/);
    await expect(findLearningRate(model, [1, 2] as never)).rejects.toThrow(/"data" must be/);
    tf.dispose([data.x, data.y]);
    model.dispose();
    uncompiled.dispose();
  });
});

describe('findLearningRate result.apply', () => {
  it('gives the automatic rate of the curve and sets it on the model (or a named suggestion)', async () => {
    const data = imageData();
    const model = convModel(tf.train.momentum(0.05, 0.9));
    const result = await findLearningRate(model, data, {
      batchSize: 16,
      iterations: 60,
      startLearningRate: 1e-4,
    });
    expect(result.auto).toEqual(chooseLearningRate([result]));
    const rate = result.apply(model);
    expect(rate).toBe(result.auto?.learningRate);
    expect(getLearningRate(model.optimizer)).toBeCloseTo(rate, 7);
    // Training afterwards uses it: tfjs momentum caches −lr in a tensor, which is updated too.
    const before = weightValues(model);
    await model.fit(data.x, data.y, { epochs: 1, batchSize: 96, shuffle: false, verbose: 0 });
    expect(weightValues(model)).not.toEqual(before);
    const minimum = result.apply(model, 'minimum');
    expect(minimum).toBe(result.suggestions.minimum?.learningRate);
    expect(getLearningRate(model.optimizer)).toBeCloseTo(minimum, 7);
    tf.dispose([data.x, data.y]);
    model.dispose();
  });
  it('throws naming the choice when the curve gives no such rate', async () => {
    const data = imageData();
    const model = convModel(tf.train.adam(0.01));
    // Six iterations: the analysed window is empty, so neither auto nor any suggestion decides.
    const result = await findLearningRate(model, data, { batchSize: 16, iterations: 6 });
    expect(result.auto).toBeUndefined();
    expect(() => result.apply(model)).toThrow(/choice/);
    tf.dispose([data.x, data.y]);
    model.dispose();
  });
});
