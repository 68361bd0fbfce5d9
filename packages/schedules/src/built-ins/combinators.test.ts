import { describe, expect, it } from 'vitest';
import { createSchedule, sampleSchedule } from '../create-schedule.js';
import type { MemberSpec } from '../specs.js';
import { expectClose } from '../test-support/expect-close.js';

const members: MemberSpec[] = [
  { type: 'constantFactor', factor: 0.1, totalIters: 2 },
  { type: 'exponential', gamma: 0.9 },
];

describe('sequential', () => {
  it('hands over at each milestone and restarts the member at its own t = 0 (issue example)', () => {
    const schedule = createSchedule({ type: 'sequential', lr: 1, schedules: members, milestones: [2] });
    expectClose(sampleSchedule(schedule, 6), [0.1, 0.1, 1, 0.9, 0.81, 0.729]);
  });
  it('lets members keep their own lr and checks milestones against members', () => {
    const schedule = createSchedule({
      type: 'sequential',
      schedules: [
        { type: 'constant', lr: 0.5 },
        { type: 'step', lr: 2, stepSize: 1, gamma: 0.5 },
        { type: 'constant', lr: 7 },
      ],
      milestones: [1, 3],
    });
    expect(sampleSchedule(schedule, 5)).toEqual([0.5, 2, 1, 7, 7]);
    expect(() =>
      createSchedule({ type: 'sequential', lr: 1, schedules: members, milestones: [2, 3] }),
    ).toThrow(/"milestones" of "sequential" must be an array of schedules.length − 1 = 1 steps/);
  });
});

describe('chain', () => {
  it("multiplies the members' factors as PyTorch ChainedScheduler does (issue example)", () => {
    const schedule = createSchedule({ type: 'chain', lr: 1, schedules: members });
    expectClose(sampleSchedule(schedule, 4), [0.1, 0.09, 0.81, 0.729]);
  });
  it('uses each member’s own lr for its factor', () => {
    const schedule = createSchedule({
      type: 'chain',
      lr: 0.2,
      schedules: [
        { type: 'step', lr: 5, stepSize: 2, gamma: 0.5 },
        { type: 'constantFactor', factor: 0.5, totalIters: 1 },
      ],
    });
    expectClose(sampleSchedule(schedule, 4), [0.1, 0.2, 0.1, 0.1]);
  });
  it('rejects a member whose own rate is 0 (its factor would divide by zero)', () => {
    expect(() => createSchedule({ type: 'chain', lr: 1, schedules: [{ type: 'constant', lr: 0 }] })).toThrow(
      /"schedules\[0\].lr" of "chain" must be a number > 0/,
    );
  });
});

describe('warmup', () => {
  it('ramps linearly from startFactor·s(0) to s(0), then runs s(t − steps)', () => {
    const schedule = createSchedule({
      type: 'warmup',
      lr: 0.4,
      steps: 4,
      schedule: { type: 'step', stepSize: 2, gamma: 0.5 },
    });
    expectClose(sampleSchedule(schedule, 9), [0, 0.1, 0.2, 0.3, 0.4, 0.4, 0.2, 0.2, 0.1]);
    expect(schedule.spec).toMatchObject({
      schedule: { type: 'step', lr: 0.4, stepSize: 2, gamma: 0.5, unit: 'step' },
    });
  });
  it('holds lr after the ramp when no schedule is given, starting from startFactor', () => {
    const schedule = createSchedule({ type: 'warmup', lr: 1, steps: 2, startFactor: 0.5 });
    expect(sampleSchedule(schedule, 4)).toEqual([0.5, 0.75, 1, 1]);
  });
  it('needs lr somewhere', () => {
    expect(() => createSchedule({ type: 'warmup', steps: 2 })).toThrow(/"lr" of "warmup" must be given/);
    expect(() =>
      createSchedule({ type: 'warmup', steps: 2, schedule: { type: 'cosine', tMax: 10 } }),
    ).toThrow('schedule spec: "schedule.lr" of "cosine" must be a finite number ≥ 0; it is missing');
  });
  it('passes a plateau inside it the metrics seen after the ramp, on the inner clock', () => {
    const schedule = createSchedule({
      type: 'warmup',
      lr: 1,
      steps: 2,
      schedule: { type: 'reduceOnPlateau', patience: 0, factor: 0.5 },
    });
    const rates = [3, 3, 3, 3, 3].map((metric, t) => {
      const rate = schedule.value(t);
      schedule.observe(metric, t);
      return rate;
    });
    // metrics at t = 0, 1 are ignored; t = 2 sets best; t = 3 is bad → 0.5 from t = 4; t = 4 bad → 0.25.
    expect(rates).toEqual([0, 0.5, 1, 1, 0.5]);
    expect(schedule.getState()).toEqual({
      members: [{ learningRate: 0.25, best: 3, badEpochs: 0, cooldownCounter: 0, observed: 3 }],
    });
  });
});

describe('combinator members', () => {
  it('inherit the unit of the parent and reject a different one', () => {
    const schedule = createSchedule({
      type: 'warmup',
      lr: 1,
      steps: 1,
      unit: 'epoch',
      schedule: { type: 'constant' },
    });
    expect(schedule.unit).toBe('epoch');
    expect(schedule.spec).toMatchObject({ schedule: { unit: 'epoch' } });
    expect(() =>
      createSchedule({
        type: 'warmup',
        lr: 1,
        steps: 1,
        unit: 'epoch',
        schedule: { type: 'constant', unit: 'step' },
      }),
    ).toThrow(/"schedule.unit" of "constant" must be "epoch" like its parent/);
  });
  it('forward momentum from a cycling member', () => {
    const schedule = createSchedule({
      type: 'sequential',
      lr: 1,
      milestones: [2],
      schedules: [{ type: 'constant' }, { type: 'cyclic', baseLr: 0.1, maxLr: 1, stepSizeUp: 2 }],
    });
    expect(schedule.cyclesMomentum).toBe(true);
    expect(schedule.momentum(0)).toBeUndefined();
    expectClose(schedule.momentum(3) as number, 0.85);
  });
});
