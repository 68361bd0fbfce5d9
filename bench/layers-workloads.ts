// TensorFlow.js's own way of doing the same work: tfjs-layers `model.fit` (and tfjs-core's
// `tf.train` optimizers for the 2-D race), with the same model, data, batch size, optimizer,
// initial weights and per-epoch evaluation as Contour's side.
import type * as tfTypes from '@tensorflow/tfjs-core';
import { type PreparedDataset, splitFeatures } from '../packages/mnist-loader/src/prepare.ts';
import { initialWeights } from './bench-data.ts';
import type { BenchSettings } from './bench-support.ts';
import { loadTfCore, loadTfLayers, peakRssMegabytes } from './bench-support.ts';
import type { WorkloadMeasurement } from './contour-workloads.ts';

const tf = await loadTfCore();
const tfl = await loadTfLayers();

type LayersModel = import('@tensorflow/tfjs-layers').Sequential;
type Logs = import('@tensorflow/tfjs-layers').Logs;

function splitTensors(dataset: PreparedDataset, split: 'train' | 'validation' | 'test') {
  const part = dataset[split];
  const features = splitFeatures(dataset, split);
  return {
    inputs: tf.tensor2d(features, [part.count, 784]),
    targets: tf.tidy(() =>
      tf.oneHot(tf.tensor1d(Int32Array.from(part.labels), 'int32'), dataset.classCount).toFloat(),
    ),
    count: part.count,
  };
}

/** A Sequential dense network (ReLU hidden layers, softmax head) holding Contour's initial weights. */
function denseModel(hidden: readonly number[], classCount: number, seed: number): LayersModel {
  const sizes = [...hidden, classCount];
  const model = tfl.sequential();
  sizes.forEach((units, index) => {
    model.add(
      tfl.layers.dense({
        units,
        activation: index === sizes.length - 1 ? 'softmax' : 'relu',
        ...(index === 0 ? { inputShape: [784] } : {}),
      }),
    );
  });
  const spec = hidden.length === 0 ? 'linear' : `mlp:${hidden.join(',')}`;
  const weights = initialWeights(spec, 784, classCount, seed);
  const allSizes = [784, ...sizes];
  const tensors = weights.map((values, index) =>
    index % 2 === 0
      ? tf.tensor2d(values, [allSizes[index / 2] as number, allSizes[index / 2 + 1] as number])
      : tf.tensor1d(values),
  );
  model.setWeights(tensors);
  tf.dispose(tensors);
  return model;
}

function evaluate(model: LayersModel, data: { inputs: tfTypes.Tensor; targets: tfTypes.Tensor }): number {
  const result = model.evaluate(data.inputs, data.targets, { batchSize: 1000 }) as tfTypes.Scalar[];
  const accuracy = result[1]?.dataSync()[0] ?? Number.NaN;
  tf.dispose(result);
  return accuracy;
}

