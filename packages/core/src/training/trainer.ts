import { meanSquaredError, softmaxCrossEntropy } from '@contour/losses';
import {
  type EpochRecord,
  type EventRecord,
  type MetricsLogger,
  metricsFormatVersion,
  type RunEventKind,
  type RunStatus,
  type SplitMetrics,
} from '@contour/metrics-logger';
import { createBatcher, type PreparedDataset } from '@contour/mnist-loader';
import { createOptimizer, type ParameterGroupSpec } from '@contour/optimizers';
import * as tf from '@tensorflow/tfjs-core';
import { createTrainableModel } from '../model/layers-model-adapter.js';
import type { TrainableModel } from '../model/trainable-model.js';
import { CachedEvaluator, maximumCachedSplitBytes } from './cached-evaluation.js';
import { DatasetTensors } from './dataset-tensors.js';
import { arraysToWeights, type TrainingCheckpoint, weightsToArrays } from './training-checkpoint.js';
import type { TrainingConfig } from './training-config.js';

/** What a finished (or stopped) run returns. */
export interface TrainingResult {
  readonly status: Exclude<RunStatus, 'running' | 'failed'>;
  /** Epochs completed. */
  readonly epochs: number;
  readonly steps: number;
  readonly seconds: number;
  readonly history: readonly EpochRecord[];
  /** The trained model (the caller disposes it). */
  readonly model: TrainableModel;
  /** Why the run stopped early, when it did: the event's message. */
  readonly stopReason?: string;
}

/** Called at the end of every optimizer step. */
export interface BatchEndInfo {
  readonly epoch: number;
  readonly step: number;
  readonly batch: number;
  readonly batches: number;
  readonly loss: number;
  readonly learningRate: number;
}

/** Events the CLI and the web app both consume. */
export interface TrainerCallbacks {
  onBatchEnd?(info: BatchEndInfo): void;
  onEpochEnd?(record: EpochRecord): void;
  onEvent?(event: EventRecord): void;
  onFinish?(result: TrainingResult): void;
}

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

const yieldToEventLoop = (): Promise<void> =>
  new Promise((resolve) =>
    typeof setImmediate === 'function' ? setImmediate(resolve) : setTimeout(resolve, 0),
  );

