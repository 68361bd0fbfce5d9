import { createScheduleRegistry } from '../create-schedule.js';
import type { ScheduleSpecError } from '../errors.js';
import type { SchedulePlugin, ScheduleRegistry } from '../registry.js';
import type { ScheduleSpec } from '../specs.js';
import type { Schedule, ScheduleSpecRecord } from '../types.js';

/** One spec the conformance suite exercises, with optional expected rates. */
export interface ConformanceExample {
  readonly spec: ScheduleSpec;
  /** Expected rates for t = 0, 1, …, compared to 1e-12 relative. */
  readonly expected?: readonly number[];
  /** Steps to evaluate (default 64, or the length of `metrics`/`expected` if longer). */
  readonly steps?: number;
  /** Metrics fed after each step, for stateful schedules. */
  readonly metrics?: readonly number[];
}

/** One named check; `run` throws an Error describing the first failure. */
export interface ConformanceCheck {
  readonly name: string;
  run(): void;
}

/** What to check: a plugin (registered on a fresh registry) or a registry, plus examples. */
export interface ConformanceOptions {
  readonly plugin?: SchedulePlugin;
  readonly registry?: ScheduleRegistry;
  /** At least one example per schedule type of the plugin. */
  readonly examples: readonly ConformanceExample[];
}

function fail(message: string): never {
  throw new Error(message);
}

function close(actual: number, expected: number, relative: number): boolean {
  return Math.abs(actual - expected) <= relative * Math.max(Math.abs(expected), 1e-300);
}

function stepsOf(example: ConformanceExample): number {
  return Math.max(example.steps ?? 64, example.metrics?.length ?? 0, example.expected?.length ?? 0);
}

/** Runs the example's steps, feeding metrics; returns the rates. */
function replay(schedule: Schedule, example: ConformanceExample, from = 0, to = stepsOf(example)): number[] {
  const rates: number[] = [];
  for (let t = from; t < to; t += 1) {
    rates.push(schedule.value(t));
    const metric = example.metrics?.[t];
    if (metric !== undefined) schedule.observe(metric, t);
  }
  return rates;
}

function expectSpecError(create: () => unknown, field: string, context: string): void {
  try {
    create();
  } catch (error) {
    const specError = error as Partial<ScheduleSpecError>;
    if (specError.name !== 'ScheduleSpecError' || specError.field !== field) {
      fail(`${context}: expected a ScheduleSpecError naming "${field}", got ${String(error)}`);
    }
    if (String(specError.message).includes('\n')) fail(`${context}: the error message must be one line`);
    return;
  }
  fail(`${context}: expected a ScheduleSpecError naming "${field}", but the spec was accepted`);
}

/**
 * The checks every schedule type must pass — built-ins run exactly these, and a plugin author runs
 * them on their plugin: rates finite and ≥ 0, pure in t (order of evaluation does not matter),
 * the normalised spec rebuilds the same schedule from JSON, expected values to 1e-12, unknown
 * parameters / NaN / Infinity / missing required parameters rejected with a ScheduleSpecError
 * naming the field, bad steps rejected, `lr` inherited inside combinators, and stateful schedules
 * restored exactly from JSON state.
 */
