import {
  isSchedule,
  type Schedule,
  type ScheduleRegistry,
  type ScheduleSpec,
  ScheduleSpecError,
  toSchedule,
} from '@contour/schedules';
import type * as tf from '@tensorflow/tfjs-core';
import { Callback } from '@tensorflow/tfjs-layers';
import { checkOptionNames, LayersOptionError } from './layers-error.js';
import { getLearningRate, scaledByPlateau, setLearningRate } from './optimizer-learning-rate.js';
import { type CallbackLogs, resolveLogs } from './resolve-logs.js';

/** What the scheduler's t counts. */
export type SchedulerUnit = 'batch' | 'epoch';

/** Options of {@link learningRateScheduler}. */
export interface LearningRateSchedulerOptions {
  /**
   * What the schedule's t counts: `'batch'` (optimizer steps) or `'epoch'`. Default: the spec's own
   * `unit` (`"step"` means batch) when the JSON spec states one, a created Schedule's `unit`, else
   * `'epoch'` (as Keras' `LearningRateScheduler`).
   */
  readonly unit?: SchedulerUnit;
  /** Registry that builds plugin schedule types in a JSON spec (`createScheduleRegistry({ plugins })`). */
  readonly registry?: ScheduleRegistry;
  /**
   * Batches already taken before this `fit` (unit `'batch'`), e.g. when continuing a reloaded
   * model; default 0. (With unit `'epoch'` t is the epoch index tfjs passes, which follows `fit`'s
   * `initialEpoch`.) The count carries on across several `fit` calls with the same callback.
   */
  readonly initialStep?: number;
  /**
   * A metric of the epoch logs (e.g. `'val_loss'`) fed to a stateful schedule (Contour's
   * `reduceOnPlateau` spec) at every epoch end; ignored by pure schedules.
   */
  readonly monitor?: string;
}

const schedulerOptionNames = ['unit', 'registry', 'initialStep', 'monitor'] as const satisfies ReadonlyArray<
  keyof LearningRateSchedulerOptions
>;

/**
 * The callback {@link learningRateScheduler} returns: sets the optimizer's rate to
 * `schedule.value(t)` before every batch or epoch and adds the rate used to the epoch logs (`lr`).
 */
export class LearningRateScheduler extends Callback {
  /** The schedule it follows. */
  readonly schedule: Schedule;
  /** What t counts. */
  readonly unit: SchedulerUnit;
  readonly #monitor: string | undefined;
  #step: number;
  #epoch = 0;
  #lastRate: number | undefined;

  constructor(schedule: number | ScheduleSpec | Schedule, options: LearningRateSchedulerOptions = {}) {
    super();
    checkOptionNames('learningRateScheduler', options, schedulerOptionNames);
    this.schedule = buildSchedule(schedule, options.registry);
    this.unit = resolveUnit(schedule, this.schedule, options.unit);
    const initialStep = options.initialStep ?? 0;
    if (!Number.isInteger(initialStep) || initialStep < 0)
      throw new LayersOptionError('learningRateScheduler', 'initialStep', 'an integer ≥ 0', initialStep);
    if (options.monitor !== undefined && (typeof options.monitor !== 'string' || options.monitor === ''))
      throw new LayersOptionError(
        'learningRateScheduler',
        'monitor',
        'a metric name like "val_loss"',
        options.monitor,
      );
    this.#step = initialStep;
    this.#monitor = options.monitor;
  }

  /** Batches counted so far (the t of a `'batch'` schedule for the next batch). */
  get step(): number {
    return this.#step;
  }

  /** The rate this callback set last (undefined before the first batch or epoch). */
  get learningRate(): number | undefined {
    return this.#lastRate;
  }

  override async onEpochBegin(epoch: number): Promise<void> {
    this.#epoch = epoch;
    if (this.unit === 'epoch') this.#apply(epoch);
  }

  override async onBatchBegin(): Promise<void> {
    if (this.unit === 'batch') this.#apply(this.#step);
  }

  override async onBatchEnd(): Promise<void> {
    this.#step += 1;
  }

