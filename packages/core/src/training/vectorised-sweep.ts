import {
  type EpochRecord,
  type EventRecord,
  type MetricsLogger,
  metricsFormatVersion,
  type RunEventKind,
  type SplitMetrics,
} from '@contour/metrics-logger';
import type { PreparedDataset } from '@contour/mnist-loader';
import { type ContourOptimizer, createOptimizer, type OptimizerState } from '@contour/optimizers';
import * as tf from '@tensorflow/tfjs-core';
import { initialKernel } from '../model/initializers.js';
import { denseLayer, Model } from '../model/model.js';
import type { ModelSpec } from '../model/model-spec.js';
import { stableStringify } from '../run-config.js';
import { DatasetTensors } from './dataset-tensors.js';
import type { TrainerCallbacks, TrainingResult } from './trainer.js';
import type { TrainingCheckpoint } from './training-checkpoint.js';
import type { TrainingConfig } from './training-config.js';

/** One trial of a vectorised sweep: its config and where its records go (as `train`'s options). */
export interface VectorisedTrial {
  readonly config: TrainingConfig;
  readonly runId?: string;
  /** The whole config as JSON for the run-start record; default: the training config. */
  readonly recordedConfig?: unknown;
  readonly versions?: Readonly<Record<string, string>>;
  readonly logger?: MetricsLogger;
  readonly callbacks?: TrainerCallbacks;
  /** Called after every epoch whose weights are finite, exactly as `train` calls it. */
  readonly saveCheckpoint?: (checkpoint: TrainingCheckpoint, model: Model) => void | Promise<void>;
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

const sharedOptimizerFields = new Set(['type', 'lr', 'momentum', 'dampening', 'weightDecay']);

/**
 * What trials trained together must share: the config without the rate or schedule, momentum,
 * dampening, weight decay and divergence factor (stable JSON). Equal keys are necessary, not
 * sufficient: check the group with {@link vectorisedSupport}.
 */
export function vectorisedGroupKey(config: TrainingConfig): string {
  return sharedPart(config);
}

function sharedPart(config: TrainingConfig): string {
  const { optimizer, divergenceFactor: _factor, ...rest } = config;
  const { lr: _rate, momentum: _momentum, dampening: _dampening, weightDecay: _decay, ...fixed } = optimizer;
  return stableStringify({ ...rest, optimizer: fixed });
}

/**
 * Whether trials can be trained together by {@link trainVectorised}: dense models (linear or MLP)
 * without dropout, cross entropy, no early stopping, and SGD (plain, momentum, Nesterov, either
 * momentum form, weight decay) without parameter groups or clipping, with pure (stateless)
 * schedules; the trials may differ only in the rate or schedule, momentum, dampening, weight
 * decay and divergence factor — same model, data order (seed), batch size and epochs.
 */
export function vectorisedSupport(configs: readonly TrainingConfig[]): VectorisedSupport {
  const no = (reason: string): VectorisedSupport => ({ supported: false, reason });
  const first = configs[0];
  if (!first) return no('no trials');
  const shared = sharedPart(first);
  let usesBuffer: boolean | undefined;
  for (const [index, config] of configs.entries()) {
    if (config.model.type === 'layers')
      return no(`trial ${index} uses a model.json (layers models train one trial at a time)`);
    if (config.model.dropout > 0) return no(`trial ${index} uses dropout`);
    if (config.loss !== 'cross-entropy') return no(`trial ${index} uses loss "${config.loss}"`);
    if (config.earlyStopping) return no(`trial ${index} uses early stopping`);
    const optimizer = config.optimizer;
    if (optimizer.type !== 'sgd')
      return no(`trial ${index} uses optimizer "${optimizer.type}" (only sgd is vectorised)`);
    for (const key of Object.keys(optimizer)) {
      if (
        !sharedOptimizerFields.has(key) &&
        key !== 'nesterov' &&
        key !== 'momentumForm' &&
        key !== 'skipNonFinite' &&
        key !== 'maxConsecutiveSkips'
      )
        return no(`trial ${index} sets optimizer.${key}`);
    }
    let built: ContourOptimizer;
    try {
      built = createOptimizer(optimizer, { stepsPerEpoch: 1 });
    } catch (error) {
      return no(`trial ${index}: ${(error as Error).message}`);
    }
    const stateful = built.schedule.stateful;
    const buffer = (built.hyperparameters.momentum as number) !== 0 || built.schedule.cyclesMomentum;
    built.dispose();
    if (stateful) return no(`trial ${index} uses a stateful schedule (${built.schedule.type})`);
    if (usesBuffer !== undefined && usesBuffer !== buffer)
      return no('some trials use momentum and others do not');
    usesBuffer = buffer;
    if (sharedPart(config) !== shared)
      return no(
        `trial ${index} differs from trial 0 in more than the rate, schedule, momentum, dampening, weight decay or divergence factor`,
      );
  }
  return {
    supported: true,
    reason: `${configs.length} trial(s) trained together in one pass (stacked weights, one matMul per layer for all)`,
  };
}

interface TrialState {
  readonly index: number;
  readonly options: VectorisedTrial;
  readonly optimizer: ContourOptimizer;
  readonly model: Model;
  /** Running, or how it ended. */
  status: 'running' | 'finished' | 'diverged' | 'interrupted';
  stopReason?: string;
  /** Steps applied (the schedule's t) and the epochs completed. */
  step: number;
  epoch: number;
  bestTrainLoss: number | null;
  lossSum: number;
  lossCount: number;
  readonly history: EpochRecord[];
}

function activate(values: tf.Tensor, activation: ModelSpec['activation']): tf.Tensor {
  switch (activation) {
    case 'relu':
      return tf.relu(values);
    case 'tanh':
      return tf.tanh(values);
    case 'sigmoid':
      return tf.sigmoid(values);
  }
}

/**
 * Trains K trials of the same dense architecture in one pass: the first layer's kernels side by
 * side ([in, K·out], one matMul for all), deeper layers stacked ([K, in, out], one batched
 * matMul), the per-trial losses summed so that one backward pass gives every trial its own
 * gradient, and SGD applied with per-trial rates, schedules and momenta (vectors broadcast over
 * each trial's slice). Each trial's records, events, checkpoints and result are what `train` gives
 * for it alone: on the cpu backend the same numbers (the same float32 operations, in the same
 * order, on the same values; see the tests), on other backends equal to float32 rounding.
 *
 * Losses stay on the device and are read back once per chunk of steps (`chunkSteps`) and at the
 * end of each epoch; a trial whose loss is not finite at step s stops there as `diverged` with the
 * records of steps < s, exactly as `train` stops it — the steps the other trials took after s in
 * the same chunk do not involve its weights (its slices are independent), and from the end of the
 * chunk on it is frozen (weights and momentum zeroed, rate 0) so it cannot poison the others.
 * Evaluation uses the splits cached on the device. Trials that cannot be vectorised
 * ({@link vectorisedSupport}) throw.
 *
 * Differences from `train`, by design: step records and `onBatchEnd` arrive per chunk; a step whose
 * loss is finite but whose gradient is not (possible only when activations overflow float32) is
 * not skipped: its non-finite weights make the next loss non-finite, which stops the trial.
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
  const count = trials.length;
  const inputSize = dataset.featureShape.reduce((product, size) => product * size, 1);
  const sizes = [inputSize, ...spec.hidden, dataset.classCount];
  const layerNames = sizes
    .slice(1)
    .map((_, index) => (index === sizes.length - 2 ? 'head' : `hidden${index + 1}`));
  const batchCount = Math.ceil(dataset.train.count / batchSize);
  const elapsed = () => (performance.now() - started) / 1000;

  // Initial weights: every trial starts from the seed's weights, as `createModel` makes them.
  const initial = sizes
    .slice(1)
    .map((size, index) => initialKernel(spec.initializer, sizes[index] as number, size, seed * 1009 + index));
  const kernels: tf.Variable[] = [];
  const biases: tf.Variable[] = [];
  /** A variable holding a copy of `tensor`'s values; the tensor itself is freed. */
  const toVariable = (tensor: tf.Tensor, trainable: boolean): tf.Variable => {
    const variable = tf.variable(tensor, trainable);
    tensor.dispose();
    return variable;
  };
  sizes.slice(1).forEach((outputSize, index) => {
    const inSize = sizes[index] as number;
    const kernel = initial[index] as Float32Array;
    if (index === 0) {
      const wide = new Float32Array(inSize * count * outputSize);
      for (let row = 0; row < inSize; row += 1)
        for (let trial = 0; trial < count; trial += 1)
          wide.set(
            kernel.subarray(row * outputSize, (row + 1) * outputSize),
            (row * count + trial) * outputSize,
          );
      kernels.push(toVariable(tf.tensor2d(wide, [inSize, count * outputSize]), true));
      biases.push(toVariable(tf.zeros([count * outputSize]), true));
    } else {
      const stacked = new Float32Array(count * kernel.length);
      for (let trial = 0; trial < count; trial += 1) stacked.set(kernel, trial * kernel.length);
      kernels.push(toVariable(tf.tensor3d(stacked, [count, inSize, outputSize]), true));
      biases.push(toVariable(tf.zeros([count, 1, outputSize]), true));
    }
  });
  const parameters = kernels.flatMap((kernel, index) => [kernel, biases[index] as tf.Variable]);
  const parameterNames = layerNames.flatMap((name) => [`${name}/kernel`, `${name}/bias`]);

