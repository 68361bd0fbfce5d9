import { describe, expect, it } from 'vitest';
import { createSchedule, createScheduleFromJson, sampleSchedule } from '../create-schedule.js';
import { expectClose } from '../test-support/expect-close.js';

const rates = (spec: object, count: number) => sampleSchedule(createScheduleFromJson(spec), count);

describe('constant', () => {
  it('is lr at every step', () => {
    expect(rates({ type: 'constant', lr: 0.3 }, 4)).toEqual([0.3, 0.3, 0.3, 0.3]);
  });
});

describe('step', () => {
  it('decays by gamma every stepSize steps (PyTorch StepLR docstring: 0.05 for t < 30, 0.005 until 60)', () => {
    const schedule = createSchedule({ type: 'step', lr: 0.05, stepSize: 30 });
    expectClose(
      [0, 29, 30, 59, 60, 89, 90].map((t) => schedule.value(t)),
      [0.05, 0.05, 0.005, 0.005, 0.0005, 0.0005, 0.00005],
    );
  });
  it('uses gamma 0.1 by default and the closed form lr·γ^⌊t/s⌋ far past the end', () => {
    const schedule = createSchedule({ type: 'step', lr: 2, stepSize: 7, gamma: 0.5 });
    for (const t of [0, 6, 7, 13, 14, 700]) expectClose(schedule.value(t), 2 * 0.5 ** Math.floor(t / 7));
  });
});

describe('multiStep', () => {
  it('multiplies by gamma at each milestone (PyTorch docstring: 0.05, 0.005 at 30, 0.0005 at 80)', () => {
    const schedule = createSchedule({ type: 'multiStep', lr: 0.05, milestones: [30, 80] });
    expectClose(
      [0, 29, 30, 79, 80, 1000].map((t) => schedule.value(t)),
      [0.05, 0.05, 0.005, 0.005, 0.0005, 0.0005],
    );
  });
  it('applies a repeated milestone twice, as PyTorch counts milestones with a Counter', () => {
    const schedule = createSchedule({ type: 'multiStep', lr: 1, milestones: [2, 2], gamma: 0.5 });
    expect([1, 2, 3].map((t) => schedule.value(t))).toEqual([1, 0.25, 0.25]);
  });
});

describe('constantFactor', () => {
  it('is lr·factor before totalIters and lr from totalIters on (defaults 1/3, 5)', () => {
    expectClose(rates({ type: 'constantFactor', lr: 0.05 }, 7), [
      0.05 / 3,
      0.05 / 3,
      0.05 / 3,
      0.05 / 3,
      0.05 / 3,
      0.05,
      0.05,
    ]);
  });
  it('matches the PyTorch docstring: factor 0.5, totalIters 4 gives 0.025 for t < 4', () => {
    expectClose(
      rates({ type: 'constantFactor', lr: 0.05, factor: 0.5, totalIters: 4 }, 5),
      [0.025, 0.025, 0.025, 0.025, 0.05],
    );
  });
});

describe('linear', () => {
  it('matches the PyTorch docstring: 0.025, 0.03125, 0.0375, 0.04375, 0.05 then 0.05', () => {
    expectClose(
      rates({ type: 'linear', lr: 0.05, startFactor: 0.5, totalIters: 4 }, 6),
      [0.025, 0.03125, 0.0375, 0.04375, 0.05, 0.05],
    );
  });
  it('defaults to 1/3 → 1 over 5 steps: lr·(s + (e − s)·min(T,t)/T)', () => {
    const values = rates({ type: 'linear', lr: 3 }, 8);
    expectClose(
      values,
      [0, 1, 2, 3, 4, 5, 5, 5].map((t) => 3 * (1 / 3 + ((1 - 1 / 3) * t) / 5)),
    );
  });
});

describe('exponential', () => {
  it('is lr·γ^t', () => {
    expectClose(rates({ type: 'exponential', lr: 0.1, gamma: 0.9 }, 4), [0.1, 0.09, 0.081, 0.0729]);
    expectClose(createSchedule({ type: 'exponential', lr: 0.1, gamma: 0.9 }).value(100), 0.1 * 0.9 ** 100);
  });
});

describe('polynomial', () => {
  it('matches the PyTorch docstring (power 1, totalIters 4): 0.001, 0.00075, 0.0005, 0.00025, 0, 0', () => {
    expectClose(
      rates({ type: 'polynomial', lr: 0.001, totalIters: 4 }, 5),
      [0.001, 0.00075, 0.0005, 0.00025, 0],
    );
    expect(createSchedule({ type: 'polynomial', lr: 0.001, totalIters: 4 }).value(10)).toBe(0);
  });
  it('raises (1 − t/T) to the power', () => {
    expectClose(rates({ type: 'polynomial', lr: 1, totalIters: 4, power: 2 }, 3), [1, 0.5625, 0.25]);
  });
});

describe('cosine', () => {
  const schedule = createSchedule({ type: 'cosine', lr: 0.1, tMax: 10, etaMin: 0.001 });
  it('starts at lr, reaches etaMin at tMax and halfway at tMax/2', () => {
    expectClose(schedule.value(0), 0.1);
    expectClose(schedule.value(5), (0.1 + 0.001) / 2);
    expectClose(schedule.value(10), 0.001);
  });
  it('keeps going past tMax, periodic with period 2·tMax (closed form)', () => {
    for (const t of [11, 15, 20, 23]) {
      expectClose(schedule.value(t), 0.001 + (0.099 * (1 + Math.cos((Math.PI * t) / 10))) / 2);
    }
    expectClose(schedule.value(20), 0.1);
  });
});

