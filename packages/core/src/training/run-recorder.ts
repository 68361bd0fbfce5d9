import {
  type EpochRecord,
  type EventRecord,
  type MetricsLogger,
  type MetricsRecord,
  metricsFormatVersion,
  type RunEventKind,
  type RunStatus,
  type SplitMetrics,
} from '@contour/metrics-logger';
import type { OptimizerState } from '@contour/optimizers';
import type { TrainingCheckpoint } from './training-checkpoint.js';
import { weightsToArrays } from './training-checkpoint.js';

/** Called at the end of every optimizer step. */
export interface BatchEndInfo {
  readonly epoch: number;
  readonly step: number;
  readonly batch: number;
  readonly batches: number;
  readonly loss: number;
  readonly learningRate: number;
}

/** How a run ended (what `train` returns as `status`). */
export type TrainingStatus = Exclude<RunStatus, 'running' | 'failed' | 'stopped'>;

/** What a finished (or stopped) run returns; `TModel` is the trained model. */
export interface RunOutcome<TModel> {
  readonly status: TrainingStatus;
  /** Epochs completed. */
  readonly epochs: number;
  readonly steps: number;
  readonly seconds: number;
  readonly history: readonly EpochRecord[];
  /** The trained model (the caller disposes it). */
  readonly model: TModel;
  /** Why the run stopped early, when it did: the event's message. */
  readonly stopReason?: string;
}

/** Events the CLI and the web app both consume. */
export interface RunCallbacks<TModel> {
  onBatchEnd?(info: BatchEndInfo): void;
  onEpochEnd?(record: EpochRecord): void;
  onEvent?(event: EventRecord): void;
  onFinish?(result: RunOutcome<TModel>): void;
}

/** Where one run's records go: the options `train` and each vectorised trial share. */
export interface RunRecorderOptions<TModel> {
  readonly runId?: string;
  /** The whole config as JSON for the run-start record (reproducibility); default: the training config. */
  readonly recordedConfig?: unknown;
  readonly versions?: Readonly<Record<string, string>>;
  readonly logger?: MetricsLogger;
  readonly callbacks?: RunCallbacks<TModel>;
  /** Called after every epoch whose weights are finite (never with non-finite weights). */
  readonly saveCheckpoint?: (checkpoint: TrainingCheckpoint, model: TModel) => void | Promise<void>;
  /**
   * Records logged right after `run-start` (a fresh run only), e.g. the range tests and the
   * `auto-learning-rate` record of a run whose rate was chosen automatically.
   */
  readonly leadingRecords?: readonly MetricsRecord[];
  /**
   * Asked after each epoch before the last, once its checkpoint is saved: a message pauses the run
   * there — it ends as `interrupted` with that message, resumable from that checkpoint — and
   * undefined goes on. A scheduler's hook (successive halving stops trials at its rungs this way).
   */
  readonly pauseAfterEpoch?: (epoch: number) => string | undefined;
}

/** What the recorder needs of the run's config. */
export interface RecordedRun {
  readonly epochs: number;
  /** An epoch whose mean training loss exceeds this factor × the best so far stops the run. */
  readonly divergenceFactor: number;
}

/** The parts of a checkpoint the training loop knows (the recorder adds the stop rules' state). */
export interface CheckpointParts {
  readonly epoch: number;
  readonly step: number;
  readonly elapsedSeconds: number;
  readonly weights: Readonly<Record<string, Float32Array>>;
  readonly optimizer: OptimizerState;
  readonly earlyStopping: TrainingCheckpoint['earlyStopping'];
}

function allFinite(weights: Readonly<Record<string, Float32Array>>): boolean {
  for (const values of Object.values(weights))
    for (const value of values) if (!Number.isFinite(value)) return false;
  return true;
}

/**
 * The life cycle of one training run, as records and callbacks: the run-start record (or a
 * `resumed` event), step records with `onBatchEnd`, events, epoch records with `onEpochEnd`, the
 * divergence rules (a non-finite batch loss; an evaluated training loss that is not finite; an
 * epoch mean loss above `divergenceFactor` × its best), checkpoints of finite weights, and the
 * finish record with `onFinish`. `train` and every trial of `trainVectorised` record through it,
 * so both paths write the same records in the same order.
 */