  const states: TrialState[] = trials.map((trial, index) => ({
    index,
    options: trial,
    optimizer: createOptimizer(trial.config.optimizer, { stepsPerEpoch: batchCount }),
    model: new Model(
      spec,
      inputSize,
      dataset.classCount,
      Object.fromEntries(
        parameterNames.map((name, position) => [
          name,
          position % 2 === 0
            ? (initial[position / 2] as Float32Array)
            : new Float32Array(sizes[(position + 1) / 2] as number),
        ]),
      ),
    ),
    status: 'running',
    step: 0,
    epoch: 0,
    bestTrainLoss: null,
    lossSum: 0,
    lossCount: 0,
    history: [],
  }));
  const reference = states[0] as TrialState;
  const rule = reference.optimizer.hyperparameters;
  const sutskever = rule.momentumForm === 'sutskever';
  const nesterov = rule.nesterov === true;
  const usesBuffer = (rule.momentum as number) !== 0 || reference.optimizer.schedule.cyclesMomentum;
  const slotName = sutskever ? 'velocity' : 'momentumBuffer';
  const slots: tf.Variable[] = usesBuffer
    ? parameters.map((parameter) => toVariable(tf.zerosLike(parameter), false))
    : [];
  const data = new DatasetTensors(dataset);

  const emit = (state: TrialState, kind: RunEventKind, message: string, detail?: EventRecord['detail']) => {
    const event: EventRecord = {
      kind: 'event',
      event: kind,
      epoch: state.epoch + 1,
      step: state.step,
      message,
      ...(detail === undefined ? {} : { detail }),
    };
    state.options.logger?.log(event);
    state.options.callbacks?.onEvent?.(event);
    return event;
  };
  for (const state of states) {
    state.options.logger?.log({
      kind: 'run-start',
      formatVersion: metricsFormatVersion,
      runId: state.options.runId ?? 'run',
      time: new Date().toISOString(),
      config: (state.options.recordedConfig ?? state.options.config) as never,
      versions: state.options.versions ?? {},
      epochs,
      batchesPerEpoch: batchCount,
    });
  }

