import { createOptimizer, toTfOptimizer } from '@contour/optimizers';
import { createSchedule, type ScheduleSpec } from '@contour/schedules';
import { beforeAll, describe, expect, it } from 'vitest';
import { LayersOptionError } from './layers-error.js';
import { learningRateScheduler } from './learning-rate-scheduler.js';
import { cpuBackend, singleWeightModel, tf, tfl, weightOf } from './test-support/tiny-model.js';

beforeAll(cpuBackend);

const first = 0.01;
const second = 0.03;
/** Epoch 0 at `first`, epoch 1 at `second` (×3 at milestone 1). */
const twoRates: ScheduleSpec = { type: 'multiStep', lr: first, milestones: [1], gamma: 3 };
const constructionRate = 0.5;
const epsilon = 1e-7;

/**
 * Two steps of each tfjs optimizer on loss w² (gradient 2w) from w = 0.5 at rates `first` then
 * `second`, written from tfjs-core 4.22's update formulas (float64 here, float32 in tfjs).
 */
const closedForms: Record<string, { make: () => tf.Optimizer; weights: () => [number, number] }> = {
  sgd: {
    make: () => tf.train.sgd(constructionRate),
    weights: () => {
      const w1 = 0.5 - first * 2 * 0.5;
      return [w1, w1 - second * 2 * w1];
    },
  },
  momentum: {
    make: () => tf.train.momentum(constructionRate, 0.9),
    weights: () => {
      const g1 = 1;
      const a1 = g1;
      const w1 = 0.5 - first * a1;
      const a2 = 0.9 * a1 + 2 * w1;
      return [w1, w1 - second * a2];
    },
  },
  adam: {
    make: () => tf.train.adam(constructionRate, 0.9, 0.999, epsilon),
    weights: () => {
      let w = 0.5;
      let m = 0;
      let v = 0;
      const out: number[] = [];
      [first, second].forEach((rate, index) => {
        const g = 2 * w;
        m = 0.9 * m + 0.1 * g;
        v = 0.999 * v + 0.001 * g * g;
        const mHat = m / (1 - 0.9 ** (index + 1));
        const vHat = v / (1 - 0.999 ** (index + 1));
        w -= (rate * mHat) / (Math.sqrt(vHat) + epsilon);
        out.push(w);
      });
      return out as [number, number];
    },
  },
  adamax: {
    make: () => tf.train.adamax(constructionRate, 0.9, 0.999, epsilon),
    weights: () => {
      let w = 0.5;
      let m = 0;
      let u = 0;
      const out: number[] = [];
      [first, second].forEach((rate, index) => {
        const g = 2 * w;
        m = 0.9 * m + 0.1 * g;
        u = Math.max(0.999 * u, Math.abs(g));
        w -= (rate / (1 - 0.9 ** (index + 1))) * (m / (u + epsilon));
        out.push(w);
      });
      return out as [number, number];
    },
  },
  rmsprop: {
    make: () => tf.train.rmsprop(constructionRate, 0.9, 0.5, epsilon),
    weights: () => {
      let w = 0.5;
      let meanSquare = 0;
      let moment = 0;
      const out: number[] = [];
      for (const rate of [first, second]) {
        const g = 2 * w;
        meanSquare = 0.9 * meanSquare + 0.1 * g * g;
        moment = 0.5 * moment + (rate * g) / Math.sqrt(meanSquare + epsilon);
        w -= moment;
        out.push(w);
      }
      return out as [number, number];
    },
  },
  adagrad: {
    make: () => tf.train.adagrad(constructionRate, 0.1),
    weights: () => {
      let w = 0.5;
      let accumulator = 0.1;
      const out: number[] = [];
      for (const rate of [first, second]) {
        const g = 2 * w;
        accumulator += g * g;
        w -= (rate * g) / Math.sqrt(accumulator + epsilon);
        out.push(w);
      }
      return out as [number, number];
    },
  },
  adadelta: {
    make: () => tf.train.adadelta(constructionRate, 0.5, epsilon),
    weights: () => {
      // tfjs-core 4.22 divides by the accumulated squared gradient *before* this step's update.
      let w = 0.5;
      let accumulatedGradient = 0;
      let accumulatedUpdate = 0;
      const out: number[] = [];
      for (const rate of [first, second]) {
        const g = 2 * w;
        const update =
          (Math.sqrt(accumulatedUpdate + epsilon) / Math.sqrt(accumulatedGradient + epsilon)) * g;
        accumulatedGradient = 0.5 * accumulatedGradient + 0.5 * g * g;
        accumulatedUpdate = 0.5 * accumulatedUpdate + 0.5 * update * update;
        w -= rate * update;
        out.push(w);
      }
      return out as [number, number];
    },
  },
};

async function trainTwoEpochs(model: tfl.LayersModel, callback: tfl.Callback) {
  const observed: number[] = [];
  const x = tf.tensor2d([[1]]);
  const y = tf.tensor2d([[0]]);
  const history = await model.fit(x, y, {
    epochs: 2,
    batchSize: 1,
    shuffle: false,
    verbose: 0,
    callbacks: [
      callback,
      new tfl.CustomCallback({ onEpochEnd: async () => void observed.push(weightOf(model)) }),
    ],
  });
  tf.dispose([x, y]);
  return { observed, history };
}

