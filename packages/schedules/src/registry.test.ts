import { describe, expect, it } from 'vitest';
import { createSchedule, createScheduleFromJson, createScheduleRegistry } from './create-schedule.js';
import { SchedulePluginError, ScheduleSpecError, UnknownScheduleTypeError } from './errors.js';
import { defineSchedulePlugin } from './registry.js';

const acme = defineSchedulePlugin({
  specificationVersion: 'v1',
  meta: { name: 'acme', version: '1.2.0' },
  schedules: {
    halving: {
      description: 'η(t) = lr/2^t',
      parameters: {
        lr: { kind: 'number', min: 0, minInclusive: true, inheritable: true, description: 'rate' },
      },
      create: ({ lr }) => ({ value: (t) => (lr as number) / 2 ** t }),
    },
  },
});

/** A plugin whose schedules fail the ways third-party code does. */
const broken = defineSchedulePlugin({
  specificationVersion: 'v1',
  meta: { name: 'broken', version: '0.0.1' },
  schedules: {
    createThrows: {
      description: 'create throws',
      parameters: {},
      create: () => {
        throw new Error('create boom');
      },
    },
    createNull: { description: 'create returns null', parameters: {}, create: () => null as never },
    valueThrows: {
      description: 'value throws',
      parameters: {},
      create: () => ({
        value: () => {
          throw new TypeError('value boom');
        },
      }),
    },
    valueNegative: { description: 'value < 0', parameters: {}, create: () => ({ value: () => -1 }) },
  },
});

describe('ScheduleRegistry', () => {
  it('names the plugin and the schedule type when a plugin schedule fails', () => {
    const registry = createScheduleRegistry({ plugins: [broken] });
    expect(() => registry.create({ type: 'broken:createThrows' })).toThrow(
      new SchedulePluginError(
        'schedule "broken:createThrows" (plugin broken@0.0.1): create() threw: create boom',
      ),
    );
    expect(() => registry.create({ type: 'broken:createNull' })).toThrow(
      'schedule "broken:createNull" (plugin broken@0.0.1): create() returned null; it must return an object with a value(t) function',
    );
    const throwing = registry.create({ type: 'broken:valueThrows' });
    expect(() => throwing.value(3)).toThrow(
      new SchedulePluginError(
        'schedule "broken:valueThrows" (plugin broken@0.0.1): value(3) threw: value boom',
      ),
    );
    expect(() => registry.create({ type: 'broken:valueNegative' }).value(0)).toThrow(
      'schedule "broken:valueNegative" (plugin broken@0.0.1) gave -1 at t=0: a learning rate must be a finite number ≥ 0',
    );
  });
  it('rejects __proto__, constructor and toString as parameters like any unknown key', () => {
    for (const key of ['__proto__', 'constructor', 'toString']) {
      const spec = JSON.parse(`{"type":"step","lr":0.1,"stepSize":2,"${key}":{"x":1}}`);
      expect(() => createSchedule(spec), key).toThrow(
        `"${key}" of "step" must be absent: it is not a parameter`,
      );
    }
  });
  it('registers plugin types under their namespace and composes them with built-ins', () => {
    const registry = createScheduleRegistry({ plugins: [acme] });
    expect(registry.has('acme:halving')).toBe(true);
    const schedule = registry.create({ type: 'warmup', lr: 8, steps: 1, schedule: { type: 'acme:halving' } });
    expect([0, 1, 2, 3].map((t) => schedule.value(t))).toEqual([0, 8, 4, 2]);
  });
  it('lists an unknown type with every known id, plugin ids included', () => {
    const registry = createScheduleRegistry({ plugins: [acme] });
    const error = (() => {
      try {
        registry.create({ type: 'acme:doubling' });
      } catch (caught) {
        return caught as UnknownScheduleTypeError;
      }
    })();
    expect(error).toBeInstanceOf(UnknownScheduleTypeError);
    expect(error?.knownTypes).toContain('acme:halving');
    expect(error?.knownTypes).toContain('oneCycle');
    expect(error?.message).toMatch(
      /^schedule spec: "type" must be one of constant, .*acme:halving, or a plugin's "namespace:type" once its plugin is registered \(e\.g\. --plugin <module>\); got "acme:doubling"$/,
    );
  });
  it('rejects a plugin registered twice and a malformed plugin', () => {
    const registry = createScheduleRegistry({ plugins: [acme] });
    expect(() => registry.use({ ...acme, meta: { name: 'acme', version: '2.0.0' } })).toThrow(
      'schedule plugin "acme" is already registered (version 1.2.0); cannot register version 2.0.0 too',
    );
    expect(() => defineSchedulePlugin({ ...acme, specificationVersion: 'v2' as 'v1' })).toThrow(
      SchedulePluginError,
    );
    expect(() => defineSchedulePlugin({ ...acme, meta: { name: 'Acme Corp', version: '1' } })).toThrow(
      /meta.name/,
    );
    expect(() => defineSchedulePlugin({ ...acme, schedules: {} })).toThrow(/"schedules" is empty/);
  });
  it('lists every type with parameters, defaults and whether they are required', () => {
    const list = createScheduleRegistry({ plugins: [acme] }).list();
    const step = list.find((entry) => entry.type === 'step');
    expect(step?.reference).toBe('PyTorch StepLR');
    expect(step?.parameters).toEqual([
      expect.objectContaining({ name: 'lr', required: true }),
      expect.objectContaining({ name: 'stepSize', required: true, accepts: 'an integer > 0' }),
      expect.objectContaining({ name: 'gamma', required: false, default: 0.1 }),
    ]);
    expect(list.find((entry) => entry.type === 'acme:halving')?.source).toBe('acme@1.2.0');
    expect(list).toHaveLength(24);
  });
});

