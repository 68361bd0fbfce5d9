import { meanSquaredError, softmaxCrossEntropy } from '@contour/losses';
import type { MetricsLogger, MetricsRecord, SplitMetrics } from '@contour/metrics-logger';
import { createBatcher, type PreparedDataset } from '@contour/mnist-loader';
import {
  type ContourOptimizer,
  createOptimizer,
  type ParameterGroupSpec,
  type StepReport,
} from '@contour/optimizers';
import * as tf from '@tensorflow/tfjs-core';
import { createTrainableModel } from '../model/layers-model-adapter.js';
import type { TrainableModel } from '../model/trainable-model.js';
import { CachedEvaluator, maximumCachedSplitBytes } from './cached-evaluation.js';
import { DatasetTensors } from './dataset-tensors.js';
import {
  type BatchEndInfo,
  type RunCallbacks,
  type RunOutcome,
  RunRecorder,
  yieldToEventLoop,
} from './run-recorder.js';
import { arraysToWeights, type TrainingCheckpoint, weightsToArrays } from './training-checkpoint.js';
import type { TrainingConfig } from './training-config.js';

/** What a finished (or stopped) run returns. */
export type TrainingResult = RunOutcome<TrainableModel>;

/** Events the CLI and the web app both consume. */
export type TrainerCallbacks = RunCallbacks<TrainableModel>;

export type { BatchEndInfo };

/** Options of `train` besides the config. */
export interface TrainOptions {
  readonly dataset: PreparedDataset;
  readonly runId?: string;
  /** The whole config as JSON for the run-start record (reproducibility); default: the training config. */
  readonly recordedConfig?: unknown;
  readonly versions?: Readonly<Record<string, string>>;
  readonly logger?: MetricsLogger;
  readonly callbacks?: TrainerCallbacks;
  /** Aborting finishes the current step, then stops the run as `interrupted`. */
  readonly signal?: AbortSignal;
  /**
   * Awaited between steps (after `onBatchEnd`, before the abort check), e.g. a promise that
   * resolves when a paused UI resumes; an abort during the pause takes effect once it resolves.
   */
  readonly pause?: () => Promise<void> | void;
  /** Called after every epoch whose weights are finite (never with non-finite weights). */
  readonly saveCheckpoint?: (checkpoint: TrainingCheckpoint, model: TrainableModel) => void | Promise<void>;
  /** Continue from a checkpoint instead of starting afresh. */
  readonly resumeFrom?: TrainingCheckpoint;
  /** See `RunRecorderOptions.pauseAfterEpoch`: a message pauses the run after that epoch. */
  readonly pauseAfterEpoch?: (epoch: number) => string | undefined;
  /** Records logged right after `run-start` (see `RunRecorderOptions.leadingRecords`). */
  readonly leadingRecords?: readonly MetricsRecord[];
  /** Start from these weights (fine-tuning) instead of a fresh initialisation. */
  readonly initialModel?: TrainableModel;
  /**
   * Parameter groups for epoch `epoch` (1-based), asked before it starts (gradual unfreezing,
   * per-epoch lrMult). When they differ from the groups in effect, the optimizer is rebuilt from
   * the spec with these groups and the old one's state imported (slots, steps, schedule carry over
   * exactly). Undefined keeps the groups as they are.
   */
  readonly groupsAtEpoch?: (epoch: number) => readonly ParameterGroupSpec[] | undefined;
}

/** Seed of the dropout masks of a step: a pure function of (seed, step). */
function dropoutSeed(seed: number, step: number): number {
  return (Math.imul(seed + 1, 0x9e3779b1) + step) % 2147483647;
}

/**
 * Trains a model on a prepared dataset: epochs of seeded mini-batches, the optimizer spec's update
 * rule and schedule (stepped per batch, or per epoch when its unit says so; stateful schedules see
 * the validation cross entropy after each epoch), full evaluation of train / validation (and test)
 * after each epoch, early stopping with restored best weights, and divergence stops: at the first
 * non-finite batch loss, when the optimizer gives up on non-finite gradients, or when an epoch's
 * mean training loss exceeds `divergenceFactor` × its best. Deterministic on the cpu backend for a
 * given config; a resumed run continues exactly.
 */
