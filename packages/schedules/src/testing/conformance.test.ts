import { describe, expect, it } from 'vitest';
import { builtInSchedules } from '../built-ins/index.js';
import { createScheduleRegistry } from '../create-schedule.js';
import { defineSchedulePlugin } from '../registry.js';
import { builtInConformanceExamples } from './built-in-examples.js';
import { describeScheduleConformance, scheduleConformanceChecks } from './conformance.js';

// The broken plugin's types, declared as a plugin author declares theirs (typed examples below).
declare module '../specs.js' {
  interface PluginScheduleOptions {
    'broken:drifting': { lr: number };
    'broken:negative': { lr: number };
  }
}

describe('builtInConformanceExamples', () => {
  it('covers every built-in type', () => {
    const covered = new Set<string>(builtInConformanceExamples.map((example) => example.spec.type));
    expect(Object.keys(builtInSchedules).filter((type) => !covered.has(type))).toEqual([]);
  });
});

describeScheduleConformance('built-in schedules', { examples: builtInConformanceExamples }, { describe, it });

describe('scheduleConformanceChecks', () => {
  // A deliberately broken plugin: its rate depends on call order and goes negative.
  let calls = 0;
  const broken = defineSchedulePlugin({
    specificationVersion: 'v1',
    meta: { name: 'broken', version: '0.0.1' },
    schedules: {
      drifting: {
        description: 'not a pure function of t',
        parameters: {
          lr: { kind: 'number', min: 0, minInclusive: true, inheritable: true, description: 'rate' },
        },
        create: ({ lr }) => ({
          value: () => {
            calls += 1;
            return (lr as number) / calls;
          },
        }),
      },
      negative: {
        description: 'goes below zero',
        parameters: { lr: { kind: 'number', min: 0, minInclusive: true, description: 'rate' } },
        create: ({ lr }) => ({ value: (t) => (lr as number) - t }),
      },
    },
  });
  const run = (name: string) => {
    const checks = scheduleConformanceChecks({
      plugin: broken,
      examples: [{ spec: { type: 'broken:drifting', lr: 1 } }, { spec: { type: 'broken:negative', lr: 1 } }],
    });
    const check = checks.find((candidate) => candidate.name === name);
    if (!check) throw new Error(`no check named ${name}`);
    return () => check.run();
  };

  it('catches a schedule that is not a pure function of t', () => {
    expect(run('broken:drifting #1: is pure in t, or restores its state exactly')).toThrow(
      /depends on the order/,
    );
  });
  it('catches a schedule that produces negative rates', () => {
    expect(run('broken:negative #2: rates are finite and ≥ 0')).toThrow(
      /a learning rate must be a finite number ≥ 0/,
    );
  });
  it('catches a plugin schedule without an example', () => {
    const checks = scheduleConformanceChecks({
      plugin: broken,
      examples: [{ spec: { type: 'broken:negative', lr: 1 } }],
    });
    expect(() => checks[0]?.run()).toThrow('no example for "broken:drifting"');
  });
  it('accepts a registry instead of a plugin', () => {
    const checks = scheduleConformanceChecks({
      registry: createScheduleRegistry(),
      examples: [{ spec: { type: 'constant', lr: 1 } }],
    });
    for (const check of checks) check.run();
    expect(checks.length).toBeGreaterThanOrEqual(7);
  });
});