  /** Per-trial values broadcast over each parameter's trial slices ([K·out] or [K, 1, 1]). */
  const perTrial = (values: readonly number[], position: number): tf.Tensor => {
    const layer = Math.floor(position / 2);
    if (layer === 0) {
      const width = sizes[1] as number;
      const wide = new Float32Array(count * width);
      for (let trial = 0; trial < count; trial += 1)
        wide.fill(values[trial] ?? 0, trial * width, (trial + 1) * width);
      return tf.tensor1d(wide);
    }
    return tf.tensor3d(Float32Array.from(values), [count, 1, 1]);
  };
  const isAlive = (state: TrialState) => state.status === 'running';

  /** Zeroes a trial's slices of every parameter and slot: frozen at rate 0 from now on. */
  const freeze = (frozen: readonly TrialState[]) => {
    if (frozen.length === 0) return;
    const keep = states.map((state) => (frozen.includes(state) ? 0 : 1));
    tf.tidy(() => {
      for (const [position, variable] of [...parameters, ...slots].entries()) {
        const mask = tf.broadcastTo(
          tf.cast(perTrial(keep, position % parameters.length), 'bool'),
          variable.shape,
        );
        const masked = tf.where(mask, variable, tf.zerosLike(variable));
        variable.assign(masked);
      }
    });
  };

