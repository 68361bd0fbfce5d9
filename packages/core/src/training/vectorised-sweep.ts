import type { SplitMetrics } from '@contour/metrics-logger';
import type { PreparedDataset } from '@contour/mnist-loader';
import { createOptimizer, type OptimizerState, StackedOptimizer } from '@contour/optimizers';
import * as tf from '@tensorflow/tfjs-core';
import { initialWeights, Model } from '../model/model.js';
import { StackedModel } from '../model/stacked-model.js';
import { stableStringify } from '../run-config.js';
import { CachedEvaluator } from './cached-evaluation.js';
import { DatasetTensors, type EpochBatch } from './dataset-tensors.js';
import { type HostFloat32, hostFloat32 } from './host-float32.js';
import { RunRecorder, type RunRecorderOptions, yieldToEventLoop } from './run-recorder.js';
import { hostStackedCrossEntropy, stackedCrossEntropy } from './stacked-cross-entropy.js';
import type { TrainingResult } from './trainer.js';
import type { TrainingConfig } from './training-config.js';

/** One trial of a vectorised sweep: its config and where its records go (as `train`'s options). */
export interface VectorisedTrial extends RunRecorderOptions<Model> {
  readonly config: TrainingConfig;
}

/** Options of {@link trainVectorised} shared by every trial. */
export interface VectorisedOptions {
  readonly dataset: PreparedDataset;
  /** Aborting stops every running trial as `interrupted` at the end of the current chunk of steps. */
  readonly signal?: AbortSignal;
  /**
   * Steps between two read-backs of the losses (default 32, and always at the end of an epoch).
   * Step records and `onBatchEnd` callbacks of a chunk are delivered together at its end.
   */
  readonly chunkSteps?: number;
}

/** Whether a set of trials can train together, and if not, why. */
export interface VectorisedSupport {
  readonly supported: boolean;
  /** One line: why not (or what the path does). */
  readonly reason: string;
}

/**
 * What trials trained together must share: the config without the optimizer spec and the
 * divergence factor (stable JSON). Equal keys are necessary, not sufficient: check the group with
 * {@link vectorisedSupport}.
 */
export function vectorisedGroupKey(config: TrainingConfig): string {
  const { optimizer: _optimizer, divergenceFactor: _factor, ...rest } = config;
  return stableStringify(rest);
}

/**
 * Whether trials can be trained together by {@link trainVectorised}: dense models (linear or MLP)
 * without dropout, cross entropy, no early stopping, and optimizer specs with pure (stateless)
 * schedules — any rule (sgd, adagrad, rmsprop, adadelta, adam, adamw, rprop, localGains), any
 * hyperparameters, parameter groups and clipping; the trials may differ only in the optimizer spec
 * and the divergence factor — same model, data order (seed), batch size and epochs.
 */
export function vectorisedSupport(configs: readonly TrainingConfig[]): VectorisedSupport {
  const no = (reason: string): VectorisedSupport => ({ supported: false, reason });
  const first = configs[0];
  if (!first) return no('no trials');
  const shared = vectorisedGroupKey(first);
  for (const [index, config] of configs.entries()) {
    if (config.model.type === 'layers')
      return no(`trial ${index} uses a model.json (layers models train one trial at a time)`);
    if (config.model.dropout > 0) return no(`trial ${index} uses dropout`);
    if (config.loss !== 'cross-entropy') return no(`trial ${index} uses loss "${config.loss}"`);
    if (config.earlyStopping) return no(`trial ${index} uses early stopping`);
    let stateful: string | undefined;
    try {
      const built = createOptimizer(config.optimizer, { stepsPerEpoch: 1 });
      if (built.schedule.stateful) stateful = built.schedule.type;
      built.dispose();
    } catch (error) {
      return no(`trial ${index}: ${(error as Error).message}`);
    }
    if (stateful !== undefined) return no(`trial ${index} uses a stateful schedule (${stateful})`);
    if (vectorisedGroupKey(config) !== shared)
      return no(`trial ${index} differs from trial 0 in more than the optimizer or divergence factor`);
  }
  const types = [...new Set(configs.map((config) => config.optimizer.type))].join(', ');
  return {
    supported: true,
    reason: `${configs.length} trial(s) trained together in one pass (stacked weights, one matMul per layer for all; ${types})`,
  };
}

/** One trial while it trains: its stacked position, recorder and own model. */
interface TrialState {
  /** Position in the stack (trials are stacked grouped by optimizer type; the stack shrinks as trials stop). */
  model: number;
  readonly trial: VectorisedTrial;
  readonly recorder: RunRecorder<Model>;
  /** The trial's own model: its weights are set from the stack after every finished epoch. */
  readonly result: Model;
  running: boolean;
  /** Steps recorded (the schedule's t) and epochs completed. */
  step: number;
  epoch: number;
}