export class RunRecorder<TModel> {
  readonly history: EpochRecord[] = [];
  /** Best epoch mean training loss so far (null before the first epoch). */
  bestTrainLoss: number | null;
  #status: TrainingStatus = 'finished';
  #stopReason: string | undefined;
  #lossSum = 0;
  #lossCount = 0;

  constructor(
    readonly run: RecordedRun,
    readonly options: RunRecorderOptions<TModel>,
    readonly batchesPerEpoch: number,
    bestTrainLoss: number | null = null,
  ) {
    this.bestTrainLoss = bestTrainLoss;
  }

  /** `finished` until a stop rule, an interruption or an early stop sets it. */
  get status(): TrainingStatus {
    return this.#status;
  }

  get stopReason(): string | undefined {
    return this.#stopReason;
  }

  /** Logs the run-start record (`config` unless `recordedConfig` was given). */
  start(config: unknown): void {
    this.options.logger?.log({
      kind: 'run-start',
      formatVersion: metricsFormatVersion,
      runId: this.options.runId ?? 'run',
      time: new Date().toISOString(),
      config: (this.options.recordedConfig ?? config) as never,
      versions: this.options.versions ?? {},
      epochs: this.run.epochs,
      batchesPerEpoch: this.batchesPerEpoch,
    });
    for (const record of this.options.leadingRecords ?? []) this.options.logger?.log(record);
  }

  /**
   * Logs an event and passes it to `onEvent`. Events during an epoch belong to the epoch in
   * progress; events after its evaluation pass the completed epoch.
   */
  event(
    kind: RunEventKind,
    message: string,
    epoch: number,
    step: number,
    detail?: EventRecord['detail'],
  ): EventRecord {
    const event: EventRecord = {
      kind: 'event',
      event: kind,
      epoch,
      step,
      message,
      ...(detail === undefined ? {} : { detail }),
    };
    this.options.logger?.log(event);
    this.options.callbacks?.onEvent?.(event);
    return event;
  }

  /** Ends the run as `status` with an event whose message becomes the stop reason. */
  stop(
    status: Exclude<TrainingStatus, 'finished'> | 'finished',
    kind: RunEventKind,
    message: string,
    epoch: number,
    step: number,
    detail?: EventRecord['detail'],
  ): void {
    this.#status = status;
    this.#stopReason = this.event(kind, message, epoch, step, detail).message;
  }

  /** Stops the run as interrupted at `step` of (1-based) `epoch`. */
  interrupt(epoch: number, step: number): void {
    this.stop('interrupted', 'interrupted', `interrupted at step ${step} (epoch ${epoch})`, epoch, step);
  }

  /** Resets the epoch's loss sum (call before its first step). */
  beginEpoch(): void {
    this.#lossSum = 0;
    this.#lossCount = 0;
  }

  /**
   * Records a step's batch loss: a non-finite loss stops the run as diverged (returns false, no
   * step record); else the step record, `onBatchEnd` and the epoch's loss sum (returns true).
   */
  step(info: BatchEndInfo): boolean {
    const { epoch, step, loss, learningRate } = info;
    if (!Number.isFinite(loss)) {
      this.stop(
        'diverged',
        'diverged',
        `loss is ${loss} at step ${step} (epoch ${epoch}, rate ${learningRate})`,
        epoch,
        step,
        { loss: String(loss), learningRate },
      );
      return false;
    }
    this.options.logger?.log({ kind: 'step', epoch, step, loss, learningRate });
    this.options.callbacks?.onBatchEnd?.(info);
    this.#lossSum += loss;
    this.#lossCount += 1;
    return true;
  }

  /**
   * Builds the epoch record from its parts (splits and ratios only when present) and records it
   * with {@link epoch}; returns what `epoch` returns.
   */
  endEpoch(parts: {
    readonly epoch: number;
    readonly step: number;
    readonly learningRate: number;
    readonly seconds: number;
    readonly train: SplitMetrics;
    readonly validation?: SplitMetrics | undefined;
    readonly test?: SplitMetrics | undefined;
    readonly updateRatios?: Readonly<Record<string, number>> | undefined;
  }): boolean {
    const { validation, test, updateRatios, ...required } = parts;
    return this.epoch({
      kind: 'epoch',
      ...required,
      ...(validation ? { validation } : {}),
      ...(test ? { test } : {}),
      ...(updateRatios ? { updateRatios: { ...updateRatios } } : {}),
    });
  }

