import { describe, expect, it } from 'vitest';
import {
  createSchedule,
  createScheduleFromJson,
  createScheduleRegistry,
  registerSchedulePlugin,
  toSchedule,
} from './create-schedule.js';
import { SchedulePluginError, UnknownScheduleTypeError } from './errors.js';
import { defineSchedulePlugin } from './registry.js';

// Its own test file: the registration is process-wide, and vitest isolates test files.
const halving = defineSchedulePlugin({
  specificationVersion: 'v1',
  meta: { name: 'halving', version: '1.0.0' },
  schedules: {
    perStep: {
      description: 'η(t) = lr/2^t',
      parameters: {
        lr: { kind: 'number', min: 0, minInclusive: true, inheritable: true, description: 'rate' },
      },
      create: ({ lr }) => ({ value: (t) => (lr as number) / 2 ** t }),
    },
  },
});

describe('registerSchedulePlugin', () => {
  it('makes the plugin types work wherever no registry is given, members included', () => {
    expect(() => createScheduleFromJson({ type: 'halving:perStep', lr: 1 })).toThrow(
      UnknownScheduleTypeError,
    );
    expect(() => createScheduleFromJson({ type: 'halving:perStep', lr: 1 })).toThrow(
      `or a plugin's "namespace:type" once its plugin is registered (e.g. --plugin <module>); got "halving:perStep"`,
    );
    registerSchedulePlugin(halving);
    expect(
      [0, 1, 2, 3].map((t) => createScheduleFromJson({ type: 'halving:perStep', lr: 0.8 }).value(t)),
    ).toEqual([0.8, 0.4, 0.2, 0.1]);
    const inherited = toSchedule({
      type: 'warmup',
      lr: 1,
      steps: 2,
      startFactor: 0.5,
      schedule: { type: 'halving:perStep' },
    } as never);
    // warmup: 0.5 → 1 over 2 steps (of s(0) = 1), then s(t − 2) = 1/2^(t − 2).
    expect([0, 1, 2, 3, 4].map((t) => inherited.value(t))).toEqual([0.5, 0.75, 1, 0.5, 0.25]);
    expect(createSchedule({ type: 'step', lr: 0.1, stepSize: 1 }).value(1)).toBeCloseTo(0.01, 15);
  });

  it('ignores the same plugin object again and refuses another plugin of the same name', () => {
    registerSchedulePlugin(halving);
    registerSchedulePlugin(halving);
    const impostor = defineSchedulePlugin({ ...halving, meta: { name: 'halving', version: '2.0.0' } });
    expect(() => registerSchedulePlugin(impostor)).toThrow(SchedulePluginError);
    expect(() => registerSchedulePlugin(impostor)).toThrow(
      'schedule plugin "halving" is already registered (version 1.0.0); cannot register version 2.0.0 too',
    );
    expect(() => registerSchedulePlugin({} as never)).toThrow(SchedulePluginError);
  });

  it('leaves registries made with createScheduleRegistry alone', () => {
    registerSchedulePlugin(halving);
    expect(createScheduleRegistry().has('halving:perStep')).toBe(false);
  });
});