function allFinite(weights: Readonly<Record<string, Float32Array>>): boolean {
  for (const values of Object.values(weights))
    for (const value of values) if (!Number.isFinite(value)) return false;
  return true;
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
  const { dataset, logger, callbacks } = options;
  const started = performance.now();
  const batcher = createBatcher(dataset, { batchSize: config.batchSize, seed: config.seed });
  const inputSize = dataset.featureShape.reduce((product, size) => product * size, 1);
  // Features decoded once per run: batches are row copies, evaluation chunks stay on the device
  // (the same values and numbers as the batcher and evaluateSplit; see dataset-tensors.ts).
  const tensors = new DatasetTensors(dataset);
  const evaluator = new CachedEvaluator(dataset, tensors);
  const epochBatches = (epoch: number) =>
    dataset.train.count * inputSize * 4 <= maximumCachedSplitBytes
      ? tensors.epochBatches(epoch, config.batchSize, config.seed)
      : batcher.batches(epoch);
  const model =
    options.initialModel ??
    (await createTrainableModel(config.model, {
      inputSize,
      outputSize: dataset.classCount,
      seed: config.seed,
    }));
  let optimizer = createOptimizer(config.optimizer, { stepsPerEpoch: batcher.batchCount });
  let groupsInEffect = JSON.stringify(config.optimizer.groups ?? []);
  const history: EpochRecord[] = [];
  const resume = options.resumeFrom;
  let step = resume?.step ?? 0;
  let epoch = resume?.epoch ?? 0;
  let bestTrainLoss = resume?.bestTrainLoss ?? null;
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

  // Events during an epoch belong to the epoch in progress (epoch + 1); events after its
  // evaluation (divergence by factor, early stop) pass the completed epoch.
  const emit = (
    kind: RunEventKind,
    message: string,
    detail?: EventRecord['detail'],
    atEpoch = epoch + 1,
  ): EventRecord => {
    const event: EventRecord = {
      kind: 'event',
      event: kind,
      epoch: atEpoch,
      step,
      message,
      ...(detail === undefined ? {} : { detail }),
    };
    logger?.log(event);
    callbacks?.onEvent?.(event);
    return event;
  };

  if (resume) emit('resumed', `resumed after epoch ${resume.epoch} (step ${resume.step})`);
  else {
    logger?.log({
      kind: 'run-start',
      formatVersion: metricsFormatVersion,
      runId: options.runId ?? 'run',
      time: new Date().toISOString(),
      config: (options.recordedConfig ?? config) as never,
      versions: options.versions ?? {},
      epochs: config.epochs,
      batchesPerEpoch: batcher.batchCount,
    });
  }

  let status: TrainingResult['status'] = 'finished';
  let stopReason: string | undefined;
  let lastYield = performance.now();

  training: while (epoch < config.epochs) {
    const groups = options.groupsAtEpoch?.(epoch + 1);
    if (groups !== undefined && JSON.stringify(groups) !== groupsInEffect) {
      const state = optimizer.exportState();
      optimizer.dispose();
      optimizer = createOptimizer({ ...config.optimizer, groups }, { stepsPerEpoch: batcher.batchCount });
      optimizer.importState(state);
      groupsInEffect = JSON.stringify(groups);
    }
    const epochStarted = performance.now();
    let lossSum = 0;
    let lossCount = 0;
    let kernelsBefore: Record<string, tf.Tensor> | undefined;
    const disposeSnapshot = () => {
      tf.dispose(Object.values(kernelsBefore ?? {}));
      kernelsBefore = undefined;
    };
    for (const batch of epochBatches(epoch)) {
      const learningRate = optimizer.learningRateAt();
      if (batch.index === batcher.batchCount - 1) {
        kernelsBefore = Object.fromEntries(
          model.layers.map((layer) => [layer.name, tf.clone(model.variables[layer.kernel] as tf.Variable)]),
        );
      }
      const { value, grads } = tf.variableGrads(
        () => objective(model.forward(batch.inputs, dropoutSeed(config.seed, step)), batch.targets),
        trainable,
      );
      const loss = value.dataSync()[0] ?? Number.NaN;
      value.dispose();
      if (!Number.isFinite(loss)) {
        tf.dispose(grads);
        disposeSnapshot();
        status = 'diverged';
        stopReason = emit(
          'diverged',
          `loss is ${loss} at step ${step} (epoch ${epoch + 1}, rate ${learningRate})`,
          {
            loss: String(loss),
            learningRate,
          },
        ).message;
        break training;
      }
      const named: Record<string, tf.Tensor> = {};
      for (const [tfName, gradient] of Object.entries(grads))
        named[logicalNames.get(tfName) ?? tfName] = gradient;
      const report = optimizer.applyGradients(named, model.variables);
      tf.dispose(grads);
      if (report.status !== 'applied') {
        const message = `non-finite gradients in ${report.nonFiniteParameters.join(', ')} at step ${step}`;
        if (report.status === 'diverged') {
          disposeSnapshot();
          status = 'diverged';
          stopReason = emit(
            'diverged',
            `${message}: ${report.consecutiveSkips} steps skipped in a row`,
          ).message;
          break training;
        }
        emit('skipped-step', message, { skippedSteps: report.skippedSteps });
      }
      logger?.log({ kind: 'step', epoch: epoch + 1, step, loss, learningRate });
      callbacks?.onBatchEnd?.({
        epoch: epoch + 1,
        step,
        batch: batch.index,
        batches: batcher.batchCount,
        loss,
        learningRate,
      });
      lossSum += loss;
      lossCount += 1;
      step += 1;
      if (options.pause) await options.pause();
      if (options.signal?.aborted) {
        status = 'interrupted';
        stopReason = emit('interrupted', `interrupted at step ${step} (epoch ${epoch + 1})`).message;
        disposeSnapshot();
        break training;
      }
      if (performance.now() - lastYield > 50) {
        await yieldToEventLoop();
        lastYield = performance.now();
        if (options.signal?.aborted) {
          status = 'interrupted';
          stopReason = emit('interrupted', `interrupted at step ${step} (epoch ${epoch + 1})`).message;
          disposeSnapshot();
          break training;
        }
      }
    }
    epoch += 1;
    const updateRatios = kernelsBefore ? updateParameterRatios(model, kernelsBefore) : undefined;
    const train = evaluator.evaluate(model, 'train', config.loss) as SplitMetrics;
    const validation = evaluator.evaluate(model, 'validation', config.loss);
    const test = config.evaluateTest ? evaluator.evaluate(model, 'test', config.loss) : undefined;
    const record: EpochRecord = {
      kind: 'epoch',
      epoch,
      step,
      learningRate: optimizer.learningRateAt(Math.max(0, step - 1)),
      seconds: (performance.now() - epochStarted) / 1000,
      train,
      ...(validation ? { validation } : {}),
      ...(test ? { test } : {}),
      ...(updateRatios ? { updateRatios } : {}),
    };
    history.push(record);
    logger?.log(record);
    callbacks?.onEpochEnd?.(record);

    const meanLoss = lossSum / Math.max(1, lossCount);
    const evaluatedLoss = train.loss ?? train.crossEntropy ?? Number.NaN;
    if (!Number.isFinite(evaluatedLoss)) {
      // Every batch loss was finite, but the weights now give a non-finite loss on the split.
      status = 'diverged';
      stopReason = emit(
        'diverged',
        `training loss is ${evaluatedLoss} after epoch ${epoch}`,
        undefined,
        epoch,
      ).message;
      break;
    }
    if (bestTrainLoss !== null && meanLoss > config.divergenceFactor * bestTrainLoss) {
      status = 'diverged';
      stopReason = emit(
        'diverged',
        `mean training loss ${meanLoss.toPrecision(4)} in epoch ${epoch} exceeds ${config.divergenceFactor}× its best (${bestTrainLoss.toPrecision(4)})`,
        undefined,
        epoch,
      ).message;
      break;
    }
    bestTrainLoss = bestTrainLoss === null ? meanLoss : Math.min(bestTrainLoss, meanLoss);
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
    const weights = options.saveCheckpoint ? model.getWeights() : undefined;
    if (weights && allFinite(weights) && options.saveCheckpoint) {
      await options.saveCheckpoint(
        {
          format: 'contour.training-checkpoint',
          version: 1,
          epoch,
          step,
          elapsedSeconds: elapsed(),
          weights: weightsToArrays(weights),
          optimizer: optimizer.exportState(),
          bestTrainLoss,
          earlyStopping: early,
        },
        model,
      );
    }
    if (stopEarly && early) {
      stopReason = emit(
        'early-stop',
        `no improvement of validation cross entropy for ${early.badEpochs} epochs; best ${early.bestValue} at epoch ${early.bestEpoch}`,
        undefined,
        epoch,
      ).message;
      if (early.bestWeights) {
        model.setWeights(arraysToWeights(early.bestWeights));
        emit(
          'restored-best',
          `restored the weights of epoch ${early.bestEpoch}`,
          { epoch: early.bestEpoch },
          epoch,
        );
      }
      break;
    }
  }

  optimizer.dispose();
  evaluator.dispose();
  const seconds = elapsed();
  logger?.log({
    kind: 'finish',
    status,
    time: new Date().toISOString(),
    epochs: epoch,
    steps: step,
    seconds,
  });
  const result: TrainingResult = {
    status,
    epochs: epoch,
    steps: step,
    seconds,
    history,
    model,
    ...(stopReason ? { stopReason } : {}),
  };
  callbacks?.onFinish?.(result);
  return result;
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
