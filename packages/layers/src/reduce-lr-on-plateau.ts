import type * as tf from '@tensorflow/tfjs-core';
import { Callback } from '@tensorflow/tfjs-layers';
import { checkOptionNames, LayersOptionError } from './layers-error.js';
import {
  getLearningRate,
  plateauScalingOf,
  setLearningRate,
  setPlateauScaling,
} from './optimizer-learning-rate.js';
import { type CallbackLogs, resolveLogs } from './resolve-logs.js';

/** Options of {@link reduceLROnPlateau}: Keras 3's `ReduceLROnPlateau` arguments, in camelCase. */
export interface ReduceLROnPlateauOptions {
  /** The epoch-log metric to watch; default `'val_loss'` (needs validation data in `fit`). */
  readonly monitor?: string;
  /** new rate = rate × factor; a number in [0, 1); default 0.1. */
  readonly factor?: number;
  /** Epochs without improvement before a reduction, an integer ≥ 0; default 10. */
  readonly patience?: number;
  /** `'min'`, `'max'`, or `'auto'` (default: max when the monitor's name contains "acc", else min). */
  readonly mode?: 'auto' | 'min' | 'max';
  /** Absolute change that counts as an improvement, ≥ 0; default 1e-4. */
  readonly minDelta?: number;
  /** Epochs after a reduction during which waiting is suspended, an integer ≥ 0; default 0. */
  readonly cooldown?: number;
  /** Lower bound of the rate, ≥ 0; default 0. */
  readonly minLr?: number;
  /** Print a line when the rate is reduced; default false. */
  readonly verbose?: boolean;
}

const plateauOptionNames = [
  'monitor',
  'factor',
  'patience',
  'mode',
  'minDelta',
  'cooldown',
  'minLr',
  'verbose',
] as const satisfies ReadonlyArray<keyof ReduceLROnPlateauOptions>;

/** The plateau callback's counters, as Keras names them (for inspection and tests). */
export interface PlateauCounters {
  readonly best: number;
  readonly wait: number;
  readonly cooldownCounter: number;
}

/** The callback {@link reduceLROnPlateau} returns. */
export class ReduceLROnPlateau extends Callback {
  readonly monitor: string;
  readonly factor: number;
  readonly patience: number;
  readonly mode: 'min' | 'max';
  readonly minDelta: number;
  readonly cooldown: number;
  readonly minLr: number;
  readonly #verbose: boolean;
  #best = Number.POSITIVE_INFINITY;
  #wait = 0;
  #cooldownCounter = 0;
  #warnedMissing = false;

  constructor(options: ReduceLROnPlateauOptions = {}) {
    super();
    const owner = 'reduceLROnPlateau';
    checkOptionNames(owner, options, plateauOptionNames);
    this.monitor = options.monitor ?? 'val_loss';
    if (typeof this.monitor !== 'string' || this.monitor === '')
      throw new LayersOptionError(owner, 'monitor', 'a metric name like "val_loss"', options.monitor);
    this.factor = options.factor ?? 0.1;
    if (typeof this.factor !== 'number' || !(this.factor >= 0 && this.factor < 1))
      throw new LayersOptionError(
        owner,
        'factor',
        'a number in [0, 1) (Keras refuses factor ≥ 1)',
        options.factor,
      );
    this.patience = integerAtLeastZero(owner, 'patience', options.patience ?? 10);
    this.cooldown = integerAtLeastZero(owner, 'cooldown', options.cooldown ?? 0);
    this.minDelta = numberAtLeastZero(owner, 'minDelta', options.minDelta ?? 1e-4);
    this.minLr = numberAtLeastZero(owner, 'minLr', options.minLr ?? 0);
    const mode = options.mode ?? 'auto';
    if (mode !== 'auto' && mode !== 'min' && mode !== 'max')
      throw new LayersOptionError(owner, 'mode', '"auto", "min" or "max"', mode);
    this.mode = mode === 'min' || (mode === 'auto' && !this.monitor.includes('acc')) ? 'min' : 'max';
    this.#verbose = options.verbose === true;
    this.#reset();
  }

