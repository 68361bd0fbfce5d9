import type { MetricsRecord } from '@contour/metrics-logger';

/** The records of a small finished run, as the trainer logs them (2 epochs, 2 steps each). */
export function sampleRunRecords(
  runId: string,
  rate: number,
  losses: readonly number[] = [2.1, 1.4],
): MetricsRecord[] {
  const records: MetricsRecord[] = [
    {
      kind: 'run-start',
      formatVersion: 1,
      runId,
      time: '2026-11-01T10:00:00.000Z',
      config: { training: { optimizer: { type: 'sgd', lr: rate } } },
      versions: { contour: '0.1.0' },
      epochs: losses.length,
      batchesPerEpoch: 2,
    },
  ];
  losses.forEach((loss, index) => {
    const epoch = index + 1;
    records.push(
      { kind: 'step', epoch, step: 2 * index, loss: loss + 0.2, learningRate: rate },
      { kind: 'step', epoch, step: 2 * index + 1, loss, learningRate: rate },
      {
        kind: 'epoch',
        epoch,
        step: 2 * epoch,
        learningRate: rate,
        seconds: 0.5,
        train: { crossEntropy: loss, classificationError: loss / 10 },
        validation: { crossEntropy: loss + 0.1, classificationError: loss / 10 + 0.01 },
      },
    );
  });
  const diverged = losses.some((loss) => !Number.isFinite(loss));
  records.push({
    kind: 'finish',
    status: diverged ? 'diverged' : 'finished',
    time: '2026-11-01T10:00:05.000Z',
    epochs: losses.length,
    steps: 2 * losses.length,
    seconds: 5,
  });
  return records;
}
