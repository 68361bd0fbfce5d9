import type { MetricsLogger } from '@contour/metrics-logger';
import { createBatcher, type PreparedDataset } from '@contour/mnist-loader';
import { ContourOptimizer, createOptimizer, type OptimizerSpecWithoutRate } from '@contour/optimizers';
import { checkBatchSize } from '../data-config.js';
import type { TrainableModel } from '../model/trainable-model.js';
import type { LossName } from '../training/evaluate.js';
import { type RunCallbacks, RunRecorder, yieldToEventLoop } from '../training/run-recorder.js';
import {
  type RangeTestCurve,
  type RangeTestPoint,
  RangeTestRecorder,
  type RangeTestSettings,
} from './range-test-recorder.js';
import type { SuggestionName } from './suggest-learning-rates.js';
import { trainingStep } from './training-step.js';

/** Options of {@link runRangeTest}: the sweep's settings plus what to train with. */
export interface RunRangeTestOptions extends Partial<RangeTestSettings> {
  /**
   * The update rule: a spec (built for the test and disposed after it) or a live optimizer (e.g.
   * mid-training), whose state is exported first and imported back afterwards. Its rate is
   * replaced every step (`setLearningRate`); parameter groups still apply (`lrMult` multiplies the
   * swept rate, frozen groups stay frozen).
   */
  readonly optimizer: OptimizerSpecWithoutRate | ContourOptimizer;
  /** Examples per batch; default 64. */
  readonly batchSize?: number;
  /** Seed of the batch order and dropout; default 0. */
  readonly seed?: number;
  /** Objective; default cross entropy. */
  readonly loss?: LossName;
  /** Which suggestions to compute; default all four. */
  readonly suggestions?: readonly SuggestionName[];
  /** Aborting stops the sweep after the current batch (the model is still restored). */
  readonly signal?: AbortSignal;
  /** Called after every recorded point (progress bars, live plots). */
  readonly onPoint?: (point: RangeTestPoint) => void;
  /**
   * Where the test's run records go, as a training run's do (the same {@link RunRecorder}):
   * `run-start` (the test's settings as config), a `step` per batch at its rate, a `diverged` or
   * `interrupted` event when it stops so, and `finish`. None by default.
   */
  readonly logger?: MetricsLogger;
  /** Run id of the `run-start` record; default `range-test`. */
  readonly runId?: string;
  /** The training run's callbacks: `onBatchEnd` per batch, `onEvent`, `onFinish` (no epochs). */
  readonly callbacks?: RunCallbacks<TrainableModel>;
}

/** What {@link runRangeTest} returns: the curve and its suggestions, and what was restored. */
export interface RangeTestResult extends RangeTestCurve {
  readonly method: 'exponential';
  /** Batches per epoch of the data (the sweep runs over epochs when it needs more batches). */
  readonly batchesPerEpoch: number;
  readonly seconds: number;
  /** True when aborted before a stop rule fired. */
  readonly interrupted: boolean;
}

/**
 * The learning-rate range test (Leslie Smith 2015, "Cyclical learning rates", §3.3; fastai
 * `lr_find`): trains `model` on successive batches of `dataset` while the rate grows exponentially
 * from `startLearningRate` (1e-7) toward `endLearningRate` (10) over `iterations` (100) batches,
 * smoothing the loss with a debiased moving average (β 0.98) and stopping when the smoothed loss
 * exceeds 4× its best or is not finite (see {@link RangeTestRecorder}, the curve's arithmetic). Its
 * steps, stop events and finish are recorded by the {@link RunRecorder} every training run records
 * through (a non-finite loss is its divergence rule; the smoothed-loss rule stops it as diverged
 * too), into `logger` and `callbacks` when given. Afterwards the model's
 * weights are put back exactly, and a live optimizer's state (slots, step counts, rate, schedule
 * state) is restored exactly with `exportState`/`importState`.
 *
 * @throws CoreSpecError for bad settings (named field); OptimizerSpecError for a bad spec.
 */
export async function runRangeTest(
  model: TrainableModel,
  dataset: PreparedDataset,
  options: RunRangeTestOptions,
): Promise<RangeTestResult> {
  const started = performance.now();
  const {
    optimizer: given,
    suggestions,
    signal,
    onPoint,
    logger,
    runId = 'range-test',
    callbacks,
    batchSize = 64,
    seed = 0,
    loss = 'cross-entropy',
    ...settings
  } = options;
  const curve = new RangeTestRecorder(settings);
  checkBatchSize(batchSize, dataset);
  const batcher = createBatcher(dataset, { batchSize, seed });
  const { iterations, divergenceFactor } = curve.settings;
  const run = new RunRecorder<TrainableModel>(
    { epochs: Math.ceil(iterations / batcher.batchCount), divergenceFactor },
    { runId, ...(logger ? { logger } : {}), ...(callbacks ? { callbacks } : {}) },
    batcher.batchCount,
  );
  const owned = !(given instanceof ContourOptimizer);
  run.start({
    rangeTest: curve.settings,
    optimizer: owned ? given : { type: given.type, live: true },
    batchSize,
    seed,
    loss,
  });
  const optimizer =
    given instanceof ContourOptimizer
      ? given
      : createOptimizer({ ...given, lr: curve.nextLearningRate() }, { stepsPerEpoch: batcher.batchCount });
  const savedWeights = model.getWeights();
  const savedState = owned ? undefined : optimizer.exportState();
  let epochs = 0;
  let lastYield = performance.now();
  try {
    sweep: for (let epoch = 0; ; epoch += 1) {
      epochs = epoch + 1;
      let batchIndex = 0;
      for (const batch of batcher.batches(epoch)) {
        batchIndex += 1;
        const learningRate = curve.nextLearningRate();
        optimizer.setLearningRate(learningRate);
        const step = trainingStep(model, optimizer, batch, loss, seed * 7919 + curve.iteration);
        const batchLoss = step.report?.status === 'diverged' ? Number.NaN : step.loss;
        const stop = curve.record(batchLoss);
        onPoint?.(curve.points.at(-1) as RangeTestPoint);
        const info = { epoch: epochs, step: curve.iteration, batch: batchIndex, batches: batcher.batchCount };
        // A non-finite loss stops the run as diverged here, as in training.
        run.step({ ...info, loss: batchLoss, learningRate });
        if (stop === 'diverged') {
          const point = curve.points.at(-1) as RangeTestPoint;
          run.stop(
            'diverged',
            'diverged',
            `smoothed loss ${point.smoothedLoss.toPrecision(4)} at rate ${learningRate} exceeds ${divergenceFactor}× its best (${curve.bestSmoothedLoss.toPrecision(4)})`,
            info.epoch,
            info.step,
            { smoothedLoss: point.smoothedLoss, learningRate },
          );
        }
        if (stop) break sweep;
        if (signal?.aborted) {
          run.interrupt(info.epoch, info.step);
          break sweep;
        }
        if (performance.now() - lastYield > 50) {
          await yieldToEventLoop();
          lastYield = performance.now();
        }
      }
    }
  } finally {
    model.setWeights(savedWeights);
    if (savedState) optimizer.importState(savedState);
    else optimizer.dispose();
  }
  const seconds = (performance.now() - started) / 1000;
  run.finish(epochs, curve.iteration, seconds, model);
  return {
    method: 'exponential',
    ...curve.result(suggestions),
    batchesPerEpoch: batcher.batchCount,
    seconds,
    interrupted: run.status === 'interrupted',
  };
}