  /** Logits of all trials [K, batch, classes] for inputs [batch, in]. */
  const forward = (inputs: tf.Tensor): tf.Tensor3D => {
    const batch = inputs.shape[0] as number;
    let activations = denseLayer(inputs, kernels[0] as tf.Variable, biases[0] as tf.Variable, false);
    if (kernels.length === 1) {
      return tf.transpose(tf.reshape(activations, [batch, count, sizes[1] as number]), [1, 0, 2]);
    }
    activations = tf.transpose(
      tf.reshape(activate(activations, spec.activation), [batch, count, sizes[1] as number]),
      [1, 0, 2],
    );
    for (let layer = 1; layer < kernels.length; layer += 1) {
      activations = denseLayer(
        activations,
        kernels[layer] as tf.Variable,
        biases[layer] as tf.Variable,
        true,
      );
      if (layer < kernels.length - 1) activations = activate(activations, spec.activation);
    }
    return activations as tf.Tensor3D;
  };
  /** Per-example cross entropy [K, batch], as @contour/losses' softmaxCrossEntropy computes it. */
  const perExampleCrossEntropy = (logits: tf.Tensor3D, targets: tf.Tensor): tf.Tensor =>
    tf.sum(tf.mul(targets, tf.sub(tf.logSumExp(logits, 2, true), logits)), 2);

  /** Train/validation/test metrics of every trial (one read-back per split). */
  const evaluate = (split: 'train' | 'validation' | 'test'): Array<SplitMetrics | undefined> => {
    const total = dataset[split].count;
    if (total === 0) return states.map(() => undefined);
    // Chunks of 1000 as `evaluateSplit` takes them, so the sums are the same float32 numbers.
    const chunks = data.chunks(split, 1000);
    const sums = tf.tidy(() =>
      tf.stack(
        chunks.map((chunk) => {
          const logits = forward(chunk.inputs);
          const crossEntropy = tf.sum(perExampleCrossEntropy(logits, chunk.targets), 1);
          const truth = tf.argMax(chunk.targets, 1);
          const wrong = tf.sum(tf.cast(tf.notEqual(tf.argMax(logits, 2), truth), 'float32'), 1);
          return tf.stack([crossEntropy, wrong], 1);
        }),
      ),
    );
    const values = sums.dataSync();
    sums.dispose();
    return states.map((_, trial) => {
      let crossEntropy = 0;
      let wrong = 0;
      for (let part = 0; part < chunks.length; part += 1) {
        crossEntropy += values[(part * count + trial) * 2] ?? Number.NaN;
        wrong += values[(part * count + trial) * 2 + 1] ?? Number.NaN;
      }
      return { crossEntropy: crossEntropy / total, classificationError: wrong / total };
    });
  };