describe('cosineWarmRestarts', () => {
  it('restarts every t0 steps when tMult is 1', () => {
    const schedule = createSchedule({ type: 'cosineWarmRestarts', lr: 1, t0: 4 });
    expectClose(
      [0, 2, 4, 6, 8].map((t) => schedule.value(t)),
      [1, 0.5, 1, 0.5, 1],
    );
    expectClose(schedule.value(3), (1 + Math.cos((Math.PI * 3) / 4)) / 2);
  });
  it('grows the period by tMult: restarts at 0, 2, 6, 14 for t0 2, tMult 2', () => {
    const schedule = createSchedule({ type: 'cosineWarmRestarts', lr: 1, t0: 2, tMult: 2, etaMin: 0.1 });
    for (const t of [0, 2, 6, 14]) expectClose(schedule.value(t), 1);
    expectClose(schedule.value(5), 0.1 + (0.9 * (1 + Math.cos((Math.PI * 3) / 4))) / 2);
    expectClose(schedule.value(13), 0.1 + (0.9 * (1 + Math.cos((Math.PI * 7) / 8))) / 2);
  });
});

describe('cyclic', () => {
  it('is triangular between baseLr and maxLr (PyTorch formula), peak at stepSizeUp', () => {
    const schedule = createSchedule({ type: 'cyclic', baseLr: 0.1, maxLr: 1, stepSizeUp: 4 });
    expectClose(
      [0, 2, 4, 6, 8, 12].map((t) => schedule.value(t)),
      [0.1, 0.55, 1, 0.55, 0.1, 1],
    );
  });
  it('cycles momentum inversely: maxMomentum at baseLr, baseMomentum at the peak', () => {
    const schedule = createSchedule({ type: 'cyclic', baseLr: 0.1, maxLr: 1, stepSizeUp: 4 });
    expectClose(
      [0, 2, 4].map((t) => schedule.momentum(t) as number),
      [0.9, 0.85, 0.8],
    );
    expect(
      createSchedule({ type: 'cyclic', baseLr: 0.1, maxLr: 1, cycleMomentum: false }).momentum(3),
    ).toBeUndefined();
  });
  it('halves the amplitude each cycle in triangular2 and uses uneven halves with stepSizeDown', () => {
    const schedule = createSchedule({
      type: 'cyclic',
      baseLr: 0,
      maxLr: 1,
      stepSizeUp: 2,
      stepSizeDown: 6,
      mode: 'triangular2',
    });
    // total 8, ratio 0.25; cycle 2 has amplitude 1/2.
    expectClose(
      [0, 1, 2, 5, 8, 10, 13].map((t) => schedule.value(t)),
      [0, 0.5, 1, 0.5, 0, 0.5, 0.25],
    );
  });
  it('scales by gamma^t in expRange', () => {
    const schedule = createSchedule({
      type: 'cyclic',
      baseLr: 0.1,
      maxLr: 1.1,
      stepSizeUp: 5,
      mode: 'expRange',
      gamma: 0.99,
    });
    for (const t of [0, 3, 5, 7, 10, 15]) {
      const cycle = Math.floor(1 + t / 10);
      const x = 1 + t / 10 - cycle;
      const scale = x <= 0.5 ? x / 0.5 : (x - 1) / (0.5 - 1);
      expectClose(schedule.value(t), 0.1 + 1 * scale * 0.99 ** t);
    }
  });
});

describe('oneCycle', () => {
  it('follows PyTorch OneCycleLR: 100 steps, maxLr 1 (cos, two phases)', () => {
    const schedule = createSchedule({ type: 'oneCycle', maxLr: 1, totalSteps: 100 });
    const initial = 1 / 25;
    const minimum = initial / 1e4;
    const cos = (start: number, end: number, pct: number) =>
      end + ((start - end) / 2) * (1 + Math.cos(Math.PI * pct));
    expectClose(schedule.value(0), initial);
    expectClose(schedule.value(29), 1);
    expectClose(schedule.value(10), cos(initial, 1, 10 / 29));
    expectClose(schedule.value(60), cos(1, minimum, (60 - 29) / (99 - 29)));
    expectClose(schedule.value(99), minimum);
    expectClose(schedule.value(150), minimum);
    expectClose(schedule.momentum(0) as number, 0.95);
    expectClose(schedule.momentum(29) as number, 0.85);
    expectClose(schedule.momentum(99) as number, 0.95);
  });
  it('anneals linearly and in three phases when asked', () => {
    const schedule = createSchedule({
      type: 'oneCycle',
      maxLr: 2.5,
      totalSteps: 21,
      pctStart: 0.5,
      annealStrategy: 'linear',
      threePhase: true,
      divFactor: 25,
    });
    // phase ends: 0.5·21 − 1 = 9.5, 2·0.5·21 − 2 = 19, 20.
    const initial = 0.1;
    expectClose(schedule.value(0), initial);
    expectClose(schedule.value(5), (2.5 - initial) * (5 / 9.5) + initial);
    expectClose(schedule.value(10), (initial - 2.5) * ((10 - 9.5) / (19 - 9.5)) + 2.5);
    expectClose(schedule.value(19), initial);
    expectClose(schedule.value(20), initial / 1e4);
  });
  it('rejects a pctStart that leaves a phase without steps', () => {
    expect(() => createSchedule({ type: 'oneCycle', maxLr: 1, totalSteps: 3 })).toThrow(
      /"pctStart" of "oneCycle"/,
    );
  });
});