/**
 * Trains K trials of the same dense architecture in one pass: a {@link StackedModel} (one matMul
 * per layer for every trial), the per-trial losses summed so that one backward pass gives every
 * trial its own gradient, and a `StackedOptimizer` applying each trial's own update rule, rate,
 * schedule, hyperparameters and groups (the same rule code as `train`'s optimizer, with per-trial
 * numbers as tensors). Each trial records through its own {@link RunRecorder}, so its records,
 * events, checkpoints and result are what `train` gives for it alone: on the cpu backend the same
 * numbers (the same float32 operations, in the same order, on the same values; see the tests), on
 * other backends equal to float32 rounding.
 *
 * Losses stay on the device and are read back once per chunk of steps (`chunkSteps`) and at the
 * end of each epoch; a trial whose loss is not finite at step s stops there as `diverged` with the
 * records of steps < s, exactly as `train` stops it — the steps the other trials took after s in
 * the same chunk do not involve its weights (its slices are independent), and from the end of the
 * chunk on its weights and slots are zeroed. At the end of each epoch the stack is rebuilt with the
 * running trials only, so stopped and paused trials cost nothing from then on. Evaluation uses the
 * splits cached on the device.
 * Trials that cannot be vectorised ({@link vectorisedSupport}) throw.
 *
 * Differences from `train`, by design: step records and `onBatchEnd` arrive per chunk; a step whose
 * loss is finite but whose gradient is not (possible only when activations overflow float32) is
 * not skipped: its non-finite weights make the next loss non-finite, which stops the trial.
 * Nothing is left on the device when anything throws (a checkpoint writer, a callback, a step).
 */