  override async onEpochEnd(epoch: number, logs?: CallbackLogs): Promise<void> {
    const resolved = await resolveLogs(logs);
    if (logs) logs.lr = this.#lastRate ?? getLearningRate(this.#optimizer());
    if (this.#monitor !== undefined && this.schedule.stateful) {
      const metric = resolved[this.#monitor];
      if (typeof metric === 'number')
        this.schedule.observe(metric, this.unit === 'epoch' ? epoch : this.#step);
    }
  }

  #apply(t: number): void {
    const optimizer = this.#optimizer();
    const rate = scaledByPlateau(optimizer, this.schedule.value(t));
    setLearningRate(optimizer, rate);
    this.#lastRate = rate;
  }

  #optimizer(): tf.Optimizer {
    const optimizer = this.model?.optimizer;
    if (!optimizer)
      throw new Error('learningRateScheduler: the model has no optimizer; call model.compile first');
    return optimizer;
  }

  /** The epoch index of the latest `onEpochBegin`. */
  get epoch(): number {
    return this.#epoch;
  }
}

function buildSchedule(schedule: unknown, registry: ScheduleRegistry | undefined): Schedule {
  if (typeof schedule === 'number' && !(Number.isFinite(schedule) && schedule >= 0))
    throw new LayersOptionError(
      'learningRateScheduler',
      'schedule',
      'a finite rate ≥ 0, a schedule spec or a Schedule',
      schedule,
    );
  if (typeof schedule !== 'number' && (typeof schedule !== 'object' || schedule === null))
    throw new LayersOptionError(
      'learningRateScheduler',
      'schedule',
      'a schedule spec like {"type": "cosine", ...}, a Schedule or a number',
      schedule,
    );
  try {
    return toSchedule(schedule as number | ScheduleSpec | Schedule, registry ? { registry } : {});
  } catch (error) {
    if (error instanceof ScheduleSpecError)
      throw new LayersOptionError(
        'learningRateScheduler',
        error.field === 'spec' ? 'schedule' : `schedule.${error.field}`,
        error.allowed,
        error.received,
      );
    throw error;
  }
}

function resolveUnit(given: unknown, schedule: Schedule, unit: unknown): SchedulerUnit {
  if (unit !== undefined) {
    if (unit !== 'batch' && unit !== 'epoch')
      throw new LayersOptionError('learningRateScheduler', 'unit', '"batch" or "epoch"', unit);
    return unit;
  }
  if (isSchedule(given)) return schedule.unit === 'epoch' ? 'epoch' : 'batch';
  if (typeof given === 'object' && given !== null && 'unit' in given)
    return (given as ScheduleSpec).unit === 'step' ? 'batch' : 'epoch';
  return 'epoch';
}

/**
 * A tfjs-layers callback for `model.fit`/`fitDataset` that sets the learning rate from a Contour
 * schedule before every batch or every epoch, Keras' `LearningRateScheduler` for TensorFlow.js.
 *
 * - `schedule`: any Contour schedule spec (`{"type": "cosine", "lr": 0.1, "tMax": 10}`, warmups,
 *   chains, plugin types with `options.registry`), a created `Schedule`, or a number.
 * - t is the epoch index (unit `'epoch'`, the default for a spec without `unit`) or the number of
 *   batches taken (unit `'batch'`).
 * - The rate really takes effect on every optimizer: `tf.train.sgd` and `tf.train.momentum` through
 *   their `setLearningRate` (they cache −rate in a tensor and ignore the `learningRate` field),
 *   `adam`, `adamax`, `rmsprop`, `adagrad`, `adadelta` through their field, Contour optimizers
 *   (`toTfOptimizer`) through `ContourOptimizer.setLearningRate`. Optimizer state (moments,
 *   accumulators, step counts) is kept.
 * - Adds the rate used during the epoch to the epoch logs as `lr` (Keras adds `learning_rate`), so
 *   `History` and later callbacks see it.
 * - With {@link reduceLROnPlateau} on the same model the two compose: each plateau reduction
 *   multiplies every later scheduled value by `factor` (floored at the plateau's `minLr`).
 *
 * @example
 * model.compile({ optimizer: tf.train.momentum(0.1, 0.9), loss: 'categoricalCrossentropy' });
 * await model.fit(x, y, { epochs: 20, callbacks: [
 *   learningRateScheduler({ type: 'warmup', lr: 0.1, steps: 2, schedule: { type: 'cosine', tMax: 18 } }),
 * ] });
 *
 * @throws LayersOptionError naming the field (`schedule.<field>` for a bad spec, `unit`, `initialStep`, `monitor`).
 */
export function learningRateScheduler(
  schedule: number | ScheduleSpec | Schedule,
  options: LearningRateSchedulerOptions = {},
): LearningRateScheduler {
  return new LearningRateScheduler(schedule, options);
}