  /** One SGD step for every trial (the rule's float32 operations, with per-trial vectors). */
  const applyStep = (gradients: readonly tf.Tensor[], step: number) => {
    const rates = states.map((state) => (isAlive(state) ? state.optimizer.learningRateAt(step) : 0));
    const momenta = states.map((state) => state.optimizer.momentumAt(step) ?? 0);
    const dampenings = states.map((state) => state.optimizer.hyperparameters.dampening as number);
    const decays = states.map((state) => state.optimizer.hyperparameters.weightDecay as number);
    const anyDecay = decays.some((decay) => decay !== 0);
    tf.tidy(() => {
      parameters.forEach((parameter, position) => {
        let gradient = gradients[position] as tf.Tensor;
        if (anyDecay) gradient = tf.add(gradient, tf.mul(parameter, perTrial(decays, position)));
        const rate = perTrial(rates, position);
        if (!usesBuffer) {
          parameter.assign(tf.sub(parameter, tf.mul(gradient, rate)));
          return;
        }
        const slot = slots[position] as tf.Variable;
        const momentum = perTrial(momenta, position);
        if (sutskever) {
          const velocity = tf.sub(tf.mul(slot, momentum), tf.mul(gradient, rate));
          const change = nesterov ? tf.sub(tf.mul(velocity, momentum), tf.mul(gradient, rate)) : velocity;
          parameter.assign(tf.add(parameter, change));
          slot.assign(velocity);
          return;
        }
        const buffer =
          step === 0
            ? tf.clone(gradient)
            : tf.add(
                tf.mul(slot, momentum),
                tf.mul(
                  gradient,
                  perTrial(
                    dampenings.map((dampening) => 1 - dampening),
                    position,
                  ),
                ),
              );
        const direction = nesterov ? tf.add(gradient, tf.mul(buffer, momentum)) : buffer;
        parameter.assign(tf.sub(parameter, tf.mul(direction, rate)));
        slot.assign(buffer);
      });
    });
  };

  /** One trial's slice of a stacked parameter or slot, as a trial-sized array. */
  const trialSlice = (values: Float32Array, position: number, trial: number): Float32Array => {
    const layer = Math.floor(position / 2);
    const inSize = sizes[layer] as number;
    const outSize = sizes[layer + 1] as number;
    if (layer > 0) {
      const size = position % 2 === 0 ? inSize * outSize : outSize;
      return values.slice(trial * size, (trial + 1) * size);
    }
    if (position % 2 === 1) return values.slice(trial * outSize, (trial + 1) * outSize);
    const kernel = new Float32Array(inSize * outSize);
    for (let row = 0; row < inSize; row += 1)
      kernel.set(
        values.subarray((row * count + trial) * outSize, (row * count + trial + 1) * outSize),
        row * outSize,
      );
    return kernel;
  };