export async function trainVectorised(
  trials: readonly VectorisedTrial[],
  options: VectorisedOptions,
): Promise<TrainingResult[]> {
  const support = vectorisedSupport(trials.map((trial) => trial.config));
  if (!support.supported) throw new Error(`trainVectorised: ${support.reason}`);
  const { dataset } = options;
  const started = performance.now();
  const first = (trials[0] as VectorisedTrial).config;
  const { batchSize, seed, epochs } = first;
  const spec = first.model;
  const chunkSteps = Math.max(1, Math.floor(options.chunkSteps ?? 32));
  const inputSize = dataset.featureShape.reduce((product, size) => product * size, 1);
  const outputSize = dataset.classCount;
  const batchCount = Math.ceil(dataset.train.count / batchSize);
  const elapsed = () => (performance.now() - started) / 1000;
  // Trials of one rule type side by side: the optimizer then updates each type's block at once.
  const types = [...new Set(trials.map((trial) => trial.config.optimizer.type))];
  const order = trials
    .map((_, index) => index)
    .sort(
      (a, b) =>
        types.indexOf((trials[a] as VectorisedTrial).config.optimizer.type) -
          types.indexOf((trials[b] as VectorisedTrial).config.optimizer.type) || a - b,
    );
  // Every trial starts from the seed's weights, as `createModel` makes them.
  const weights = initialWeights(spec, { inputSize, outputSize, seed });

  const states: TrialState[] = [];
  let stacked: StackedModel | undefined;
  let optimizer: StackedOptimizer | undefined;
  let kernelsBefore: tf.Tensor[] | undefined;
  // Each step's per-trial losses: on the device, or already on the host (the host-loss step).
  let pending: Array<{ loss: tf.Tensor | Float32Array; step: number; batch: number }> = [];
  const deviceLosses = () =>
    pending.flatMap((entry) => (entry.loss instanceof tf.Tensor ? [entry.loss] : []));
  let succeeded = false;
  const data = new DatasetTensors(dataset);
  const evaluator = new CachedEvaluator(dataset, data);
  try {
    for (const [model, trialIndex] of order.entries()) {
      const trial = trials[trialIndex] as VectorisedTrial;
      states.push({
        model,
        trial,
        recorder: new RunRecorder(trial.config, trial, batchCount),
        result: new Model(spec, inputSize, outputSize, weights),
        running: true,
        step: 0,
        epoch: 0,
      });
    }
    let net = new StackedModel(
      spec,
      inputSize,
      outputSize,
      order.map(() => weights),
    );
    stacked = net;
    let stackedOptimizer = new StackedOptimizer(
      states.map((state) => state.trial.config.optimizer),
      net.parameters,
      { stepsPerEpoch: batchCount },
    );
    optimizer = stackedOptimizer;
    let variables = net.variables;
    const learningRateAt = (state: TrialState, step: number) =>
      (
        stackedOptimizer.optimizers[state.model] as (typeof stackedOptimizer.optimizers)[number]
      ).learningRateAt(step);
    for (const state of states) state.recorder.start(state.trial.config);

    /** Stopped trials: weights and slots zeroed, so their slices stay finite and inert. */
    const retire = (stopped: readonly TrialState[]) => {
      for (const state of stopped) state.running = false;
      const models = stopped.map((state) => state.model);
      net.zeroModels(models);
      stackedOptimizer.resetModels(models);
    };
    const interruptAll = () => {
      for (const state of states.filter((item) => item.running)) {
        state.recorder.interrupt(state.epoch + 1, state.step);
        state.running = false;
      }
    };
    const running = () => states.some((state) => state.running);
    /**
     * Rebuilds the stack with the running trials only (their weights and optimizer states copied
     * exactly), so that stopped and paused trials cost nothing from the next epoch on: a
     * scheduler's stopped trials then shorten the pass as much as they shorten its epochs.
     */
    const compact = () => {
      const alive = states.filter((state) => state.running);
      if (alive.length === 0 || alive.length === net.count) return;
      const models = alive.map((state) => state.model);
      const aliveWeights = net.modelWeights(models);
      const optimizerStates = stackedOptimizer.exportStates(models);
      const smaller = new StackedModel(spec, inputSize, outputSize, aliveWeights);
      let smallerOptimizer: StackedOptimizer;
      try {
        smallerOptimizer = new StackedOptimizer(
          alive.map((state) => state.trial.config.optimizer),
          smaller.parameters,
          { stepsPerEpoch: batchCount },
        );
      } catch (error) {
        smaller.dispose();
        throw error;
      }
      stackedOptimizer.dispose();
      net.dispose();
      net = smaller;
      stacked = smaller;
      stackedOptimizer = smallerOptimizer;
      optimizer = smallerOptimizer;
      variables = net.variables;
      smallerOptimizer.importStates(optimizerStates);
      for (const [model, state] of alive.entries()) state.model = model;
    };

    // One-layer stacks on cpu or wasm: the loss and its gradient computed in JavaScript on the
    // logits read back (the same float32 values as the tfjs op, see hostStackedCrossEntropy), then
    // the layer's gradients from that gradient — ~30 fewer kernel dispatches a step and no tape.
    const host = net.layers.length === 1 ? hostFloat32(tf.getBackend()) : undefined;
    /** One training step with the loss on the host; undefined (nothing done) when a logit is not finite. */
    const hostStep = (batch: EpochBatch): Float32Array | undefined => {
      const logits = net.trainingLogits(batch.inputs).logits;
      let values: Float32Array;
      try {
        values = logits.dataSync() as Float32Array;
      } finally {
        logits.dispose();
      }
      const loss = hostStackedCrossEntropy(
        values,
        batch.targetValues,
        { batch: batch.size, models: net.count, classes: outputSize },
        host as HostFloat32,
      );
      if (!loss) return undefined;
      const gradients = tf.tidy(() =>
        net.wideGradients(batch.inputs, tf.tensor2d(loss.gradient, [batch.size, net.count * outputSize])),
      );
      try {
        stackedOptimizer.applyGradients(gradients);
      } finally {
        tf.dispose(gradients);
      }
      return loss.perModel;
    };

    let step = 0;
    let lastYield = performance.now();
    for (let epoch = 0; epoch < epochs && running(); epoch += 1) {
      if (options.signal?.aborted) {
        interruptAll();
        break;
      }
      const epochStarted = performance.now();
      for (const state of states) state.recorder.beginEpoch();
      // Reads back a chunk of losses; stops trials at their first non-finite loss.
      const flush = () => {
        if (pending.length === 0) return;
        const onDevice = deviceLosses();
        const read = onDevice.length > 0 ? tf.tidy(() => tf.stack(onDevice).dataSync()) : undefined;
        tf.dispose(onDevice);
        const losses = new Float32Array(pending.length * net.count);
        let readRow = 0;
        for (const [row, entry] of pending.entries()) {
          if (entry.loss instanceof tf.Tensor) {
            losses.set(
              (read as Float32Array).subarray(readRow * net.count, (readRow + 1) * net.count),
              row * net.count,
            );
            readRow += 1;
          } else losses.set(entry.loss, row * net.count);
        }
        const entries = pending;
        pending = [];
        const stopped: TrialState[] = [];
        for (const state of states) {
          if (!state.running) continue;
          for (const [row, entry] of entries.entries()) {
            const recorded = state.recorder.step({
              epoch: epoch + 1,
              step: entry.step,
              batch: entry.batch,
              batches: batchCount,
              loss: losses[row * net.count + state.model] ?? Number.NaN,
              learningRate: learningRateAt(state, entry.step),
            });
            if (!recorded) {
              state.step = entry.step;
              stopped.push(state);
              break;
            }
            state.step = entry.step + 1;
          }
        }
        retire(stopped);
      };
      for (const batch of data.epochBatches(epoch, batchSize, seed)) {
        if (batch.index === batchCount - 1) kernelsBefore = net.kernelSnapshot();
        const hostLosses = host ? hostStep(batch) : undefined;
        if (hostLosses) pending.push({ loss: hostLosses, step, batch: batch.index });
        else {
          let losses: tf.Tensor | undefined;
          const { value, grads } = tf.variableGrads(() => {
            const { logits, batchAxis } = net.trainingLogits(batch.inputs);
            const loss = stackedCrossEntropy(logits, batch.targets, { batchAxis, models: net.count });
            losses = loss.perModel;
            return loss.total;
          }, variables);
          try {
            stackedOptimizer.applyGradients(variables.map((variable) => grads[variable.name] as tf.Tensor));
          } finally {
            tf.dispose([value, ...Object.values(grads)]);
            if (losses !== undefined) pending.push({ loss: losses, step, batch: batch.index });
          }
        }
        step += 1;
        if (pending.length >= chunkSteps) {
          flush();
          if (!running()) break;
        }
        // Let Ctrl-C (and other events) in at least every 50 ms, whatever the chunk size: an
        // epoch shorter than a chunk would otherwise never yield and ignore the signal.
        if (performance.now() - lastYield > 50) {
          await yieldToEventLoop();
          lastYield = performance.now();
        }
        if (options.signal?.aborted) break;
      }
      flush();
      if (options.signal?.aborted === true && step < (epoch + 1) * batchCount) {
        interruptAll();
        break;
      }
      const alive = states.filter((state) => state.running);
      if (alive.length === 0) break;
      // Update:parameter ratio of each layer's kernel over the epoch's last step, per trial.
      const ratios = kernelsBefore ? net.updateRatios(kernelsBefore) : undefined;
      kernelsBefore = undefined;
      const forward = (inputs: tf.Tensor) => net.forward(inputs);
      const count = net.count;
      const train = evaluator.evaluateStacked(forward, count, 'train') as SplitMetrics[];
      const validation = evaluator.evaluateStacked(forward, count, 'validation');
      const test = first.evaluateTest ? evaluator.evaluateStacked(forward, count, 'test') : undefined;
      const seconds = (performance.now() - epochStarted) / 1000;
      const aliveModels = alive.map((state) => state.model);
      const trialWeights = net.modelWeights(aliveModels);
      const checkpointing = alive.some((state) => state.recorder.checkpoints);
      const optimizerStates: OptimizerState[] | undefined = checkpointing
        ? stackedOptimizer.exportStates(aliveModels)
        : undefined;
      const stopped: TrialState[] = [];
      for (const [position, state] of alive.entries()) {
        state.epoch = epoch + 1;
        const updateRatios = ratios
          ? Object.fromEntries(
              net.layers.map((layer, index) => [layer.name, ratios[state.model]?.[index] ?? Number.NaN]),
            )
          : undefined;
        const recorded = state.recorder.endEpoch({
          epoch: state.epoch,
          step: state.step,
          learningRate: learningRateAt(state, Math.max(0, state.step - 1)),
          seconds,
          train: train[state.model] as SplitMetrics,
          validation: validation?.[state.model],
          test: test?.[state.model],
          updateRatios,
        });
        if (!recorded) {
          stopped.push(state);
          continue;
        }
        const modelWeights = trialWeights[position] as Record<string, Float32Array>;
        state.result.setWeights(modelWeights);
        if (state.recorder.checkpoints)
          await state.recorder.checkpoint(
            {
              epoch: state.epoch,
              step: state.step,
              elapsedSeconds: elapsed(),
              weights: modelWeights,
              optimizer: (optimizerStates as OptimizerState[])[position] as OptimizerState,
              earlyStopping: null,
            },
            state.result,
          );
      }
      // Asked once every trial's epoch is recorded, so a scheduler sees the whole stack's epoch.
      for (const state of alive)
        if (!stopped.includes(state) && state.recorder.pauseAfter(state.epoch, state.step))
          stopped.push(state);
      retire(stopped);
      compact();
    }
    const seconds = elapsed();
    const results: TrainingResult[] = [];
    for (const trialIndex of trials.keys()) {
      const state = states[order.indexOf(trialIndex)] as TrialState;
      results.push(state.recorder.finish(state.epoch, state.step, seconds, state.result));
    }
    succeeded = true;
    return results;
  } finally {
    tf.dispose([...(kernelsBefore ?? []), ...deviceLosses()]);
    optimizer?.dispose();
    stacked?.dispose();
    evaluator.dispose();
    if (!succeeded) for (const state of states) state.result.dispose();
  }
}