export async function train(config: TrainingConfig, options: TrainOptions): Promise<TrainingResult> {
  const { dataset } = options;
  const started = performance.now();
  const batcher = createBatcher(dataset, { batchSize: config.batchSize, seed: config.seed });
  const inputSize = dataset.featureShape.reduce((product, size) => product * size, 1);
  const resume = options.resumeFrom;
  const recorder = new RunRecorder<TrainableModel>(
    config,
    options,
    batcher.batchCount,
    resume?.bestTrainLoss ?? null,
  );
  // Everything allocated below is freed in `finally` when anything throws (a checkpoint writer,
  // a callback, a step); on success only the model is handed to the caller.
  let model: TrainableModel | undefined;
  let optimizer: ContourOptimizer | undefined;
  let kernelsBefore: Record<string, tf.Tensor> | undefined;
  let succeeded = false;
  // Features decoded once per run: batches are row copies, evaluation chunks stay on the device
  // (the same values and numbers as the batcher and evaluateSplit; see dataset-tensors.ts).
  const tensors = new DatasetTensors(dataset);
  const evaluator = new CachedEvaluator(dataset, tensors);
  try {
    const epochBatches = (epoch: number) =>
      dataset.train.count * inputSize * 4 <= maximumCachedSplitBytes
        ? tensors.epochBatches(epoch, config.batchSize, config.seed)
        : batcher.batches(epoch);
    model =
      options.initialModel ??
      (await createTrainableModel(config.model, {
        inputSize,
        outputSize: dataset.classCount,
        seed: config.seed,
      }));
    optimizer = createOptimizer(config.optimizer, { stepsPerEpoch: batcher.batchCount });
    let groupsInEffect = JSON.stringify(config.optimizer.groups ?? []);
    let step = resume?.step ?? 0;
    let epoch = resume?.epoch ?? 0;
    let early = resume?.earlyStopping ?? null;
    const previousSeconds = resume?.elapsedSeconds ?? 0;
    const elapsed = () => previousSeconds + (performance.now() - started) / 1000;
    if (resume) {
      model.setWeights(arraysToWeights(resume.weights));
      optimizer.importState(resume.optimizer);
    }
    const logicalNames = new Map(
      Object.entries(model.variables).map(([name, variable]) => [variable.name, name]),
    );
    const trainable = Object.values(model.variables);
    const objective = (logits: tf.Tensor, targets: tf.Tensor): tf.Scalar =>
      (config.loss === 'mse'
        ? meanSquaredError(logits, targets, { nonFinite: 'ignore' })
        : softmaxCrossEntropy(logits, targets, { nonFinite: 'ignore' })) as tf.Scalar;

    if (resume)
      recorder.event('resumed', `resumed after epoch ${resume.epoch} (step ${resume.step})`, epoch + 1, step);
    else recorder.start(config);

    let lastYield = performance.now();
    const disposeSnapshot = () => {
      tf.dispose(Object.values(kernelsBefore ?? {}));
      kernelsBefore = undefined;
    };

    training: while (epoch < config.epochs) {
      const groups = options.groupsAtEpoch?.(epoch + 1);
      if (groups !== undefined && JSON.stringify(groups) !== groupsInEffect) {
        const state = optimizer.exportState();
        optimizer.dispose();
        optimizer = undefined;
        optimizer = createOptimizer({ ...config.optimizer, groups }, { stepsPerEpoch: batcher.batchCount });
        optimizer.importState(state);
        groupsInEffect = JSON.stringify(groups);
      }
      const epochStarted = performance.now();
      recorder.beginEpoch();
      for (const batch of epochBatches(epoch)) {
        const learningRate = optimizer.learningRateAt();
        if (batch.index === batcher.batchCount - 1) {
          const current = model;
          kernelsBefore = Object.fromEntries(
            current.layers.map((layer) => [
              layer.name,
              tf.clone(current.variables[layer.kernel] as tf.Variable),
            ]),
          );
        }
        const forwardModel = model;
        const { value, grads } = tf.variableGrads(
          () => objective(forwardModel.forward(batch.inputs, dropoutSeed(config.seed, step)), batch.targets),
          trainable,
        );
        let loss: number;
        let report: StepReport | undefined;
        try {
          loss = value.dataSync()[0] ?? Number.NaN;
          if (Number.isFinite(loss)) {
            const named: Record<string, tf.Tensor> = {};
            for (const [tfName, gradient] of Object.entries(grads))
              named[logicalNames.get(tfName) ?? tfName] = gradient;
            report = optimizer.applyGradients(named, model.variables);
          }
        } finally {
          value.dispose();
          tf.dispose(grads);
        }
        const info = {
          epoch: epoch + 1,
          step,
          batch: batch.index,
          batches: batcher.batchCount,
          loss,
          learningRate,
        };
        if (!Number.isFinite(loss)) {
          recorder.step(info);
          break training;
        }
        if (report !== undefined && report.status !== 'applied') {
          const message = `non-finite gradients in ${report.nonFiniteParameters.join(', ')} at step ${step}`;
          if (report.status === 'diverged') {
            recorder.stop(
              'diverged',
              'diverged',
              `${message}: ${report.consecutiveSkips} steps skipped in a row`,
              epoch + 1,
              step,
            );
            break training;
          }
          recorder.event('skipped-step', message, epoch + 1, step, { skippedSteps: report.skippedSteps });
        }
        recorder.step(info);
        step += 1;
        if (options.pause) await options.pause();
        if (options.signal?.aborted) {
          recorder.interrupt(epoch + 1, step);
          break training;
        }
        if (performance.now() - lastYield > 50) {
          await yieldToEventLoop();
          lastYield = performance.now();
          if (options.signal?.aborted) {
            recorder.interrupt(epoch + 1, step);
            break training;
          }
        }
      }
      epoch += 1;
      const updateRatios = kernelsBefore ? updateParameterRatios(model, kernelsBefore) : undefined;
      kernelsBefore = undefined;
      const train = evaluator.evaluate(model, 'train', config.loss) as SplitMetrics;
      const validation = evaluator.evaluate(model, 'validation', config.loss);
      const test = config.evaluateTest ? evaluator.evaluate(model, 'test', config.loss) : undefined;
      const recorded = recorder.endEpoch({
        epoch,
        step,
        learningRate: optimizer.learningRateAt(Math.max(0, step - 1)),
        seconds: (performance.now() - epochStarted) / 1000,
        train,
        validation,
        test,
        updateRatios,
      });
      if (!recorded) break;
      const monitored = validation?.crossEntropy ?? train.crossEntropy ?? Number.NaN;
      optimizer.observe(monitored);

      let stopEarly = false;
      if (config.earlyStopping) {
        const rule = config.earlyStopping;
        const state = early ?? { bestValue: null, bestEpoch: 0, badEpochs: 0, bestWeights: null };
        if (
          Number.isFinite(monitored) &&
          (state.bestValue === null || monitored < state.bestValue - rule.minDelta)
        ) {
          early = {
            bestValue: monitored,
            bestEpoch: epoch,
            badEpochs: 0,
            bestWeights: rule.restoreBestWeights ? weightsToArrays(model.getWeights()) : null,
          };
        } else {
          early = { ...state, badEpochs: state.badEpochs + 1 };
          stopEarly = early.badEpochs >= rule.patience;
        }
      }

      // Reading the weights back costs a host copy of every parameter: only when checkpointing.
      if (recorder.checkpoints) {
        await recorder.checkpoint(
          {
            epoch,
            step,
            elapsedSeconds: elapsed(),
            weights: model.getWeights(),
            optimizer: optimizer.exportState(),
            earlyStopping: early,
          },
          model,
        );
      }
      if (stopEarly && early) {
        recorder.stop(
          'finished',
          'early-stop',
          `no improvement of validation cross entropy for ${early.badEpochs} epochs; best ${early.bestValue} at epoch ${early.bestEpoch}`,
          epoch,
          step,
        );
        if (early.bestWeights) {
          model.setWeights(arraysToWeights(early.bestWeights));
          recorder.event('restored-best', `restored the weights of epoch ${early.bestEpoch}`, epoch, step, {
            epoch: early.bestEpoch,
          });
        }
        break;
      }
      if (recorder.pauseAfter(epoch, step)) break;
    }
    disposeSnapshot();
    const result = recorder.finish(epoch, step, elapsed(), model);
    succeeded = true;
    return result;
  } finally {
    tf.dispose(Object.values(kernelsBefore ?? {}));
    optimizer?.dispose();
    evaluator.dispose();
    // The caller's initial model stays the caller's; a model made here is freed unless returned.
    if (!succeeded && model !== undefined && model !== options.initialModel) model.dispose();
  }
}

/** log10(mean |update| / mean |parameter|) of each layer's kernel over the last step (DL4J's chart). */
function updateParameterRatios(
  model: TrainableModel,
  before: Record<string, tf.Tensor>,
): Record<string, number> {
  const ratios: Record<string, number> = {};
  tf.tidy(() => {
    const values = model.layers.map((layer) => {
      const current = model.variables[layer.kernel] as tf.Variable;
      const previous = before[layer.name] as tf.Tensor;
      return tf.stack([tf.mean(tf.abs(tf.sub(current, previous))), tf.mean(tf.abs(current))]);
    });
    const data = tf.stack(values).dataSync();
    model.layers.forEach((layer, index) => {
      ratios[layer.name] = Math.log10((data[index * 2] ?? Number.NaN) / (data[index * 2 + 1] ?? Number.NaN));
    });
  });
  tf.dispose(Object.values(before));
  return ratios;
}
