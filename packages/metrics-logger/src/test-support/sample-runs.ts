import type { EpochRecord, MetricsRecord } from '../records.js';

/** An epoch record with train/validation cross entropy and error. */
export function epoch(
  number: number,
  train: [number, number],
  validation?: [number, number],
  extra: Partial<EpochRecord> = {},
): EpochRecord {
  return {
    kind: 'epoch',
    epoch: number,
    step: number * 10,
    learningRate: 0.1,
    seconds: 0.5,
    train: { crossEntropy: train[0], classificationError: train[1] },
    ...(validation
      ? { validation: { crossEntropy: validation[0], classificationError: validation[1] } }
      : {}),
    ...extra,
  };
}

/** A run that learns steadily and then overfits a little. */
export const steadyRun: MetricsRecord[] = [
  {
    kind: 'run-start',
    formatVersion: 1,
    runId: 'steady',
    time: '2026-11-29T00:00:00.000Z',
    config: { lr: 0.1 },
    versions: {},
  },
  epoch(1, [1.0, 0.3], [1.1, 0.32]),
  epoch(2, [0.6, 0.2], [0.7, 0.22]),
  epoch(3, [0.4, 0.12], [0.65, 0.2]),
  epoch(4, [0.3, 0.1], [0.68, 0.21]),
  { kind: 'finish', status: 'finished', time: '2026-11-29T00:00:02.000Z', epochs: 4, steps: 40, seconds: 2 },
];

/** A run whose loss oscillates and then turns to NaN in epoch 4. */
export const divergingRun: MetricsRecord[] = [
  {
    kind: 'run-start',
    formatVersion: 1,
    runId: 'diverging',
    time: '2026-11-29T00:00:00.000Z',
    config: { lr: 1 },
    versions: {},
  },
  epoch(1, [2.0, 0.5], [2.1, 0.5]),
  epoch(2, [2.5, 0.6], [2.4, 0.6]),
  epoch(3, [1.8, 0.5], [2.0, 0.55]),
  { kind: 'event', event: 'diverged', epoch: 4, step: 35, message: 'loss is NaN at step 35' },
  epoch(4, [Number.NaN, 0.9], [Number.NaN, 0.9]),
  { kind: 'finish', status: 'diverged', time: '2026-11-29T00:00:02.000Z', epochs: 4, steps: 35, seconds: 2 },
];
