import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { smallDataset } from '../test-support/small-dataset.js';
import { train } from '../training/trainer.js';
import type { TrainingCheckpoint } from '../training/training-checkpoint.js';
import { resolveTrainingConfig } from '../training/training-config.js';
import { createTrainableModel, LayersModelAdapter } from './layers-model-adapter.js';
import { type ModelSpec, parseModelSpec, readLayersTopology } from './model-spec.js';

const cnnPath = new URL('../../../../examples/mnist-cnn/model.json', import.meta.url);
const cnnJson = JSON.parse(readFileSync(cnnPath, 'utf8'));
const cnn: ModelSpec = parseModelSpec({
  type: 'layers',
  layers: { path: 'examples/mnist-cnn/model.json', modelTopology: readLayersTopology(cnnJson, 'model.json') },
});
/** A Sequential topology of one Dense layer taking `inputs` values, with `units` outputs. */
const dense = (inputs: number, units: number): ModelSpec =>
  parseModelSpec({
    type: 'layers',
    layers: {
      path: 'dense.json',
      modelTopology: {
        class_name: 'Sequential',
        config: {
          name: 'one_dense',
          layers: [
            { class_name: 'Dense', config: { name: 'head', units, batch_input_shape: [null, inputs] } },
          ],
        },
      },
    },
  });

describe('LayersModelAdapter', () => {
  it('names parameters after the layers, reshapes flat images to [28, 28, 1] and returns logits', async () => {
    await smallDataset(100);
    const model = await createTrainableModel(cnn, { inputSize: 784, outputSize: 10, seed: 3 });
    expect(model).toBeInstanceOf(LayersModelAdapter);
    expect(model.parameterNames).toEqual([
      'conv1/kernel',
      'conv1/bias',
      'conv2/kernel',
      'conv2/bias',
      'head/kernel',
      'head/bias',
    ]);
    // 5·5·1·8 + 8 + 5·5·8·16 + 16 + 256·10 + 10, as tfjs' countParams printed when generating it.
    expect(model.parameterCount).toBe(5994);
    expect(model.layers.map((layer) => layer.name)).toEqual(['conv1', 'conv2', 'head']);
    const logits = model.forward(tf.ones([3, 784]));
    expect(logits.shape).toEqual([3, 10]);
    // The output softmax is removed: rows of logits do not sum to 1 (the loss applies softmax).
    const sums = tf.sum(logits, 1).arraySync() as number[];
    expect(sums.some((sum) => Math.abs(sum - 1) > 1e-3)).toBe(true);
    tf.dispose([logits]);
    model.dispose();
  });

  it('starts from the same weights for the same seed in every build (seeded initializers), others for another seed', async () => {
    await smallDataset(100);
    const build = (seed: number) => createTrainableModel(cnn, { inputSize: 784, outputSize: 10, seed });
    const [first, second, other] = await Promise.all([build(1), build(1), build(2)]);
    expect(second.getWeights()).toEqual(first.getWeights());
    expect(other.getWeights()['conv1/kernel']).not.toEqual(first.getWeights()['conv1/kernel']);
    // Biases start at zero (Zeros initializer); kernels follow VarianceScaling(fan_in, normal):
    // standard deviation ≈ √(1/25) = 0.2 for conv1 (truncated normal: ≈ 0.2 · 0.88).
    const kernel = Array.from(first.getWeights()['conv1/kernel'] ?? []);
    const deviation = Math.sqrt(kernel.reduce((sum, value) => sum + value * value, 0) / kernel.length);
    expect(deviation).toBeGreaterThan(0.12);
    expect(deviation).toBeLessThan(0.24);
    expect(Array.from(first.getWeights()['conv1/bias'] ?? [])).toEqual(new Array(8).fill(0));
    for (const model of [first, second, other]) model.dispose();
  });

  it.each([
    [
      'an input that does not fit the data',
      () => createTrainableModel(cnn, { inputSize: 196, outputSize: 10, seed: 1 }),
      `"model input" must be 196 values per example (the data's images); got "examples/mnist-cnn/model.json: input shape [28, 28, 1]"`,
    ],
    [
      'an output size other than the class count',
      () => createTrainableModel(cnn, { inputSize: 784, outputSize: 26, seed: 1 }),
      '"model output" must be 26 units (the data\'s classes); got "examples/mnist-cnn/model.json: output shape [null, 10]"',
    ],
    [
      'a topology tfjs cannot build',
      () =>
        createTrainableModel(
          parseModelSpec({
            type: 'layers',
            layers: {
              path: 'odd.json',
              modelTopology: {
                class_name: 'Sequential',
                config: { layers: [{ class_name: 'NoSuchLayer', config: {} }] },
              },
            },
          }),
          { inputSize: 784, outputSize: 10, seed: 1 },
        ),
      '"model" must be a tfjs-layers topology that tfjs can build; got "odd.json: Unknown layer: NoSuchLayer"',
    ],
  ])('refuses %s in one line', async (_, build, message) => {
    await smallDataset(100);
    const before = tf.memory().numTensors;
    await expect(build()).rejects.toThrow(message);
    expect(tf.memory().numTensors).toBe(before);
  });

  // Exact numbers need the cpu backend; a CNN step there takes ~0.3 s (more on a loaded machine).
  it('trains on the same engine: loss falls, tensors stay flat, checkpoints resume exactly', {
    timeout: 300_000,
  }, async () => {
    const dataset = await smallDataset(160);
    const config = resolveTrainingConfig({
      model: cnn,
      epochs: 3,
      batchSize: 40,
      seed: 5,
      optimizer: { type: 'adam', lr: { type: 'step', lr: 0.01, stepSize: 1, gamma: 0.5, unit: 'epoch' } },
    });
    const counts: number[] = [];
    const whole = await train(config, {
      dataset,
      callbacks: { onEpochEnd: () => counts.push(tf.memory().numTensors) },
    });
    expect(whole.status).toBe('finished');
    expect(new Set(counts).size).toBe(1);
    const losses = whole.history.map((record) => record.train.crossEntropy as number);
    expect(losses[2]).toBeLessThan(losses[0] as number);
    expect(Object.keys(whole.history[0]?.updateRatios ?? {})).toEqual(['conv1', 'conv2', 'head']);
    const checkpoints: TrainingCheckpoint[] = [];
    const controller = new AbortController();
    const partial = await train(config, {
      dataset,
      signal: controller.signal,
      saveCheckpoint: (checkpoint) => {
        checkpoints.push(JSON.parse(JSON.stringify(checkpoint)));
      },
      callbacks: { onBatchEnd: (info) => info.epoch === 2 && info.batch === 1 && controller.abort() },
    });
    expect([partial.status, checkpoints.map((checkpoint) => checkpoint.epoch)]).toEqual(['interrupted', [1]]);
    const resumed = await train(config, { dataset, resumeFrom: checkpoints[0] as TrainingCheckpoint });
    expect(resumed.history.map((record) => record.epoch)).toEqual([2, 3]);
    expect(resumed.history.map((record) => record.train)).toEqual(
      whole.history.slice(1).map((record) => record.train),
    );
    expect(resumed.model.getWeights()).toEqual(whole.model.getWeights());
    for (const result of [whole, partial, resumed]) result.model.dispose();
  });

  it('takes parameter groups by layer name (a frozen conv1 stays bit-identical)', {
    timeout: 120_000,
  }, async () => {
    const dataset = await smallDataset(120);
    const config = resolveTrainingConfig({
      model: cnn,
      epochs: 1,
      batchSize: 45,
      seed: 5,
      optimizer: { type: 'sgd', lr: 0.1, groups: [{ match: 'conv1/*', lrMult: 0 }] },
    });
    const initial = await createTrainableModel(cnn, { inputSize: 784, outputSize: 10, seed: 5 });
    const before = initial.getWeights();
    initial.dispose();
    const result = await train(config, { dataset });
    const after = result.model.getWeights();
    expect(after['conv1/kernel']).toEqual(before['conv1/kernel']);
    expect(after['conv2/kernel']).not.toEqual(before['conv2/kernel']);
    result.model.dispose();
  });

  it('accepts flat-input (dense) topologies too', async () => {
    await smallDataset(100);
    const model = await createTrainableModel(dense(784, 10), { inputSize: 784, outputSize: 10, seed: 1 });
    expect(model.parameterNames).toEqual(['head/kernel', 'head/bias']);
    model.dispose();
  });
});

