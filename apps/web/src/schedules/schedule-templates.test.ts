import { createSchedule, createScheduleFromJson, sampleSchedule } from '@contour/schedules';
import { describe, expect, it } from 'vitest';
import { rescaleTemplate, scheduleTemplate, scheduleTemplates, templateSteps } from './schedule-templates.js';

describe('scheduleTemplate', () => {
  it('is the template itself over 200 steps, and a valid spec over any step count', () => {
    for (const [type, template] of Object.entries(scheduleTemplates)) {
      expect(scheduleTemplate(type), type).toEqual(template);
      for (const steps of [1, 7, 75, 1000]) {
        expect(
          () => createScheduleFromJson(scheduleTemplate(type, steps)),
          `${type} over ${steps}`,
        ).not.toThrow();
      }
    }
    expect(scheduleTemplate('acme:plugin', 75)).toEqual({ type: 'acme:plugin' });
    expect(templateSteps).toBe(200);
  });

  it('fits warmup + cosine to the Sweep lab’s 75 steps: 8 + 67, the minimum at the end', () => {
    const spec = scheduleTemplate('warmup', 75) as unknown as { steps: number; schedule: { tMax: number } };
    expect(spec.steps).toBe(8);
    expect(spec.schedule.tMax).toBe(67);
    expect(spec.steps + spec.schedule.tMax).toBe(75);
    const rates = sampleSchedule(createSchedule(spec as never), 76);
    expect(rates[75]).toBeCloseTo(0.001, 12);
    expect(Math.max(...rates)).toBeCloseTo(0.1, 12);
  });

  it('keeps the shape: step counts and lists scale, per-step factors are re-powered', () => {
    const scaled = (type: string) => scheduleTemplate(type, 75) as Record<string, unknown>;
    expect(scaled('cosine').tMax).toBe(75);
    expect(scaled('oneCycle').totalSteps).toBe(75);
    expect(scaled('multiStep').milestones).toEqual([23, 45, 60]);
    // γ'^75 = γ^200: the same total decay over the run.
    expect((scaled('exponential').gamma as number) ** 75).toBeCloseTo(0.98 ** 200, 12);
    // Caffe inv (1 + γ·it)^−p: γ'·75 = γ·200.
    expect((scaled('caffe').gamma as number) * 75).toBeCloseTo(0.01 * 200, 12);
    // Sequential members stay joined at the (rescaled) milestone.
    const sequential = scaled('sequential') as {
      milestones: number[];
      schedules: Array<{ totalIters?: number }>;
    };
    expect(sequential.milestones).toEqual([11]);
    expect(sequential.schedules[0]?.totalIters).toBe(11);
    // expr: lr·½(1 + cos(πt/75)) at t equals the 200-step formula at t·200/75.
    const expr = sampleSchedule(createSchedule(scaled('expr') as never), 75);
    for (const t of [0, 10, 37, 74]) {
      expect(expr[t]).toBeCloseTo(0.1 * 0.5 * (1 + Math.cos((Math.PI * t * (200 / 75)) / 200)), 12);
    }
  });

  it('keeps step lists strictly increasing when a short run squeezes them', () => {
    const spec = rescaleTemplate(
      { type: 'piecewiseConstant', boundaries: [50, 51, 52], values: [1, 0.5, 0.25, 0.1] },
      10,
    ) as unknown as { boundaries: number[] };
    expect(spec.boundaries).toEqual([3, 4, 5]);
  });
});
