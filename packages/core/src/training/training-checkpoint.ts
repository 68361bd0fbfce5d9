import type { OptimizerState } from '@contour/optimizers';

/**
 * Everything a run needs to continue exactly where an epoch ended: weights, optimizer state (slots,
 * step counts, schedule state), the stop rules' state and the clocks. The data order and dropout
 * masks derive from (seed, epoch) and (seed, step), so nothing else is needed for a resumed run to
 * give the same numbers as an uninterrupted one on the cpu backend. Plain JSON (float32 values are
 * exact as JS numbers).
 */
export interface TrainingCheckpoint {
  readonly format: 'contour.training-checkpoint';
  readonly version: 1;
  /** Epochs completed (1-based count). */
  readonly epoch: number;
  /** Steps taken. */
  readonly step: number;
  readonly elapsedSeconds: number;
  readonly weights: Readonly<Record<string, readonly number[]>>;
  readonly optimizer: OptimizerState;
  /** Best epoch mean training loss so far (divergence rule); null before the first epoch. */
  readonly bestTrainLoss: number | null;
  readonly earlyStopping: {
    readonly bestValue: number | null;
    readonly bestEpoch: number;
    readonly badEpochs: number;
    readonly bestWeights: Readonly<Record<string, readonly number[]>> | null;
  } | null;
}

/** Converts weights to/from the plain arrays a checkpoint holds. */
export function weightsToArrays(weights: Readonly<Record<string, Float32Array>>): Record<string, number[]> {
  return Object.fromEntries(Object.entries(weights).map(([name, values]) => [name, Array.from(values)]));
}

export function arraysToWeights(
  weights: Readonly<Record<string, readonly number[]>>,
): Record<string, Float32Array> {
  return Object.fromEntries(
    Object.entries(weights).map(([name, values]) => [name, Float32Array.from(values)]),
  );
}
