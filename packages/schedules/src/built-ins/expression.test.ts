import { describe, expect, it } from 'vitest';
import { createSchedule, sampleSchedule } from '../create-schedule.js';
import { expectClose } from '../test-support/expect-close.js';

describe('expr', () => {
  it('evaluates a formula in t (issue example: 0.1·0.5^⌊t/10⌋)', () => {
    const schedule = createSchedule({ type: 'expr', expr: '0.1 * 0.5 ^ floor(t / 10)' });
    expectClose(
      [0, 9, 10, 25].map((t) => schedule.value(t)),
      [0.1, 0.1, 0.05, 0.025],
    );
  });
  it('may use lr, conditionals and functions', () => {
    const schedule = createSchedule({
      type: 'expr',
      lr: 0.5,
      expr: 't < 2 ? lr * (t + 1) / 2 : lr * exp(-(t - 2))',
    });
    expectClose(sampleSchedule(schedule, 4), [0.25, 0.5, 0.5, 0.5 * Math.exp(-1)]);
  });
  it('rejects unknown variables, syntax errors and negative rates at t = 0 with one-line errors', () => {
    expect(() => createSchedule({ type: 'expr', expr: 'epoch * 2' })).toThrow(
      /unknown variable epoch \(allowed: t, lr\)/,
    );
    expect(() => createSchedule({ type: 'expr', expr: '0.1 * (' })).toThrow(
      /"expr" of "expr" must be a formula/,
    );
    expect(() => createSchedule({ type: 'expr', expr: 'lr * 2' })).toThrow(/uses lr but no "lr" is given/);
    expect(() => createSchedule({ type: 'expr', expr: '0.1 - t' }).value(1)).toThrow(
      'schedule "expr" gave -0.9 at t=1: a learning rate must be a finite number ≥ 0',
    );
  });
  it('has no way to reach JavaScript: assignment, function definitions and member access are off', () => {
    expect(() => createSchedule({ type: 'expr', expr: 'x = 1' })).toThrow(/must be a formula/);
    expect(() => createSchedule({ type: 'expr', expr: 'f(x) = x' })).toThrow(/must be a formula/);
    expect(() => createSchedule({ type: 'expr', expr: 't.constructor' })).toThrow(/must be a formula/);
  });
});