export function scheduleConformanceChecks(options: ConformanceOptions): ConformanceCheck[] {
  const registry =
    options.registry ?? createScheduleRegistry(options.plugin ? { plugins: [options.plugin] } : {});
  const checks: ConformanceCheck[] = [];
  const add = (name: string, run: () => void) => checks.push({ name, run });

  if (options.plugin) {
    const plugin = options.plugin;
    add(`${plugin.meta.name}: every schedule has an example`, () => {
      for (const key of Object.keys(plugin.schedules)) {
        const type = `${plugin.meta.name}:${key}`;
        if (!options.examples.some((example) => example.spec.type === type)) fail(`no example for "${type}"`);
      }
    });
  }

  options.examples.forEach((example, index) => {
    // The checks below take the spec apart field by field, as the registry sees JSON.
    const spec = example.spec as unknown as ScheduleSpecRecord;
    const label = `${spec.type} #${index + 1}`;
    const create = (given: unknown = spec) => registry.create(given);
    const definition = registry.definition(spec.type);

    add(`${label}: rates are finite and ≥ 0`, () => {
      replay(create(), example).forEach((rate, t) => {
        if (!Number.isFinite(rate) || rate < 0) fail(`rate at t=${t} is ${rate}`);
      });
    });

    if (example.expected) {
      const expected = example.expected;
      add(`${label}: equals the expected rates to 1e-12`, () => {
        replay(create(), example, 0, expected.length).forEach((rate, t) => {
          if (!close(rate, expected[t] as number, 1e-12))
            fail(`rate at t=${t} is ${rate}, expected ${expected[t]}`);
        });
      });
    }

    add(`${label}: the normalised spec rebuilds the same schedule from JSON`, () => {
      const original = create();
      const rebuilt = create(JSON.parse(JSON.stringify(original.spec)));
      if (JSON.stringify(rebuilt.spec) !== JSON.stringify(original.spec))
        fail('normalising twice changed the spec');
      const a = replay(original, example);
      const b = replay(rebuilt, example);
      a.forEach((rate, t) => {
        if (!Object.is(rate, b[t])) fail(`rebuilt rate at t=${t} is ${b[t]}, original ${rate}`);
      });
    });

    add(`${label}: rejects bad steps`, () => {
      const schedule = create();
      for (const t of [-1, Number.NaN, Number.POSITIVE_INFINITY]) {
        let threw = false;
        try {
          schedule.value(t);
        } catch (error) {
          threw = (error as Error).name === 'ScheduleValueError';
        }
        if (!threw) fail(`value(${t}) did not throw a ScheduleValueError`);
      }
    });

    add(`${label}: rejects an unknown parameter`, () => {
      expectSpecError(() => create({ ...spec, notAParameter: 1 }), 'notAParameter', 'unknown parameter');
    });

    add(`${label}: rejects NaN and Infinity in number parameters`, () => {
      for (const [name, descriptor] of Object.entries(definition.parameters)) {
        if (descriptor.kind !== 'number' || typeof spec[name] !== 'number') continue;
        for (const bad of [Number.NaN, Number.POSITIVE_INFINITY]) {
          expectSpecError(() => create({ ...spec, [name]: bad }), name, `${name} = ${bad}`);
        }
      }
    });

    add(`${label}: names a missing required parameter`, () => {
      for (const [name, descriptor] of Object.entries(definition.parameters)) {
        const hasDefault = 'default' in descriptor && descriptor.default !== undefined;
        if (hasDefault || descriptor.optional || spec[name] === undefined) continue;
        const { [name]: _removed, ...rest } = spec;
        expectSpecError(() => create(rest), name, `without ${name}`);
      }
    });

    const lrDescriptor = definition.parameters.lr;
    if (lrDescriptor?.kind === 'number' && lrDescriptor.inheritable && typeof spec.lr === 'number') {
      add(`${label}: inherits lr inside sequential and warmup`, () => {
        const { lr, ...member } = spec;
        const direct = replay(create(), example);
        const viaSequential = replay(
          create({ type: 'sequential', lr, schedules: [member], milestones: [] }),
          example,
        );
        direct.forEach((rate, t) => {
          if (!close(viaSequential[t] as number, rate, 1e-15))
            fail(`inherited rate at t=${t} is ${viaSequential[t]}, direct ${rate}`);
        });
        const viaWarmup = create({ type: 'warmup', lr, steps: 1, schedule: member });
        if (!close(viaWarmup.value(1), direct[0] as number, 1e-15))
          fail('warmup did not hand lr to its member');
      });
    }

    add(`${label}: is pure in t, or restores its state exactly`, () => {
      const steps = stepsOf(example);
      const forward = replay(create(), example);
      const schedule = create();
      if (!schedule.stateful) {
        for (let t = steps - 1; t >= 0; t -= 1) {
          if (!Object.is(schedule.value(t), forward[t]))
            fail(`value(${t}) depends on the order of evaluation`);
        }
        if (schedule.getState() !== null) fail('a pure schedule must report null state');
        return;
      }
      const half = Math.floor(steps / 2);
      const first = replay(schedule, example, 0, half);
      const resumed = create();
      resumed.setState(JSON.parse(JSON.stringify(schedule.getState())));
      const rest = replay(resumed, example, half, steps);
      [...first, ...rest].forEach((rate, t) => {
        if (!Object.is(rate, forward[t]))
          fail(`after restoring state, rate at t=${t} is ${rate}, expected ${forward[t]}`);
      });
    });
  });
  return checks;
}

/** `describe` and `it` of the test runner in use (vitest, jest, mocha, node:test all fit). */
export interface TestRunner {
  describe(name: string, body: () => void): unknown;
  it(name: string, body: () => void): unknown;
}

/**
 * Registers the conformance checks as tests, like ESLint's RuleTester:
 *
 * @example
 * import { describe, it } from 'vitest';
 * describeScheduleConformance('acme schedules', { plugin, examples }, { describe, it });
 */
export function describeScheduleConformance(
  title: string,
  options: ConformanceOptions,
  runner: TestRunner,
): void {
  runner.describe(title, () => {
    for (const check of scheduleConformanceChecks(options)) runner.it(check.name, () => check.run());
  });
}
