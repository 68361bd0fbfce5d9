import { useCpuBackend } from '@contour/backend-cpu';
import { findLearningRate, learningRateScheduler, reduceLROnPlateau } from '@contour/layers';
import { contourLogger } from '@contour/layers/node';
import { loadEmbeddedMnist, prepareDataset, toTensors } from '@contour/mnist-loader';
import { createOptimizer, type TfOptimizerAdapter, toTfOptimizer } from '@contour/optimizers';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { directoryHandler } from './file-handler.js';

/** Options of {@link runLayersFit}. */
export interface LayersFitOptions {
  /** Where the run directory and the saved model go. */
  readonly directory: string;
  /** Training images taken from the embedded sample (a fifth is held out for validation); default 600. */
  readonly trainLimit?: number;
  /** Epochs before saving, and after reloading; default 2 and 2. */
  readonly epochsBeforeSave?: number;
  readonly epochsAfterReload?: number;
  /** Progress lines; default none. */
  readonly log?: (line: string) => void;
}

/** What {@link runLayersFit} measured. */
export interface LayersFitResult {
  readonly suggestedLearningRate: number;
  readonly rangeTestStop: string;
  readonly epochs: ReadonlyArray<{
    readonly epoch: number;
    readonly lr: number;
    readonly valLoss: number;
    readonly valError: number;
  }>;
  readonly optimizerStepsAfterReload: number;
  readonly stepsPerEpoch: number;
  readonly runDirectory: string;
}

/** A small CNN in the spirit of the TensorFlow.js MNIST example: strided conv → pool → dense softmax. */
function buildModel(): tfl.LayersModel {
  return tfl.sequential({
    layers: [
      tfl.layers.conv2d({
        inputShape: [28, 28, 1],
        filters: 8,
        kernelSize: 4,
        strides: 2,
        activation: 'relu',
        name: 'conv',
        kernelInitializer: tfl.initializers.heNormal({ seed: 1 }),
      }),
      tfl.layers.maxPooling2d({ poolSize: 2, name: 'pool' }),
      tfl.layers.flatten({ name: 'flatten' }),
      tfl.layers.dense({
        units: 10,
        activation: 'softmax',
        name: 'head',
        kernelInitializer: tfl.initializers.glorotUniform({ seed: 2 }),
      }),
    ],
  });
}

/**
 * The whole workflow on your own tfjs-layers model: range test first, then `fit` with a warmup +
 * cosine schedule, reduce-on-plateau and a Contour run log, save with the optimizer, reload, and
 * continue training where it stopped.
 */
export async function runLayersFit(options: LayersFitOptions): Promise<LayersFitResult> {
  const log = options.log ?? (() => {});
  const epochsBeforeSave = options.epochsBeforeSave ?? 2;
  const epochsAfterReload = options.epochsAfterReload ?? 2;
  const totalEpochs = epochsBeforeSave + epochsAfterReload;
  // The one call that readies tfjs: the pure-JavaScript cpu backend with every gradient and the
  // chained tensor methods. (tfjs' wasm backend has no Conv2DBackpropFilter kernel: it cannot train
  // a CNN.)
  await useCpuBackend();

  const dataset = prepareDataset(await loadEmbeddedMnist(), {
    trainLimit: options.trainLimit ?? 600,
    validationFraction: 0.2,
    layout: 'image',
  });
  // Whole splits as tensors for `fit`: x [n, 28, 28, 1] in [0, 1], y one-hot [n, 10].
  const train = toTensors(dataset, { split: 'train' });
  const validation = toTensors(dataset, { split: 'validation' });
  const batchSize = 32;
  const stepsPerEpoch = Math.ceil(dataset.train.count / batchSize);

  const model = buildModel();
  model.compile({
    optimizer: toTfOptimizer(createOptimizer({ type: 'adam', lr: 1e-3 })),
    loss: 'categoricalCrossentropy',
    metrics: ['accuracy'],
  });

  // 1. Range test: the model and the optimizer are left exactly as they were. A short sweep over
  // a narrower range than fastai's default 1e-7 → 10 (100 batches) keeps the example quick.
  const rangeTest = await findLearningRate(model, train, {
    batchSize,
    iterations: 30,
    startLearningRate: 1e-4,
    endLearningRate: 1,
  });
  const suggested = rangeTest.suggestions.valley?.learningRate ?? 1e-3;
  log(
    `range test: ${rangeTest.points.length} batches (${rangeTest.stop}), valley suggests ${suggested.toPrecision(3)}`,
  );

  // 2. Warmup over the first half epoch, then cosine annealing to 0 over the rest (t counts batches).
  const warmupSteps = Math.ceil(stepsPerEpoch / 2);
  const scheduler = learningRateScheduler({
    type: 'warmup',
    unit: 'step',
    lr: suggested,
    steps: warmupSteps,
    startFactor: 0.1,
    schedule: { type: 'cosine', tMax: totalEpochs * stepsPerEpoch - warmupSteps },
  });
  const plateau = reduceLROnPlateau({ monitor: 'val_loss', factor: 0.5, patience: 1 });
  const logger = contourLogger(`${options.directory}/run`, {
    runId: 'layers-fit',
    config: { data: dataset.source },
  });
  const epochs: Array<LayersFitResult['epochs'][number]> = [];
  const report = new tfl.CustomCallback({
    onEpochEnd: async (epoch, logs) => {
      const entry = {
        epoch: epoch + 1,
        lr: logs?.lr ?? Number.NaN,
        valLoss: logs?.val_loss ?? Number.NaN,
        valError: 1 - (logs?.val_acc ?? Number.NaN),
      };
      epochs.push(entry);
      log(
        `epoch ${entry.epoch}: lr ${entry.lr.toPrecision(3)}, validation loss ${entry.valLoss.toFixed(4)}, error ${(100 * entry.valError).toFixed(1)}%`,
      );
    },
  });
  const callbacks = [scheduler, plateau, logger, report];
  const fitOptions = {
    batchSize,
    validationData: [validation.x, validation.y] as [tf.Tensor, tf.Tensor],
    verbose: 0 as const,
    callbacks,
  };

  // 3. Train, save with the optimizer, reload, continue.
  await model.fit(train.x, train.y, { ...fitOptions, epochs: epochsBeforeSave });
  await model.save(directoryHandler(`${options.directory}/model`), { includeOptimizer: true });
  model.dispose();
  const reloaded = await tfl.loadLayersModel(directoryHandler(`${options.directory}/model`));
  log('saved and reloaded the model with its optimizer state');
  await reloaded.fit(train.x, train.y, {
    ...fitOptions,
    epochs: totalEpochs,
    initialEpoch: epochsBeforeSave,
  });
  logger.close();
  const optimizerSteps = (reloaded.optimizer as TfOptimizerAdapter).optimizer.step;

  tf.dispose([train.x, train.y, validation.x, validation.y]);
  reloaded.dispose();
  return {
    suggestedLearningRate: suggested,
    rangeTestStop: rangeTest.stop,
    epochs,
    optimizerStepsAfterReload: optimizerSteps,
    stepsPerEpoch,
    runDirectory: `${options.directory}/run`,
  };
}
