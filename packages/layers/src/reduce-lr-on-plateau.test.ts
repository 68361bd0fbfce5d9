import { createSchedule, type ScheduleSpec } from '@contour/schedules';
import { beforeAll, describe, expect, it } from 'vitest';
import fixture from './fixtures/keras-reduce-lr-on-plateau.json' with { type: 'json' };
import { LayersOptionError } from './layers-error.js';
import { learningRateScheduler } from './learning-rate-scheduler.js';
import { getLearningRate } from './optimizer-learning-rate.js';
import { type ReduceLROnPlateauOptions, reduceLROnPlateau } from './reduce-lr-on-plateau.js';
import { cpuBackend, regressionData, singleWeightModel, tf, tfl } from './test-support/tiny-model.js';

beforeAll(cpuBackend);

/** A model compiled with `optimizer`, for driving callbacks the way tfjs-layers' fit loop does. */
function fakeModel(optimizer: tf.Optimizer): tfl.LayersModel {
  return singleWeightModel(optimizer);
}

describe('reduceLROnPlateau', () => {
  for (const testCase of fixture.cases) {
    it(`gives Keras 3's rate sequence: ${testCase.name}`, async () => {
      const optimizer = tf.train.sgd(testCase.initialLearningRate);
      const callback = reduceLROnPlateau(testCase.options as ReduceLROnPlateauOptions);
      callback.setModel(fakeModel(optimizer));
      await callback.onTrainBegin();
      const logged: number[] = [];
      for (const [epoch, metric] of testCase.metrics.entries()) {
        const logs: Record<string, number> = { [callback.monitor]: metric };
        await callback.onEpochEnd(epoch, logs);
        logged.push(Math.fround(logs.lr as number));
      }
      // Keras holds the rate in a float32 variable: compare float32 values exactly.
      expect(logged).toEqual(testCase.learningRates);
      expect(Math.fround(getLearningRate(optimizer))).toBe(testCase.finalLearningRate);
      optimizer.dispose();
    });
  }

  it('covers cooldown, mode max, minLr and minDelta in the fixture', () => {
    const options = fixture.cases.map((testCase) => testCase.options as Record<string, unknown>);
    expect(options.some((option) => (option.cooldown as number) > 0)).toBe(true);
    expect(options.some((option) => option.mode === 'max')).toBe(true);
    expect(options.some((option) => (option.minLr as number) > 0)).toBe(true);
    expect(options.some((option) => option.minDelta !== undefined)).toBe(true);
    expect(fixture.cases.length).toBeGreaterThanOrEqual(4);
  });

  it('reduces a real tf.train.sgd rate inside model.fit and logs lr per epoch', async () => {
    const { x, y } = regressionData(16);
    const model = tfl.sequential({ layers: [tfl.layers.dense({ units: 1, inputShape: [2] })] });
    const optimizer = tf.train.sgd(0.1);
    model.compile({ optimizer, loss: 'meanSquaredError' });
    // A metric that never improves after epoch 0 (a callback before the plateau adds it to the
    // logs), so the reductions are known in advance.
    const flat = new tfl.CustomCallback({
      onEpochEnd: async (_epoch, logs) => {
        (logs as Record<string, number>).flat = 1;
      },
    });
    const history = await model.fit(x, y, {
      epochs: 5,
      batchSize: 16,
      verbose: 0,
      callbacks: [flat, reduceLROnPlateau({ monitor: 'flat', patience: 1, factor: 0.5 })],
    });
    expect((history.history.lr as number[]).map(Math.fround)).toEqual(
      [0.1, 0.1, 0.05, 0.025, 0.0125].map(Math.fround),
    );
    expect(Math.fround(getLearningRate(optimizer))).toBe(Math.fround(0.00625));
    tf.dispose([x, y]);
    model.dispose();
  });

  it('composes with a warmup + cosine scheduler: reductions multiply the schedule, in either order', async () => {
    const spec: ScheduleSpec = { type: 'warmup', lr: 0.1, steps: 3, schedule: { type: 'cosine', tMax: 10 } };
    const schedule = createSchedule(spec);
    const metrics = [1, 0.9, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.7, 0.7];
    // patience 2: no improvement at epochs 3, 4 → reduce after epoch 4; 5, 6 → after 6; 8 improves.
    const reductionsBefore = [0, 0, 0, 0, 0, 1, 1, 2, 2, 2];
    const expected = metrics.map(
      (_, epoch) => schedule.value(epoch) * 0.5 ** (reductionsBefore[epoch] as number),
    );
    for (const order of ['scheduler first', 'plateau first']) {
      const optimizer = tf.train.momentum(1, 0.9);
      const scheduler = learningRateScheduler(spec);
      const plateau = reduceLROnPlateau({ patience: 2, factor: 0.5 });
      const callbacks = order === 'scheduler first' ? [scheduler, plateau] : [plateau, scheduler];
      for (const callback of callbacks) {
        callback.setModel(fakeModel(optimizer));
        await callback.onTrainBegin();
      }
      const used: number[] = [];
      for (const [epoch, metric] of metrics.entries()) {
        for (const callback of callbacks) await callback.onEpochBegin(epoch);
        used.push(getLearningRate(optimizer));
        const logs: Record<string, number> = { val_loss: metric };
        for (const callback of callbacks) await callback.onEpochEnd(epoch, logs);
        expect(logs.lr).toBeCloseTo(used[epoch] as number, 12);
      }
      expect(used.map((rate) => Number(rate.toPrecision(6)))).toEqual(
        expected.map((rate) => Number(rate.toPrecision(6))),
      );
      // The warmup ran untouched: no reduction before the metric stalled.
      expect(used.slice(0, 3)).toEqual([schedule.value(0), schedule.value(1), schedule.value(2)]);
      optimizer.dispose();
    }
  });

  it('rejects bad options with one line naming the field', () => {
    expect(() => reduceLROnPlateau({ factor: 1 })).toThrow(
      /reduceLROnPlateau: "factor" must be a number in \[0, 1\)/,
    );
    expect(() => reduceLROnPlateau({ patience: -1 })).toThrow(/"patience" must be an integer ≥ 0; got -1/);
    expect(() => reduceLROnPlateau({ cooldown: 0.5 })).toThrow(/"cooldown"/);
    expect(() => reduceLROnPlateau({ minLr: -1 })).toThrow(/"minLr"/);
    expect(() => reduceLROnPlateau({ minDelta: Number.NaN })).toThrow(/"minDelta"/);
    expect(() => reduceLROnPlateau({ mode: 'up' as never })).toThrow(
      /"mode" must be "auto", "min" or "max"; got "up"/,
    );
  });

  it("refuses an option it does not know (a typo or Keras' snake_case would silently keep the default)", () => {
    expect(() => reduceLROnPlateau({ min_lr: 1e-4 } as never)).toThrow(
      'reduceLROnPlateau: "min_lr" must be one of its options (monitor, factor, patience, mode, minDelta, cooldown, minLr, verbose); got 0.0001',
    );
    expect(() => reduceLROnPlateau({ patients: 2 } as never)).toThrow(LayersOptionError);
  });

  it("mode auto is max for a monitor containing 'acc', else min", () => {
    expect(reduceLROnPlateau({ monitor: 'val_acc' }).mode).toBe('max');
    expect(reduceLROnPlateau({ monitor: 'val_loss' }).mode).toBe('min');
    expect(reduceLROnPlateau().counters).toEqual({
      best: Number.POSITIVE_INFINITY,
      wait: 0,
      cooldownCounter: 0,
    });
  });
});