  const results: TrainingResult[] = [];
  let step = 0;
  let lastYield = performance.now();
  try {
    for (let epoch = 0; epoch < epochs && states.some(isAlive); epoch += 1) {
      if (options.signal?.aborted) {
        for (const state of states.filter(isAlive)) {
          state.status = 'interrupted';
          state.stopReason = emit(
            state,
            'interrupted',
            `interrupted at step ${state.step} (epoch ${epoch + 1})`,
          ).message;
        }
        break;
      }
      const epochStarted = performance.now();
      for (const state of states) {
        state.lossSum = 0;
        state.lossCount = 0;
      }
      let kernelsBefore: tf.Tensor[] | undefined;
      let pending: Array<{ loss: tf.Tensor; step: number; batch: number }> = [];
      // Reads back a chunk of losses; stops trials at their first non-finite loss.
      const flush = () => {
        if (pending.length === 0) return;
        const stacked = tf.stack(pending.map((entry) => entry.loss));
        const losses = stacked.dataSync();
        stacked.dispose();
        tf.dispose(pending.map((entry) => entry.loss));
        const stopped: TrialState[] = [];
        for (const state of states) {
          if (!isAlive(state)) continue;
          for (const [row, entry] of pending.entries()) {
            const loss = losses[row * count + state.index] ?? Number.NaN;
            const learningRate = state.optimizer.learningRateAt(entry.step);
            if (!Number.isFinite(loss)) {
              state.step = entry.step;
              state.status = 'diverged';
              state.stopReason = emit(
                state,
                'diverged',
                `loss is ${loss} at step ${entry.step} (epoch ${epoch + 1}, rate ${learningRate})`,
                { loss: String(loss), learningRate },
              ).message;
              stopped.push(state);
              break;
            }
            state.options.logger?.log({
              kind: 'step',
              epoch: epoch + 1,
              step: entry.step,
              loss,
              learningRate,
            });
            state.options.callbacks?.onBatchEnd?.({
              epoch: epoch + 1,
              step: entry.step,
              batch: entry.batch,
              batches: batchCount,
              loss,
              learningRate,
            });
            state.lossSum += loss;
            state.lossCount += 1;
            state.step = entry.step + 1;
          }
        }
        pending = [];
        freeze(stopped);
      };
      for (const batch of data.epochBatches(epoch, batchSize, seed)) {
        if (batch.index === batchCount - 1) kernelsBefore = kernels.map((kernel) => tf.clone(kernel));
        let losses: tf.Tensor | undefined;
        const { value, grads } = tf.variableGrads(() => {
          const perTrialLoss = tf.mean(perExampleCrossEntropy(forward(batch.inputs), batch.targets), 1);
          losses = tf.keep(perTrialLoss);
          return tf.sum(perTrialLoss) as tf.Scalar;
        }, parameters);
        applyStep(
          parameters.map((parameter) => grads[parameter.name] as tf.Tensor),
          step,
        );
        tf.dispose([value, ...Object.values(grads)]);
        pending.push({ loss: losses as tf.Tensor, step, batch: batch.index });
        step += 1;
        if (pending.length >= chunkSteps) {
          flush();
          if (!states.some(isAlive)) break;
          if (options.signal?.aborted) break;
          if (performance.now() - lastYield > 50) {
            await new Promise<void>((resolve) => setImmediate(resolve));
            lastYield = performance.now();
          }
        }
      }
      flush();
      const interrupted = options.signal?.aborted === true && step < (epoch + 1) * batchCount;
      if (interrupted) {
        tf.dispose(kernelsBefore ?? []);
        for (const state of states.filter(isAlive)) {
          state.status = 'interrupted';
          state.stopReason = emit(
            state,
            'interrupted',
            `interrupted at step ${state.step} (epoch ${epoch + 1})`,
          ).message;
        }
        break;
      }
      const alive = states.filter(isAlive);
      if (alive.length === 0) {
        tf.dispose(kernelsBefore ?? []);
        break;
      }
      // Update:parameter ratio of each layer's kernel over the epoch's last step, per trial.
      const ratios = kernelsBefore
        ? tf.tidy(() => {
            const perLayer = kernels.map((kernel, layer) => {
              const previous = (kernelsBefore as tf.Tensor[])[layer] as tf.Tensor;
              const shape = layer === 0 ? [sizes[0] as number, count, sizes[1] as number] : [count, -1];
              const axes = layer === 0 ? [0, 2] : [1];
              return tf.stack([
                tf.mean(tf.abs(tf.reshape(tf.sub(kernel, previous), shape)), axes),
                tf.mean(tf.abs(tf.reshape(kernel, shape)), axes),
              ]);
            });
            return tf.stack(perLayer);
          })
        : undefined;
      const ratioValues = ratios?.dataSync();
      ratios?.dispose();
      tf.dispose(kernelsBefore ?? []);
      const train = evaluate('train');
      const validation = evaluate('validation');
      const test = first.evaluateTest ? evaluate('test') : states.map(() => undefined);
      const seconds = (performance.now() - epochStarted) / 1000;
      const weightValues = parameters.map((parameter) => parameter.dataSync() as Float32Array);
      const slotValues = slots.map((slot) => slot.dataSync() as Float32Array);
      const toFreeze: TrialState[] = [];
      for (const state of alive) {
        state.epoch = epoch + 1;
        const updateRatios: Record<string, number> = {};
        if (ratioValues)
          layerNames.forEach((name, layer) => {
            const base = layer * 2 * count;
            updateRatios[name] = Math.log10(
              (ratioValues[base + state.index] ?? Number.NaN) /
                (ratioValues[base + count + state.index] ?? Number.NaN),
            );
          });
        const record: EpochRecord = {
          kind: 'epoch',
          epoch: state.epoch,
          step: state.step,
          learningRate: state.optimizer.learningRateAt(Math.max(0, state.step - 1)),
          seconds,
          train: train[state.index] as SplitMetrics,
          ...(validation[state.index] ? { validation: validation[state.index] as SplitMetrics } : {}),
          ...(test[state.index] ? { test: test[state.index] as SplitMetrics } : {}),
          ...(ratioValues ? { updateRatios } : {}),
        };
        state.history.push(record);
        state.options.logger?.log(record);
        state.options.callbacks?.onEpochEnd?.(record);
        const meanLoss = state.lossSum / Math.max(1, state.lossCount);
        const factor = state.options.config.divergenceFactor;
        if (state.bestTrainLoss !== null && meanLoss > factor * state.bestTrainLoss) {
          state.status = 'diverged';
          state.stopReason = emit(
            state,
            'diverged',
            `mean training loss ${meanLoss.toPrecision(4)} in epoch ${state.epoch} exceeds ${factor}× its best (${state.bestTrainLoss.toPrecision(4)})`,
          ).message;
          toFreeze.push(state);
          continue;
        }
        state.bestTrainLoss =
          state.bestTrainLoss === null ? meanLoss : Math.min(state.bestTrainLoss, meanLoss);
        const weights = Object.fromEntries(
          parameterNames.map((name, position) => [
            name,
            trialSlice(weightValues[position] as Float32Array, position, state.index),
          ]),
        );
        state.model.setWeights(weights);
        const finite = Object.values(weights).every((values) => values.every(Number.isFinite));
        if (finite && state.options.saveCheckpoint) {
          const optimizerState: OptimizerState = {
            ...state.optimizer.exportState(),
            step: state.step,
            parameters: Object.fromEntries(
              parameterNames.map((name, position) => [
                name,
                {
                  step: state.step,
                  slots: usesBuffer
                    ? {
                        [slotName]: {
                          shape: [...(state.model.variables[name] as tf.Variable).shape],
                          dtype: 'float32' as const,
                          values: Array.from(
                            trialSlice(slotValues[position] as Float32Array, position, state.index),
                          ),
                        },
                      }
                    : {},
                },
              ]),
            ),
          };
          await state.options.saveCheckpoint(
            {
              format: 'contour.training-checkpoint',
              version: 1,
              epoch: state.epoch,
              step: state.step,
              elapsedSeconds: elapsed(),
              weights: Object.fromEntries(
                Object.entries(weights).map(([name, values]) => [name, Array.from(values)]),
              ),
              optimizer: optimizerState,
              bestTrainLoss: state.bestTrainLoss,
              earlyStopping: null,
            },
            state.model,
          );
        }
      }
      freeze(toFreeze);
    }
  } finally {
    tf.dispose([...parameters, ...slots]);
    data.dispose();
  }
  const seconds = elapsed();
  for (const state of states) {
    if (state.status === 'running') state.status = 'finished';
    state.optimizer.dispose();
    const status = state.status as TrainingResult['status'];
    state.options.logger?.log({
      kind: 'finish',
      status,
      time: new Date().toISOString(),
      epochs: state.epoch,
      steps: state.step,
      seconds,
    });
    const result: TrainingResult = {
      status,
      epochs: state.epoch,
      steps: state.step,
      seconds,
      history: state.history,
      model: state.model,
      ...(state.stopReason ? { stopReason: state.stopReason } : {}),
    };
    state.options.callbacks?.onFinish?.(result);
    results.push(result);
  }
  return results;
}