  /**
   * Records an evaluated epoch and applies the epoch's divergence rules: returns false (and stops
   * the run as diverged) when the evaluated training loss is not finite or the epoch's mean batch
   * loss exceeds `divergenceFactor` × its best; else updates the best and returns true.
   */
  epoch(record: EpochRecord): boolean {
    this.history.push(record);
    this.options.logger?.log(record);
    this.options.callbacks?.onEpochEnd?.(record);
    const { epoch, step, train } = record;
    const evaluatedLoss = train.loss ?? train.crossEntropy ?? Number.NaN;
    if (!Number.isFinite(evaluatedLoss)) {
      // Every batch loss was finite, but the weights now give a non-finite loss on the split.
      this.stop(
        'diverged',
        'diverged',
        `training loss is ${evaluatedLoss} after epoch ${epoch}`,
        epoch,
        step,
      );
      return false;
    }
    const meanLoss = this.#lossSum / Math.max(1, this.#lossCount);
    const factor = this.run.divergenceFactor;
    if (this.bestTrainLoss !== null && meanLoss > factor * this.bestTrainLoss) {
      this.stop(
        'diverged',
        'diverged',
        `mean training loss ${meanLoss.toPrecision(4)} in epoch ${epoch} exceeds ${factor}× its best (${this.bestTrainLoss.toPrecision(4)})`,
        epoch,
        step,
      );
      return false;
    }
    this.bestTrainLoss = this.bestTrainLoss === null ? meanLoss : Math.min(this.bestTrainLoss, meanLoss);
    return true;
  }

  /** Whether checkpoints are wanted (so the loop reads weights back only then). */
  get checkpoints(): boolean {
    return this.options.saveCheckpoint !== undefined;
  }

  /** Saves a checkpoint when checkpoints are wanted and every weight is finite. */
  async checkpoint(parts: CheckpointParts, model: TModel): Promise<void> {
    const save = this.options.saveCheckpoint;
    if (save === undefined || !allFinite(parts.weights)) return;
    await save(
      {
        format: 'contour.training-checkpoint',
        version: 1,
        epoch: parts.epoch,
        step: parts.step,
        elapsedSeconds: parts.elapsedSeconds,
        weights: weightsToArrays(parts.weights),
        optimizer: parts.optimizer,
        bestTrainLoss: this.bestTrainLoss,
        earlyStopping: parts.earlyStopping,
      },
      model,
    );
  }

  /**
   * Asks `pauseAfterEpoch` after `epoch` (not after the last): with a message, stops the run as
   * `interrupted` with it and returns true.
   */
  pauseAfter(epoch: number, step: number): boolean {
    if (epoch >= this.run.epochs) return false;
    const message = this.options.pauseAfterEpoch?.(epoch);
    if (message === undefined) return false;
    this.stop('interrupted', 'interrupted', message, epoch, step);
    return true;
  }

  /** Logs the finish record, calls `onFinish` and returns the outcome. */
  finish(epochs: number, steps: number, seconds: number, model: TModel): RunOutcome<TModel> {
    this.options.logger?.log({
      kind: 'finish',
      status: this.#status,
      time: new Date().toISOString(),
      epochs,
      steps,
      seconds,
    });
    const result: RunOutcome<TModel> = {
      status: this.#status,
      epochs,
      steps,
      seconds,
      history: this.history,
      model,
      ...(this.#stopReason ? { stopReason: this.#stopReason } : {}),
    };
    this.options.callbacks?.onFinish?.(result);
    return result;
  }
}

/**
 * Lets other work run (timers, I/O, a UI) during a long loop: a macrotask via MessageChannel
 * where it exists (browsers, Web Workers, Node ≥ 15), else `setTimeout(0)`. Never `setImmediate`,
 * which Web Workers lack.
 */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => {
    if (typeof MessageChannel === 'function') {
      const channel = new MessageChannel();
      // The DOM's `onmessage` (Node's MessagePort has it too, at run time): it also starts the port.
      (channel.port1 as unknown as { onmessage: (() => void) | null }).onmessage = () => {
        channel.port1.close();
        resolve();
      };
      channel.port2.postMessage(undefined);
    } else {
      setTimeout(resolve, 0);
    }
  });
}