describe('LayersModelAdapter.transfer', () => {
  it('keeps every layer but the output one, which gets the new class count and fresh weights', async () => {
    await smallDataset(100);
    const source = (await createTrainableModel(cnn, {
      inputSize: 784,
      outputSize: 10,
      seed: 1,
    })) as LayersModelAdapter;
    const before = source.getWeights();
    const target = await source.transfer(5, 9);
    expect([target.outputLayer, target.outputSize, target.variables['head/kernel']?.shape]).toEqual([
      'head',
      5,
      [256, 5],
    ]);
    const weights = target.getWeights();
    for (const name of ['conv1/kernel', 'conv1/bias', 'conv2/kernel', 'conv2/bias'])
      expect(weights[name], name).toEqual(before[name]);
    expect(source.getWeights()).toEqual(before);
    expect(target.spec.layers?.modelTopology).not.toEqual(source.spec.layers?.modelTopology);
    source.dispose();
    target.dispose();
  });
});

describe('readLayersTopology', () => {
  it.each([
    [[1, 2], 'not a JSON object'],
    [{ format: 'contour-model' }, 'no "modelTopology" object'],
    [{ modelTopology: { class_name: 'Linear' } }, 'modelTopology.class_name is "Linear"'],
    [
      { modelTopology: { class_name: 'Sequential', config: { layers: [] } } },
      'modelTopology.config has no layers',
    ],
  ])('refuses %j in one line', (json, found) => {
    expect(() => readLayersTopology(json, 'x.json')).toThrow(
      `"model" must be a tfjs-layers model.json (modelTopology with class_name Sequential or Model, and its layers); got ${JSON.stringify(`x.json: ${found}`)}`,
    );
  });
});
