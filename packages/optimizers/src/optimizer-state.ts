import type { JsonValue } from '@contour/schedules';
import type * as tf from '@tensorflow/tfjs-core';

/** A tensor saved as plain JSON: float32 values (exact as JS numbers) in row-major order. */
export interface SavedTensor {
  readonly shape: readonly number[];
  readonly dtype: 'float32';
  readonly values: readonly number[];
}

/**
 * Everything an optimizer needs to continue exactly where it stopped (optax-style plain state):
 * counters, the rate (number or schedule spec) and the schedule's own state, and every slot of
 * every parameter with its own step count. JSON-serialisable when slots are SavedTensor.
 */
export interface OptimizerState {
  readonly format: 'contour.optimizer-state';
  readonly version: 1;
  /** The optimizer type that saved it; importState refuses another type. */
  readonly type: string;
  /** The rate in effect: a number or a normalised schedule spec. */
  readonly learningRate: JsonValue;
  /** The schedule's `getState()` (null for pure schedules). */
  readonly scheduleState: JsonValue;
  readonly step: number;
  readonly skippedSteps: number;
  readonly consecutiveSkips: number;
  readonly diverged: boolean;
  readonly parameters: Readonly<
    Record<
      string,
      { readonly step: number; readonly slots: Readonly<Record<string, SavedTensor | tf.Tensor>> }
    >
  >;
}
