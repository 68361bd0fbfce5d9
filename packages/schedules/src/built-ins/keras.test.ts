import { describe, expect, it } from 'vitest';
import { createSchedule, sampleSchedule } from '../create-schedule.js';
import { expectClose } from '../test-support/expect-close.js';
import { restartPosition } from './keras.js';

describe('exponentialDecay', () => {
  it('is lr·rate^(t/steps), smooth or staircase', () => {
    const smooth = createSchedule({ type: 'exponentialDecay', lr: 0.1, decaySteps: 10, decayRate: 0.5 });
    expectClose(
      [0, 5, 10, 25].map((t) => smooth.value(t)),
      [0.1, 0.1 * 0.5 ** 0.5, 0.05, 0.1 * 0.5 ** 2.5],
    );
    const stairs = createSchedule({
      type: 'exponentialDecay',
      lr: 0.1,
      decaySteps: 10,
      decayRate: 0.5,
      staircase: true,
    });
    expectClose(
      [0, 9, 10, 25].map((t) => stairs.value(t)),
      [0.1, 0.1, 0.05, 0.025],
    );
  });
});

describe('inverseTimeDecay', () => {
  it('is lr/(1 + rate·t/steps), smooth or staircase', () => {
    const smooth = createSchedule({ type: 'inverseTimeDecay', lr: 0.1, decaySteps: 1, decayRate: 0.5 });
    expectClose(sampleSchedule(smooth, 3), [0.1, 0.1 / 1.5, 0.05]);
    const stairs = createSchedule({
      type: 'inverseTimeDecay',
      lr: 1,
      decaySteps: 4,
      decayRate: 1,
      staircase: true,
    });
    expectClose(
      [0, 3, 4, 9].map((t) => stairs.value(t)),
      [1, 1, 0.5, 1 / 3],
    );
  });
});

describe('polynomialDecay', () => {
  it('goes from lr to endLr over decaySteps and holds it after', () => {
    const schedule = createSchedule({
      type: 'polynomialDecay',
      lr: 0.1,
      decaySteps: 10,
      endLr: 0.01,
      power: 2,
    });
    expectClose(
      [0, 5, 10, 20].map((t) => schedule.value(t)),
      [0.1, 0.09 * 0.25 + 0.01, 0.01, 0.01],
    );
  });
  it('cycles with D·ceil(t/D), using 1 at t = 0 (Keras)', () => {
    const schedule = createSchedule({
      type: 'polynomialDecay',
      lr: 1,
      decaySteps: 10,
      endLr: 0,
      cycle: true,
    });
    // t = 15: D' = 20, (1 − 15/20) = 0.25; t = 10: D' = 10 → 0; t = 11: D' = 20 → 0.45.
    expectClose(
      [0, 5, 10, 11, 15].map((t) => schedule.value(t)),
      [1, 0.5, 0, 0.45, 0.25],
    );
  });
});

describe('piecewiseConstant', () => {
  it('switches after each boundary as Keras does (t > boundary)', () => {
    const schedule = createSchedule({
      type: 'piecewiseConstant',
      boundaries: [100, 110],
      values: [1, 0.5, 0.1],
    });
    expect([0, 100, 101, 110, 111, 1000].map((t) => schedule.value(t))).toEqual([1, 1, 0.5, 0.5, 0.1, 0.1]);
  });
  it('requires one more value than boundaries', () => {
    expect(() => createSchedule({ type: 'piecewiseConstant', boundaries: [1, 2], values: [1, 0.5] })).toThrow(
      /"values" of "piecewiseConstant" must be an array of exactly boundaries.length \+ 1 = 3 rates/,
    );
  });
});

describe('cosineDecay', () => {
  it('decays from lr to alpha·lr over decaySteps and holds', () => {
    const schedule = createSchedule({ type: 'cosineDecay', lr: 0.1, decaySteps: 100, alpha: 0.1 });
    expectClose(schedule.value(0), 0.1);
    expectClose(schedule.value(50), 0.1 * (0.9 * 0.5 + 0.1));
    expectClose(schedule.value(100), 0.01);
    expectClose(schedule.value(400), 0.01);
  });
  it('warms up linearly to warmupTarget first; decaySteps excludes warmup (Keras)', () => {
    const schedule = createSchedule({
      type: 'cosineDecay',
      lr: 0,
      decaySteps: 10,
      warmupTarget: 1,
      warmupSteps: 4,
    });
    expectClose(
      [0, 1, 2, 3, 4].map((t) => schedule.value(t)),
      [0, 0.25, 0.5, 0.75, 1],
    );
    expectClose(schedule.value(9), 0.5);
    expectClose(schedule.value(14), 0);
    expectClose(schedule.value(30), 0);
  });
});

describe('restartPosition', () => {
  it('finds exact restart boundaries for geometric periods (1, 2, 4, 8 …)', () => {
    expect(restartPosition(0, 2)).toEqual({ restart: 0, fraction: 0 });
    expect(restartPosition(1, 2)).toEqual({ restart: 1, fraction: 0 });
    expect(restartPosition(3, 2)).toEqual({ restart: 2, fraction: 0 });
    expect(restartPosition(7, 2)).toEqual({ restart: 3, fraction: 0 });
    expect(restartPosition(5, 2)).toEqual({ restart: 2, fraction: 0.5 });
  });
  it('agrees with Keras floor(log(1 − c(1 − tMul))/log tMul) away from boundaries', () => {
    for (const completed of [0.3, 1.7, 2.2, 4.5, 9.1, 20.6]) {
      const tMul = 2;
      const restart = Math.floor(Math.log(1 - completed * (1 - tMul)) / Math.log(tMul));
      const sum = (1 - tMul ** restart) / (1 - tMul);
      const fraction = (completed - sum) / tMul ** restart;
      const position = restartPosition(completed, tMul);
      expect(position.restart).toBe(restart);
      expectClose(position.fraction, fraction);
    }
  });
});

describe('cosineDecayRestarts', () => {
  it('restarts after firstDecaySteps·tMul^i with amplitude mMul^i', () => {
    const schedule = createSchedule({
      type: 'cosineDecayRestarts',
      lr: 1,
      firstDecaySteps: 10,
      tMul: 2,
      mMul: 0.5,
    });
    expectClose(
      [0, 5, 10, 20, 30, 70].map((t) => schedule.value(t)),
      [1, 0.5, 0.5, 0.25, 0.25, 0.125],
    );
  });
  it('keeps equal periods when tMul is 1 and lifts the floor by alpha', () => {
    const schedule = createSchedule({
      type: 'cosineDecayRestarts',
      lr: 2,
      firstDecaySteps: 4,
      tMul: 1,
      alpha: 0.1,
    });
    expectClose(
      [0, 2, 4, 6].map((t) => schedule.value(t)),
      [2, 2 * (0.9 * 0.5 + 0.1), 2, 2 * (0.9 * 0.5 + 0.1)],
    );
  });
});