/** The mnist-lr-sweep with `model.fit`: one model per rate, the same stop rules as Contour's trainer. */
export async function layersSweep(
  settings: BenchSettings,
  dataset: PreparedDataset,
): Promise<WorkloadMeasurement> {
  const train = splitTensors(dataset, 'train');
  const validation = splitTensors(dataset, 'validation');
  const trials: Array<NonNullable<WorkloadMeasurement['trials']>[number]> = [];
  const tensorCounts: number[] = [];
  let trainSeconds = 0;
  const started = performance.now();
  for (const rate of settings.sweep.rates) {
    const model = denseModel([], dataset.classCount, settings.sweep.seed);
    model.compile({ optimizer: tf.train.sgd(rate), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
    let status = 'finished';
    let epochs = 0;
    let best: number | undefined;
    let validationAccuracy: number | null = null;
    let epochStarted = 0;
    await model.fit(train.inputs, train.targets, {
      batchSize: settings.sweep.batchSize,
      epochs: settings.sweep.epochs,
      shuffle: true,
      validationData: [validation.inputs, validation.targets],
      verbose: 0,
      callbacks: {
        onEpochBegin: async () => {
          epochStarted = performance.now();
        },
        onBatchEnd: async (_batch: number, logs?: Logs) => {
          if (!Number.isFinite(logs?.loss ?? Number.NaN)) {
            status = 'diverged';
            model.stopTraining = true;
          }
        },
        onEpochEnd: async (_epoch: number, logs?: Logs) => {
          trainSeconds += (performance.now() - epochStarted) / 1000;
          if (status === 'diverged') return;
          epochs += 1;
          evaluate(model, train);
          validationAccuracy = (logs?.val_acc as number | undefined) ?? null;
          const mean = (logs?.loss as number | undefined) ?? Number.NaN;
          if (best !== undefined && mean > settings.sweep.divergenceFactor * best) {
            status = 'diverged';
            model.stopTraining = true;
          }
          best = best === undefined ? mean : Math.min(best, mean);
          tensorCounts.push(tf.memory().numTensors);
        },
      },
    });
    trials.push({ rate, status, epochs, validationAccuracy });
    model.optimizer.dispose();
    model.dispose();
  }
  const seconds = (performance.now() - started) / 1000;
  tf.dispose([train.inputs, train.targets, validation.inputs, validation.targets]);
  tensorCounts.push(tf.memory().numTensors);
  return { seconds, trainSeconds, trials, tensorCounts, peakRssMegabytes: peakRssMegabytes() };
}

/** The Fashion-MNIST MLP with `model.fit` and Adam (PyTorch's ε), evaluating train and test each epoch. */
export async function layersMlp(
  settings: BenchSettings,
  dataset: PreparedDataset,
): Promise<WorkloadMeasurement> {
  const train = splitTensors(dataset, 'train');
  const test = splitTensors(dataset, 'test');
  const model = denseModel(settings.mlp.hidden, dataset.classCount, settings.mlp.seed);
  model.compile({
    optimizer: tf.train.adam(settings.mlp.learningRate, 0.9, 0.999, 1e-8),
    loss: 'categoricalCrossentropy',
    metrics: ['accuracy'],
  });
  const epochSeconds: number[] = [];
  const tensorCounts: number[] = [];
  let accuracy = Number.NaN;
  let epochStarted = 0;
  const started = performance.now();
  await model.fit(train.inputs, train.targets, {
    batchSize: settings.mlp.batchSize,
    epochs: settings.mlp.epochs,
    shuffle: true,
    verbose: 0,
    callbacks: {
      onEpochBegin: async () => {
        epochStarted = performance.now();
      },
      onEpochEnd: async () => {
        epochSeconds.push((performance.now() - epochStarted) / 1000);
        evaluate(model, train);
        accuracy = evaluate(model, test);
        tensorCounts.push(tf.memory().numTensors);
      },
    },
  });
  const seconds = (performance.now() - started) / 1000;
  model.optimizer.dispose();
  model.dispose();
  tf.dispose([train.inputs, train.targets, test.inputs, test.targets]);
  tensorCounts.push(tf.memory().numTensors);
  return {
    seconds,
    trainSeconds: epochSeconds.reduce((sum, value) => sum + value, 0),
    epochSeconds,
    accuracy,
    tensorCounts,
    peakRssMegabytes: peakRssMegabytes(),
  };
}

/** The range test with `model.fit`: the rate set before each batch, the smoothed loss read after it (fastai's order). */
export async function layersFindLr(
  settings: BenchSettings,
  dataset: PreparedDataset,
): Promise<WorkloadMeasurement> {
  const { start, end, iterations, batchSize, beta, stopFactor, seed } = settings.findLr;
  const train = splitTensors(dataset, 'train');
  const started = performance.now();
  const model = denseModel([], dataset.classCount, seed);
  const optimizer = tf.train.sgd(start);
  model.compile({ optimizer, loss: 'categoricalCrossentropy' });
  const saved = model.getWeights().map((weight: tfTypes.Tensor) => weight.clone());
  const rates: number[] = [];
  const losses: number[] = [];
  let average = 0;
  let best = Number.POSITIVE_INFINITY;
  let iteration = 0;
  const batches = Math.ceil(train.count / batchSize);
  await model.fit(train.inputs, train.targets, {
    batchSize,
    epochs: Math.ceil(iterations / batches),
    shuffle: true,
    verbose: 0,
    callbacks: {
      onBatchBegin: async () => {
        optimizer.setLearningRate(start * (end / start) ** (iteration / iterations));
      },
      onBatchEnd: async (_batch: number, logs?: Logs) => {
        const loss = (logs?.loss as number | undefined) ?? Number.NaN;
        average = beta * average + (1 - beta) * loss;
        const smoothed = average / (1 - beta ** (iteration + 1));
        rates.push(start * (end / start) ** (iteration / iterations));
        losses.push(smoothed);
        iteration += 1;
        best = Math.min(best, smoothed);
        if (iteration >= iterations || !Number.isFinite(smoothed) || smoothed > stopFactor * best)
          model.stopTraining = true;
      },
    },
  });
  model.setWeights(saved);
  tf.dispose(saved);
  optimizer.dispose();
  model.dispose();
  const seconds = (performance.now() - started) / 1000;
  tf.dispose([train.inputs, train.targets]);
  let lowest = 0;
  losses.forEach((loss, index) => {
    if (loss < (losses[lowest] ?? Number.POSITIVE_INFINITY)) lowest = index;
  });
  return {
    seconds,
    iterations: losses.length,
    suggestion: (rates[lowest] ?? Number.NaN) / 10,
    tensorCounts: [tf.memory().numTensors],
    peakRssMegabytes: peakRssMegabytes(),
  };
}

function tfOptimizer(spec: Record<string, unknown>): tfTypes.Optimizer {
  const rate = spec.lr as number;
  switch (spec.type) {
    case 'sgd':
      return spec.momentum
        ? tf.train.momentum(rate, spec.momentum as number, spec.nesterov === true)
        : tf.train.sgd(rate);
    case 'adagrad':
      return tf.train.adagrad(rate, 1e-10);
    case 'adadelta':
      return tf.train.adadelta(rate, 0.9, 1e-6);
    case 'rmsprop':
      return tf.train.rmsprop(rate, 0.99, 0, 1e-8);
    case 'adam':
      return tf.train.adam(rate, 0.9, 0.999, 1e-8);
    default:
      throw new Error(`unsupported optimizer ${String(spec.type)}`);
  }
}

/** The race with tfjs-core's own `tf.train` optimizers and the same analytic gradient. */
export async function layersRace(settings: BenchSettings): Promise<WorkloadMeasurement> {
  const gradient = (x: number, y: number): [number, number] => [
    -2 * (1 - x) - 400 * x * (y - x * x),
    200 * (y - x * x),
  ];
  const before = tf.memory().numTensors;
  const started = performance.now();
  const distances: Record<string, number | null> = {};
  for (const racer of settings.race.racers) {
    const optimizer = tfOptimizer(racer.spec);
    const initial = tf.tensor1d([...settings.race.start]);
    const point = tf.variable(initial, true);
    initial.dispose();
    let diverged = false;
    let [x, y] = settings.race.start;
    for (let step = 0; step < settings.race.steps; step += 1) {
      const gradientTensor = tf.tensor1d(gradient(x, y));
      optimizer.applyGradients({ [point.name]: gradientTensor });
      gradientTensor.dispose();
      const data = point.dataSync();
      [x, y] = [data[0] ?? Number.NaN, data[1] ?? Number.NaN];
      if (!(Number.isFinite(x) && Number.isFinite(y))) {
        diverged = true;
        break;
      }
    }
    distances[racer.label] = diverged ? null : Math.hypot(x - 1, y - 1);
    point.dispose();
    optimizer.dispose();
  }
  const seconds = (performance.now() - started) / 1000;
  return {
    seconds,
    distances,
    tensorCounts: [before, tf.memory().numTensors],
    peakRssMegabytes: peakRssMegabytes(),
  };
}