describe('learningRateScheduler', () => {
  for (const [name, form] of Object.entries(closedForms)) {
    it(`changes the step of tf.train.${name} (weights equal the closed form at the scheduled rates, state kept)`, async () => {
      const optimizer = form.make();
      const model = singleWeightModel(optimizer);
      const { observed, history } = await trainTwoEpochs(model, learningRateScheduler(twoRates));
      const [w1, w2] = form.weights();
      expect(observed[0]).toBeCloseTo(w1, 6);
      expect(observed[1]).toBeCloseTo(w2, 6);
      // Not what the construction rate would have done.
      expect(Math.abs((observed[0] as number) - 0.5)).toBeLessThan(constructionRate * 0.2);
      expect(history.history.lr).toEqual([first, second * 1]);
      model.dispose();
    });
  }

  it('sets the rate of a Contour optimizer (toTfOptimizer), keeping its momentum', async () => {
    const contour = createOptimizer({ type: 'sgd', lr: constructionRate, momentum: 0.9 });
    const model = singleWeightModel(toTfOptimizer(contour));
    const { observed } = await trainTwoEpochs(model, learningRateScheduler(twoRates));
    // PyTorch SGD momentum: b1 = g1, b2 = 0.9·b1 + g2; w −= lr·b.
    const w1 = 0.5 - first * 1;
    const w2 = w1 - second * (0.9 * 1 + 2 * w1);
    expect(observed[0]).toBeCloseTo(w1, 6);
    expect(observed[1]).toBeCloseTo(w2, 6);
    expect(contour.learningRate).toBeCloseTo(second, 12);
    model.dispose();
  });

  it("unit 'batch' counts batches across epochs; a spec's own unit is the default", async () => {
    const rates: number[] = [];
    const model = singleWeightModel(tf.train.sgd(constructionRate));
    const scheduler = learningRateScheduler({
      type: 'linear',
      unit: 'step',
      lr: 1,
      startFactor: 0.2,
      endFactor: 1,
      totalIters: 4,
    });
    expect(scheduler.unit).toBe('batch');
    const x = tf.tensor2d([[1], [1], [1]]);
    const y = tf.tensor2d([[0], [0], [0]]);
    await model.fit(x, y, {
      epochs: 2,
      batchSize: 1,
      shuffle: false,
      verbose: 0,
      callbacks: [
        scheduler,
        new tfl.CustomCallback({ onBatchEnd: async () => void rates.push(scheduler.learningRate as number) }),
      ],
    });
    expect(rates.map((rate) => Number(rate.toFixed(12)))).toEqual([0.2, 0.4, 0.6, 0.8, 1, 1]);
    expect(scheduler.step).toBe(6);
    tf.dispose([x, y]);
    model.dispose();
  });

  it('defaults to epochs for a spec without unit and to a created schedule’s unit', () => {
    expect(learningRateScheduler({ type: 'step', lr: 0.1, stepSize: 2 }).unit).toBe('epoch');
    expect(learningRateScheduler(createSchedule({ type: 'step', lr: 0.1, stepSize: 2 })).unit).toBe('batch');
    expect(learningRateScheduler({ type: 'step', lr: 0.1, stepSize: 2 }, { unit: 'batch' }).unit).toBe(
      'batch',
    );
  });

  it('follows fit’s initialEpoch', async () => {
    const model = singleWeightModel(tf.train.sgd(constructionRate));
    const x = tf.tensor2d([[1]]);
    const y = tf.tensor2d([[0]]);
    const history = await model.fit(x, y, {
      epochs: 3,
      initialEpoch: 1,
      verbose: 0,
      callbacks: [learningRateScheduler({ type: 'exponential', lr: 0.1, gamma: 0.5 })],
    });
    expect(history.history.lr).toEqual([0.05, 0.025]);
    tf.dispose([x, y]);
    model.dispose();
  });

  it("feeds `monitor` to a stateful schedule (Contour's PyTorch-style reduceOnPlateau spec)", async () => {
    const model = singleWeightModel(tf.train.sgd(constructionRate));
    const x = tf.tensor2d([[1]]);
    const y = tf.tensor2d([[0]]);
    const constant = new tfl.CustomCallback({
      onEpochEnd: async (_epoch, logs) => {
        (logs as Record<string, number>).flat = 1;
      },
    });
    // PyTorch semantics: reduce once more than `patience` (1) epochs did not improve on the best.
    const scheduler = learningRateScheduler(
      { type: 'reduceOnPlateau', lr: 0.1, patience: 1, factor: 0.5 },
      { monitor: 'flat' },
    );
    const history = await model.fit(x, y, { epochs: 5, verbose: 0, callbacks: [constant, scheduler] });
    expect(history.history.lr).toEqual([0.1, 0.1, 0.1, 0.05, 0.05]);
    tf.dispose([x, y]);
    model.dispose();
  });

  it('rejects bad input with one line naming the field', () => {
    expect(() => learningRateScheduler(0.1, { initial_step: 5 } as never)).toThrow(
      'learningRateScheduler: "initial_step" must be one of its options (unit, registry, initialStep, monitor); got 5',
    );
    expect(() => learningRateScheduler({ type: 'step', lr: 0.1, stepSize: -1 })).toThrow(LayersOptionError);
    expect(() => learningRateScheduler({ type: 'step', lr: 0.1, stepSize: -1 })).toThrow(
      /"schedule\.stepSize"/,
    );
    expect(() => learningRateScheduler(0.1, { unit: 'step' as never })).toThrow(
      /"unit" must be "batch" or "epoch"/,
    );
    expect(() => learningRateScheduler(-1)).toThrow(/"schedule" must be/);
    expect(() => learningRateScheduler(0.1, { initialStep: 1.5 })).toThrow(/"initialStep"/);
  });
});
