import {
  type EpochRecord,
  MemorySink,
  type MetricsRecord,
  parseMetricsJsonl,
  serializeRecord,
} from '@contour/metrics-logger';
import { beforeAll, describe, expect, it } from 'vitest';
import { contourLogger } from './contour-logger.js';
import { learningRateScheduler } from './learning-rate-scheduler.js';
import { cpuBackend, singleWeightModel, tf, tfl } from './test-support/tiny-model.js';

beforeAll(cpuBackend);

function classification(count = 40): { x: tf.Tensor2D; y: tf.Tensor2D } {
  return tf.tidy(() => {
    const values = Array.from({ length: count * 4 }, (_, index) => Math.sin(index * 0.37));
    const x = tf.tensor2d(values, [count, 4]);
    const labels = Array.from({ length: count }, (_, index) => ((values[index * 4] as number) > 0 ? 1 : 0));
    return { x, y: tf.oneHot(tf.tensor1d(labels, 'int32'), 2).toFloat() as tf.Tensor2D };
  });
}

const epochsOf = (records: readonly MetricsRecord[]) =>
  records.filter((record): record is EpochRecord => record.kind === 'epoch');

describe('contourLogger', () => {
  it('writes run-start, epoch records with every log value, the rate, validation and a finish record', async () => {
    const { x, y } = classification();
    const model = tfl.sequential({
      layers: [
        tfl.layers.dense({ units: 8, activation: 'relu', inputShape: [4], name: 'hidden' }),
        tfl.layers.dense({ units: 2, activation: 'softmax', name: 'head' }),
      ],
    });
    model.compile({ optimizer: tf.train.sgd(0.1), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
    const sink = new MemorySink();
    const logger = contourLogger(sink, { runId: 'unit', config: { data: 'synthetic' } });
    const history = await model.fit(x, y, {
      epochs: 3,
      batchSize: 10,
      validationSplit: 0.25,
      verbose: 0,
      callbacks: [learningRateScheduler({ type: 'exponential', lr: 0.2, gamma: 0.5 }), logger],
    });
    const [start] = sink.records;
    expect(start?.kind).toBe('run-start');
    if (start?.kind !== 'run-start') throw new Error('no run-start');
    expect(start.runId).toBe('unit');
    expect(start.epochs).toBe(3);
    expect(start.batchesPerEpoch).toBe(3);
    expect(start.config).toMatchObject({
      data: 'synthetic',
      optimizer: { className: 'SGD' },
      loss: 'categoricalCrossentropy',
    });
    const epochs = epochsOf(sink.records);
    expect(epochs.map((record) => record.epoch)).toEqual([1, 2, 3]);
    expect(epochs.map((record) => record.step)).toEqual([3, 6, 9]);
    epochs.forEach((record, index) => {
      expect(record.learningRate).toBeCloseTo(0.2 * 0.5 ** index, 12);
      expect(record.train.crossEntropy).toBe(history.history.loss?.[index]);
      expect(record.train.classificationError).toBeCloseTo(1 - (history.history.acc?.[index] as number), 12);
      expect(record.validation?.crossEntropy).toBe(history.history.val_loss?.[index]);
      expect(record.metrics).toMatchObject({
        loss: history.history.loss?.[index],
        val_acc: history.history.val_acc?.[index],
      });
      expect(Object.keys(record.updateRatios ?? {}).sort()).toEqual(['head', 'hidden']);
    });
    expect(sink.records.at(-1)).toMatchObject({ kind: 'finish', status: 'finished', epochs: 3, steps: 9 });
    expect(Array.isArray(logger.findings)).toBe(true);
    tf.dispose([x, y]);
    model.dispose();
  });

  it('measures the update:weight ratio of the epoch’s last step (closed form on one weight)', async () => {
    const model = singleWeightModel(tf.train.sgd(0.1));
    const sink = new MemorySink();
    const x = tf.tensor2d([[1]]);
    const y = tf.tensor2d([[0]]);
    await model.fit(x, y, {
      epochs: 2,
      batchSize: 1,
      verbose: 0,
      callbacks: [contourLogger(sink, { steps: true })],
    });
    const layer = model.layers[0]?.name as string;
    // w: 0.5 → 0.4 (Δ = 0.1·2·0.5) → 0.32 (Δ = 0.1·2·0.4).
    const [first, second] = epochsOf(sink.records);
    expect(first?.updateRatios?.[layer]).toBeCloseTo(Math.log10(0.1 / 0.4), 5);
    expect(second?.updateRatios?.[layer]).toBeCloseTo(Math.log10(0.08 / 0.32), 5);
    const steps = sink.records.filter((record) => record.kind === 'step');
    expect(steps).toEqual([
      { kind: 'step', epoch: 1, step: 0, loss: expect.closeTo(0.25, 6), learningRate: 0.1 },
      { kind: 'step', epoch: 2, step: 1, loss: expect.closeTo(0.16, 6), learningRate: 0.1 },
    ]);
    tf.dispose([x, y]);
    model.dispose();
  });

  it('continues one run across fit calls and records divergence', async () => {
    const model = singleWeightModel(tf.train.sgd(0.1));
    const sink = new MemorySink();
    const logger = contourLogger(sink);
    const x = tf.tensor2d([[1]]);
    const y = tf.tensor2d([[0]]);
    await model.fit(x, y, { epochs: 1, verbose: 0, callbacks: [logger] });
    // A rate of 1e20 sends w² to infinity.
    (model.optimizer as tf.SGDOptimizer).setLearningRate(1e20);
    await model.fit(x, y, { epochs: 4, initialEpoch: 1, verbose: 0, callbacks: [logger] });
    const kinds = sink.records.map((record) =>
      record.kind === 'event' ? `event:${record.event}` : record.kind,
    );
    expect(kinds.slice(0, 4)).toEqual(['run-start', 'epoch', 'finish', 'event:resumed']);
    expect(kinds.filter((kind) => kind === 'run-start')).toHaveLength(1);
    expect(kinds).toContain('event:diverged');
    expect(epochsOf(sink.records).map((record) => record.epoch)).toEqual([1, 2, 3, 4]);
    expect(sink.records.at(-1)).toMatchObject({ kind: 'finish', status: 'diverged', epochs: 4 });
    expect(logger.findings.some((finding) => finding.kind === 'diverged')).toBe(true);
    tf.dispose([x, y]);
    model.dispose();
  });

  it('numbers the epochs of a later fit without initialEpoch after the earlier ones', async () => {
    const model = singleWeightModel(tf.train.sgd(0.1));
    const sink = new MemorySink();
    const logger = contourLogger(sink);
    const x = tf.tensor2d([[1]]);
    const y = tf.tensor2d([[0]]);
    await model.fit(x, y, { epochs: 2, verbose: 0, callbacks: [logger] });
    await model.fit(x, y, { epochs: 2, verbose: 0, callbacks: [logger] });
    expect(epochsOf(sink.records).map((record) => record.epoch)).toEqual([1, 2, 3, 4]);
    // The log reads back: no epoch twice.
    expect(parseMetricsJsonl(sink.records.map(serializeRecord).join('')).records).toHaveLength(
      sink.records.length,
    );
    tf.dispose([x, y]);
    model.dispose();
  });

  it('rejects a target that is not a sink and a bad runId', () => {
    expect(() => contourLogger('out/run' as never)).toThrow(/contourLogger: "target" must be a MetricsSink/);
    expect(() => contourLogger(new MemorySink(), { runId: 'a b' })).toThrow(/"runId"/);
  });
});
