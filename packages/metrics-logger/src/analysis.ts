import type { EpochRecord, FinishRecord, MetricsRecord, RunStatus, SplitMetrics } from './records.js';

/** A metric of a split. */
export type MetricName = keyof SplitMetrics;
/** A data split. */
export type SplitName = 'train' | 'validation' | 'test';

/** A value per epoch. */
export interface EpochValue {
  readonly epoch: number;
  readonly value: number;
}

/**
 * The epoch records of a log in epoch order, one per epoch (a later record of the same epoch
 * replaces an earlier one, as after a resume).
 */
export function epochRecords(records: readonly MetricsRecord[]): EpochRecord[] {
  const byEpoch = new Map<number, EpochRecord>();
  for (const record of records) if (record.kind === 'epoch') byEpoch.set(record.epoch, record);
  return [...byEpoch.values()].sort((a, b) => a.epoch - b.epoch);
}

/** The values of one metric of one split, per epoch, where present (non-finite values kept). */
export function metricSeries(
  epochs: readonly EpochRecord[],
  split: SplitName,
  metric: MetricName,
): EpochValue[] {
  return epochs.flatMap((record) => {
    const value = record[split]?.[metric];
    return value === undefined ? [] : [{ epoch: record.epoch, value }];
  });
}

/** The epoch with the lowest finite value of a metric (highest with `mode: 'max'`); ties go to the earliest. */
export function bestEpoch(
  epochs: readonly EpochRecord[],
  split: SplitName = 'validation',
  metric: MetricName = 'crossEntropy',
  mode: 'min' | 'max' = 'min',
): EpochValue | undefined {
  let best: EpochValue | undefined;
  for (const point of metricSeries(epochs, split, metric)) {
    if (!Number.isFinite(point.value) || point.epoch < 1) continue;
    if (!best || (mode === 'min' ? point.value < best.value : point.value > best.value)) best = point;
  }
  return best;
}

/** Validation minus training value of a metric at the last epoch that has both (finite). */
export function overfittingGap(
  epochs: readonly EpochRecord[],
  metric: MetricName = 'crossEntropy',
): number | undefined {
  for (let index = epochs.length - 1; index >= 0; index -= 1) {
    const record = epochs[index] as EpochRecord;
    const train = record.train[metric];
    const validation = record.validation?.[metric];
    if (
      train !== undefined &&
      validation !== undefined &&
      Number.isFinite(train) &&
      Number.isFinite(validation)
    ) {
      return validation - train;
    }
  }
  return undefined;
}

/**
 * The epoch a run diverged in: the epoch of its first `diverged` event, or else of the first epoch
 * whose training loss is not finite. Undefined when it never diverged.
 */
export function divergenceEpoch(records: readonly MetricsRecord[]): number | undefined {
  const event = records.find((record) => record.kind === 'event' && record.event === 'diverged');
  if (event?.kind === 'event') return event.epoch;
  const nonFinite = epochRecords(records).find((record) => {
    const value = record.train.crossEntropy ?? record.train.loss;
    return value !== undefined && !Number.isFinite(value);
  });
  return nonFinite?.epoch;
}

/** How often a curve went up: rises among consecutive finite pairs. */
export interface Oscillation {
  readonly rises: number;
  readonly comparisons: number;
  /** rises / comparisons (0 for fewer than two finite values). */
  readonly fraction: number;
}

/** Counts the epochs in which a loss rose against the epoch before (finite pairs only). */
export function oscillation(values: readonly number[]): Oscillation {
  let rises = 0;
  let comparisons = 0;
  for (let index = 1; index < values.length; index += 1) {
    const previous = values[index - 1] as number;
    const current = values[index] as number;
    if (!Number.isFinite(previous) || !Number.isFinite(current)) continue;
    comparisons += 1;
    if (current > previous) rises += 1;
  }
  return { rises, comparisons, fraction: comparisons === 0 ? 0 : rises / comparisons };
}

/**
 * Convergence speed: the first epoch by which the curve achieved `fraction` (default 0.9) of its
 * total improvement, first value − best value. Undefined when it never improved.
 */
export function convergenceEpoch(series: readonly EpochValue[], fraction = 0.9): number | undefined {
  const finite = series.filter((point) => Number.isFinite(point.value));
  const first = finite[0];
  if (!first) return undefined;
  const best = Math.min(...finite.map((point) => point.value));
  if (!(best < first.value)) return undefined;
  const target = first.value - fraction * (first.value - best);
  return finite.find((point) => point.value <= target)?.epoch;
}

/** The numbers a sweep table and a run summary show. */
export interface RunSummary {
  readonly status: RunStatus;
  /** Why the run failed or is not running, when its other files say so (see {@link RunState}). */
  readonly statusMessage?: string;
  readonly epochs: number;
  readonly steps: number;
  readonly seconds: number | undefined;
  readonly final: { readonly train: SplitMetrics; readonly validation: SplitMetrics | undefined };
  readonly bestValidationCrossEntropy: EpochValue | undefined;
  readonly bestValidationError: EpochValue | undefined;
  readonly bestTrainCrossEntropy: EpochValue | undefined;
  readonly divergedAtEpoch: number | undefined;
  /** Final validation − train cross entropy. */
  readonly overfitGap: number | undefined;
  readonly trainOscillation: Oscillation;
  readonly convergenceEpoch: number | undefined;
}

/**
 * Where a run stands according to its directory's other files (status.json, the writer's lock),
 * for a log that has no finish record: e.g. `failed` with the error's first line.
 */
export interface RunState {
  readonly status: RunStatus;
  readonly message?: string;
}

/**
 * Summarises a run's records (any order; the last epoch record of each epoch counts). The status
 * is the finish record's; without one it is `state` when given (a run that failed before writing
 * its finish record, or whose writer is gone), else `diverged` when the loss diverged, else
 * `running`.
 */
export function summarizeRun(records: readonly MetricsRecord[], state?: RunState): RunSummary {
  const epochs = epochRecords(records).filter((record) => record.epoch >= 1);
  const finish = [...records].reverse().find((record): record is FinishRecord => record.kind === 'finish');
  const last = epochs[epochs.length - 1];
  const divergedAtEpoch = divergenceEpoch(records);
  const trainCrossEntropy = metricSeries(epochs, 'train', 'crossEntropy');
  const fromState = finish === undefined ? state : undefined;
  const status: RunStatus =
    finish?.status ?? fromState?.status ?? (divergedAtEpoch !== undefined ? 'diverged' : 'running');
  return {
    status,
    ...(fromState?.message === undefined ? {} : { statusMessage: fromState.message }),
    epochs: finish?.epochs ?? last?.epoch ?? 0,
    steps: finish?.steps ?? last?.step ?? 0,
    seconds: finish?.seconds,
    final: { train: last?.train ?? {}, validation: last?.validation },
    bestValidationCrossEntropy: bestEpoch(epochs, 'validation', 'crossEntropy'),
    bestValidationError: bestEpoch(epochs, 'validation', 'classificationError'),
    bestTrainCrossEntropy: bestEpoch(epochs, 'train', 'crossEntropy'),
    divergedAtEpoch,
    overfitGap: overfittingGap(epochs),
    trainOscillation: oscillation(trainCrossEntropy.map((point) => point.value)),
    convergenceEpoch: convergenceEpoch(trainCrossEntropy),
  };
}