describe('createSchedule', () => {
  it('rejects specs that are not objects or have no string type', () => {
    expect(() => createScheduleFromJson('step')).toThrow(
      'schedule spec: "spec" must be a JSON object like {"type": "step", ...}; got "step"',
    );
    expect(() => createScheduleFromJson({ lr: 1 })).toThrow(/"type" must be one of/);
    expect(() => createScheduleFromJson({ type: 'step', lr: 1, stepSize: 2, unit: 'batch' })).toThrow(
      'schedule spec: "unit" of "step" must be one of "step", "epoch"; got "batch"',
    );
  });
  it('names nested fields with their path', () => {
    expect(() =>
      createSchedule({
        type: 'chain',
        lr: 1,
        schedules: [{ type: 'constant' }, { type: 'step', stepSize: 0 }],
      }),
    ).toThrow('schedule spec: "schedules[1].stepSize" of "step" must be an integer > 0; got 0');
  });
  it.each([
    [{ type: 'step', lr: -0.1, stepSize: 2 }, 'lr', 'a finite number ≥ 0'],
    [{ type: 'step', lr: 0.1, stepSize: 2.5 }, 'stepSize', 'an integer > 0'],
    [{ type: 'exponential', lr: 0.1, gamma: Number.POSITIVE_INFINITY }, 'gamma', 'a finite number > 0'],
    [{ type: 'cosine', lr: 0.1, tMax: 0 }, 'tMax', 'an integer > 0'],
    [
      { type: 'multiStep', lr: 0.1, milestones: 'x' },
      'milestones',
      'an array of integers ≥ 0 in increasing order',
    ],
    [
      { type: 'cyclic', baseLr: 0.1, maxLr: 1, mode: 'sine' },
      'mode',
      'one of "triangular", "triangular2", "expRange"',
    ],
    [{ type: 'linear', lr: 1, startFactor: 0 }, 'startFactor', 'a finite number > 0 and ≤ 1'],
    [{ type: 'reduceOnPlateau', lr: 1, factor: 1 }, 'factor', 'a finite number > 0 and < 1'],
    [{ type: 'oneCycle', maxLr: 1, totalSteps: 10, threePhase: 'yes' }, 'threePhase', 'true or false'],
    [
      { type: 'sequential', lr: 1, schedules: [], milestones: [] },
      'schedules',
      'an array of 1 or more schedule spec objects',
    ],
  ])('rejects %j naming %s', (spec, field, allowed) => {
    try {
      createScheduleFromJson(spec);
      expect.fail('accepted');
    } catch (error) {
      expect(error).toBeInstanceOf(ScheduleSpecError);
      expect((error as ScheduleSpecError).field).toBe(field);
      expect((error as ScheduleSpecError).allowed).toBe(allowed);
      expect((error as Error).message).not.toContain('\n');
    }
  });
  it('fills defaults into the normalised spec', () => {
    expect(createSchedule({ type: 'step', lr: 0.1, stepSize: 3 }).spec).toEqual({
      type: 'step',
      unit: 'step',
      lr: 0.1,
      stepSize: 3,
      gamma: 0.1,
    });
  });
});
