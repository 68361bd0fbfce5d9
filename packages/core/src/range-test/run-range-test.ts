import { createBatcher, type PreparedDataset } from '@contour/mnist-loader';
import { ContourOptimizer, createOptimizer, type OptimizerSpecWithoutRate } from '@contour/optimizers';
import { CoreSpecError } from '../core-spec-error.js';
import type { TrainableModel } from '../model/trainable-model.js';
import type { LossName } from '../training/evaluate.js';
import { yieldToEventLoop } from '../training/run-recorder.js';
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
 * exceeds 4× its best or is not finite (see {@link RangeTestRecorder}). Afterwards the model's
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
    batchSize = 64,
    seed = 0,
    loss = 'cross-entropy',
    ...settings
  } = options;
  const recorder = new RangeTestRecorder(settings);
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > dataset.train.count)
    throw new CoreSpecError(
      'batchSize',
      `an integer in 1..${dataset.train.count} (the training examples)`,
      batchSize,
    );
  const batcher = createBatcher(dataset, { batchSize, seed });
  const owned = !(given instanceof ContourOptimizer);
  const optimizer =
    given instanceof ContourOptimizer
      ? given
      : createOptimizer({ ...given, lr: recorder.nextLearningRate() }, { stepsPerEpoch: batcher.batchCount });
  const savedWeights = model.getWeights();
  const savedState = owned ? undefined : optimizer.exportState();
  let interrupted = false;
  let lastYield = performance.now();
  try {
    sweep: for (let epoch = 0; ; epoch += 1) {
      for (const batch of batcher.batches(epoch)) {
        optimizer.setLearningRate(recorder.nextLearningRate());
        const step = trainingStep(model, optimizer, batch, loss, seed * 7919 + recorder.iteration);
        const stop = recorder.record(step.report?.status === 'diverged' ? Number.NaN : step.loss);
        onPoint?.(recorder.points.at(-1) as RangeTestPoint);
        if (stop) break sweep;
        if (signal?.aborted) {
          interrupted = true;
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
  return {
    method: 'exponential',
    ...recorder.result(suggestions),
    batchesPerEpoch: batcher.batchCount,
    seconds: (performance.now() - started) / 1000,
    interrupted,
  };
}
