import { createScheduleRegistry } from '@contour/schedules';
import { describeScheduleConformance } from '@contour/schedules/testing';
import { describe, expect, it } from 'vitest';
import acme from './index.js';

describeScheduleConformance(
  'acme plugin conformance',
  {
    plugin: acme,
    examples: [
      { spec: { type: 'acme:warmSine', lr: 1, steps: 2 }, expected: [0, Math.SQRT1_2, 1, 1] },
      { spec: { type: 'acme:warmSine', lr: 0.5, steps: 3, floor: 0.2 }, steps: 10 },
      {
        spec: { type: 'acme:inverseSqrt', lr: 1, warmupSteps: 4 },
        expected: [0.25, 0.5, 0.75, 1, Math.sqrt(4 / 5)],
      },
    ],
  },
  { describe, it },
);

describe('acme plugin', () => {
  const registry = createScheduleRegistry({ plugins: [acme] });
  it('peaks at lr at the end of the inverseSqrt warmup and decays as 1/√t after', () => {
    const schedule = registry.create({ type: 'acme:inverseSqrt', lr: 0.001, warmupSteps: 4000 });
    expect(schedule.value(3999)).toBeCloseTo(0.001, 15);
    expect(schedule.value(15999) / schedule.value(3999)).toBeCloseTo(0.5, 12);
  });
  it('composes with built-ins and inherits lr', () => {
    const schedule = registry.create({
      type: 'sequential',
      lr: 2,
      milestones: [2],
      schedules: [
        { type: 'acme:warmSine', steps: 2 },
        { type: 'exponential', gamma: 0.5 },
      ],
    });
    const rates = [0, 1, 2, 3].map((t) => schedule.value(t));
    for (const [t, expected] of [0, 2 * Math.SQRT1_2, 2, 1].entries())
      expect(rates[t]).toBeCloseTo(expected, 14);
  });
  it('names the field of a bad parameter', () => {
    expect(() => registry.create({ type: 'acme:warmSine', lr: 1, steps: 2, floor: 2 })).toThrow(
      'schedule spec: "floor" of "acme:warmSine" must be a finite number ≥ 0 and ≤ 1; got 2',
    );
  });
});