  /** best, wait and cooldownCounter, as in Keras. */
  get counters(): PlateauCounters {
    return { best: this.#best, wait: this.#wait, cooldownCounter: this.#cooldownCounter };
  }

  override async onTrainBegin(): Promise<void> {
    this.#reset();
  }

  override async onEpochEnd(epoch: number, logs?: CallbackLogs): Promise<void> {
    const resolved = await resolveLogs(logs);
    const optimizer = this.#optimizer();
    const rate = getLearningRate(optimizer);
    // Keras logs the rate in effect during this epoch, before any reduction.
    if (logs) logs.lr = rate;
    const current = resolved[this.monitor];
    if (typeof current !== 'number') {
      if (!this.#warnedMissing)
        console.warn(
          `reduceLROnPlateau: the metric "${this.monitor}" is not in the epoch logs (available: ${Object.keys(resolved).join(', ')}); the rate is left alone`,
        );
      this.#warnedMissing = true;
      return;
    }
    this.observe(current, optimizer, epoch);
  }

  /**
   * One epoch end of Keras' algorithm, for a metric value and an optimizer (what `onEpochEnd` runs
   * after reading the logs): the cooldown countdown, then the comparison with the best, then a
   * reduction `max(rate × factor, minLr)` when `wait ≥ patience` and the rate is above `minLr`
   * (compared in float32, as Keras' float32 rate variable). Returns the new rate when it reduced.
   */
  observe(current: number, optimizer: tf.Optimizer, epoch = 0): number | undefined {
    if (this.#cooldownCounter > 0) {
      this.#cooldownCounter -= 1;
      this.#wait = 0;
    }
    if (this.#improves(current)) {
      this.#best = current;
      this.#wait = 0;
      return undefined;
    }
    if (this.#cooldownCounter > 0) return undefined;
    this.#wait += 1;
    if (this.#wait < this.patience) return undefined;
    const oldRate = Math.fround(getLearningRate(optimizer));
    if (!(oldRate > Math.fround(this.minLr))) return undefined;
    const newRate = Math.max(oldRate * this.factor, this.minLr);
    const scaling = plateauScalingOf(optimizer);
    setPlateauScaling(optimizer, {
      factor: oldRate > 0 ? (scaling.factor * newRate) / oldRate : 0,
      floor: this.minLr,
    });
    setLearningRate(optimizer, newRate);
    if (this.#verbose)
      console.log(`Epoch ${epoch + 1}: reduceLROnPlateau reducing learning rate to ${newRate}.`);
    this.#cooldownCounter = this.cooldown;
    this.#wait = 0;
    return newRate;
  }

  #improves(current: number): boolean {
    return this.mode === 'min' ? current < this.#best - this.minDelta : current > this.#best + this.minDelta;
  }

  #reset(): void {
    this.#best = this.mode === 'min' ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
    this.#wait = 0;
    this.#cooldownCounter = 0;
  }

  #optimizer(): tf.Optimizer {
    const optimizer = this.model?.optimizer;
    if (!optimizer)
      throw new Error('reduceLROnPlateau: the model has no optimizer; call model.compile first');
    return optimizer;
  }
}

function integerAtLeastZero(owner: string, field: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0)
    throw new LayersOptionError(owner, field, 'an integer ≥ 0', value);
  return value;
}

function numberAtLeastZero(owner: string, field: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0)
    throw new LayersOptionError(owner, field, 'a finite number ≥ 0', value);
  return value;
}

/**
 * A tfjs-layers callback that lowers the learning rate when a metric stops improving: Keras 3's
 * `ReduceLROnPlateau`, the same rate sequence for the same metric sequence. At each epoch end: if
 * in cooldown, count it down and reset `wait`; if the metric improved by more than `minDelta`
 * (mode min: `current < best − minDelta`; max: `current > best + minDelta`), remember it and reset
 * `wait`; otherwise, outside cooldown, `wait += 1`, and once `wait ≥ patience` and the rate is
 * above `minLr`: rate ← `max(rate × factor, minLr)`, cooldown starts, `wait` ← 0. Counters reset at
 * every `fit` start (Keras' `on_train_begin`). Adds the epoch's rate (before a reduction) to the
 * logs as `lr`. Works on every tfjs optimizer and on Contour optimizers (see `setLearningRate`).
 *
 * With {@link learningRateScheduler} on the same model, a reduction multiplies every later
 * scheduled value by `factor` (rate = `max(schedule(t) × factor^k, minLr)` after k reductions), so
 * a warmup or cosine keeps its shape and the two never overwrite each other.
 *
 * @example
 * await model.fit(x, y, { epochs: 50, validationSplit: 0.1,
 *   callbacks: [reduceLROnPlateau({ monitor: 'val_loss', factor: 0.5, patience: 3, minLr: 1e-5 })] });
 *
 * @throws LayersOptionError naming the field: `factor` outside [0, 1), negative or fractional
 *   `patience`/`cooldown`, negative `minDelta`/`minLr`, an unknown `mode`.
 */
export function reduceLROnPlateau(options: ReduceLROnPlateauOptions = {}): ReduceLROnPlateau {
  return new ReduceLROnPlateau(options);
}
