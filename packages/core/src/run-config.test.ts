import { defineSchedulePlugin, registerSchedulePlugin } from '@contour/schedules';
import { describe, expect, it } from 'vitest';
import { CoreSpecError } from './core-spec-error.js';
import { configHash, resolveRunConfig } from './run-config.js';
import { expandSweep } from './sweep.js';

// Registered process-wide: this file is the only one of core's tests that knows it.
const tenths = defineSchedulePlugin({
  specificationVersion: 'v1',
  meta: { name: 'tenths', version: '1.0.0' },
  schedules: {
    decay: {
      description: 'lr·0.9^t',
      parameters: {
        lr: { kind: 'number', min: 0, minInclusive: true, inheritable: true, description: 'rate' },
        base: { kind: 'number', min: 0, max: 1, default: 0.9, description: 'factor per step' },
      },
      create: ({ lr, base }) => ({ value: (t) => (lr as number) * (base as number) ** t }),
    },
  },
});

describe('resolveRunConfig', () => {
  it('keeps schedulePlugins only when given, so configs without plugins hash as before', () => {
    const plain = resolveRunConfig({ training: { epochs: 2 } });
    expect('schedulePlugins' in plain).toBe(false);
    expect(configHash(resolveRunConfig({ training: { epochs: 2 }, schedulePlugins: [] }))).toBe(
      configHash(plain),
    );
    const named = resolveRunConfig({
      training: { epochs: 2 },
      schedulePlugins: ['file:///p/acme.js', 'acme'],
    });
    expect(named.schedulePlugins).toEqual(['file:///p/acme.js', 'acme']);
    expect(configHash(named)).not.toBe(configHash(plain));
  });

  it('refuses schedulePlugins that are not distinct module specifiers, naming the field', () => {
    for (const value of ['acme', [''], [1], ['a', 'a']]) {
      expect(() => resolveRunConfig({ schedulePlugins: value })).toThrow(CoreSpecError);
      expect(() => resolveRunConfig({ schedulePlugins: value })).toThrow(
        '"schedulePlugins" must be an array of distinct module specifiers (file: URLs or package names)',
      );
    }
  });

  it("checks a plugin's schedule once the plugin is registered, and a sweep varies its parameters", () => {
    const training = { optimizer: { type: 'sgd', lr: { type: 'tenths:decay', lr: 0.5 } } };
    expect(() => resolveRunConfig({ training })).toThrow(
      /"lr\.type" of "sgd" must be one of .*, or a plugin's "namespace:type" once its plugin is registered/,
    );
    registerSchedulePlugin(tenths);
    const base = resolveRunConfig({ training, schedulePlugins: ['tenths-module'] });
    const trials = expandSweep('p', base, [{ key: 'optimizer.lr.base', values: [0.5, 0.8] }]);
    expect(trials.map((trial) => trial.config.training.optimizer.lr)).toEqual([
      { type: 'tenths:decay', lr: 0.5, base: 0.5 },
      { type: 'tenths:decay', lr: 0.5, base: 0.8 },
    ]);
    expect(trials.map((trial) => trial.config.schedulePlugins)).toEqual([
      ['tenths-module'],
      ['tenths-module'],
    ]);
    expect(() => expandSweep('p', base, [{ key: 'optimizer.lr.base', values: [2] }])).toThrow(
      /trial 0 \(optimizer\.lr\.base=2\)/,
    );
  });
});
