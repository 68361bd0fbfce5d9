import {
  describeValue,
  SchedulePluginError,
  ScheduleSpecError,
  ScheduleValueError,
  UnknownScheduleTypeError,
} from './errors.js';
import { describeParameter, resolveParameters } from './parameters.js';
import type { ScheduleSpec } from './specs.js';
import type {
  JsonValue,
  ParameterDescriptor,
  Schedule,
  ScheduleBehaviour,
  ScheduleContext,
  ScheduleDefinition,
  ScheduleSpecRecord,
  ScheduleUnit,
} from './types.js';

/**
 * A schedule plugin: a named, versioned set of schedule definitions. Its types are used as
 * `"<meta.name>:<key>"`, e.g. `"acme:warmSine"`. Build one with `defineSchedulePlugin`.
 */
export interface SchedulePlugin {
  readonly specificationVersion: 'v1';
  readonly meta: { readonly name: string; readonly version: string };
  readonly schedules: Readonly<Record<string, ScheduleDefinition>>;
}

/** One row of `registry.list()`: a type id with its parameters, for help screens and docs. */
export interface ScheduleTypeInfo {
  readonly type: string;
  readonly description: string;
  readonly reference: string | undefined;
  /** `builtin` or the plugin name and version, e.g. `acme@1.0.0`. */
  readonly source: string;
  readonly parameters: ReadonlyArray<{
    readonly name: string;
    readonly accepts: string;
    readonly default: unknown;
    readonly required: boolean;
    readonly description: string;
  }>;
}

const pluginNamePattern = /^[a-z][a-z0-9-]*$/;
const scheduleKeyPattern = /^[a-zA-Z][a-zA-Z0-9]*$/;

/**
 * Declares a schedule plugin and checks its shape at once: `specificationVersion` must be `'v1'`,
 * `meta.name` a lower-case namespace (`/^[a-z][a-z0-9-]*$/`), `meta.version` a string, and every
 * schedule key an identifier with a `create` function and parameter descriptors. Throws
 * SchedulePluginError otherwise.
 *
 * @example
 * export default defineSchedulePlugin({
 *   specificationVersion: 'v1',
 *   meta: { name: 'acme', version: '1.0.0' },
 *   schedules: { warmSine: { description: '...', parameters: { lr: {...} }, create: (p) => ({ value: (t) => ... }) } },
 * });
 */
export function defineSchedulePlugin<const Plugin extends SchedulePlugin>(plugin: Plugin): Plugin {
  assertPluginShape(plugin);
  return plugin;
}

function assertPluginShape(plugin: unknown): asserts plugin is SchedulePlugin {
  if (typeof plugin !== 'object' || plugin === null) {
    throw new SchedulePluginError(`schedule plugin must be an object; got ${describeValue(plugin)}`);
  }
  const candidate = plugin as Partial<SchedulePlugin>;
  if (candidate.specificationVersion !== 'v1') {
    throw new SchedulePluginError(
      `schedule plugin "specificationVersion" must be "v1"; got ${describeValue(candidate.specificationVersion)}`,
    );
  }
  const name = candidate.meta?.name;
  if (typeof name !== 'string' || !pluginNamePattern.test(name)) {
    throw new SchedulePluginError(
      `schedule plugin "meta.name" must match ${pluginNamePattern} (it becomes the namespace of its types); got ${describeValue(name)}`,
    );
  }
  if (typeof candidate.meta?.version !== 'string' || candidate.meta.version.length === 0) {
    throw new SchedulePluginError(`schedule plugin "${name}": "meta.version" must be a non-empty string`);
  }
  if (typeof candidate.schedules !== 'object' || candidate.schedules === null) {
    throw new SchedulePluginError(
      `schedule plugin "${name}": "schedules" must be an object of schedule definitions`,
    );
  }
  const keys = Object.keys(candidate.schedules);
  if (keys.length === 0) throw new SchedulePluginError(`schedule plugin "${name}": "schedules" is empty`);
  for (const key of keys) {
    const definition = candidate.schedules[key] as Partial<ScheduleDefinition> | undefined;
    if (!scheduleKeyPattern.test(key)) {
      throw new SchedulePluginError(
        `schedule plugin "${name}": schedule key "${key}" must match ${scheduleKeyPattern}`,
      );
    }
    if (typeof definition?.create !== 'function' || typeof definition.parameters !== 'object') {
      throw new SchedulePluginError(
        `schedule plugin "${name}": schedule "${key}" needs a "create" function and a "parameters" object`,
      );
    }
  }
}

interface RegisteredDefinition {
  readonly definition: ScheduleDefinition;
  readonly source: string;
}

/**
 * The set of schedule types a program knows: built-ins plus registered plugins. `create` turns a
 * JSON spec into a Schedule, validating every field.
 */
export class ScheduleRegistry {
  readonly #definitions = new Map<string, RegisteredDefinition>();
  readonly #plugins = new Map<string, SchedulePlugin>();

  constructor(builtIns: Readonly<Record<string, ScheduleDefinition>> = {}) {
    for (const [type, definition] of Object.entries(builtIns)) {
      this.#definitions.set(type, { definition, source: 'builtin' });
    }
  }

  /**
   * Registers a plugin's schedules as `"<name>:<key>"`. Throws SchedulePluginError if the plugin is
   * malformed, if a plugin of the same name is already registered, or if an id clashes.
   */
  use(plugin: SchedulePlugin): this {
    assertPluginShape(plugin);
    const { name, version } = plugin.meta;
    const existing = this.#plugins.get(name);
    if (existing) {
      throw new SchedulePluginError(
        `schedule plugin "${name}" is already registered (version ${existing.meta.version}); cannot register version ${version} too`,
      );
    }
    for (const key of Object.keys(plugin.schedules)) {
      if (this.#definitions.has(`${name}:${key}`)) {
        throw new SchedulePluginError(`schedule type "${name}:${key}" is already registered`);
      }
    }
    this.#plugins.set(name, plugin);
    for (const [key, definition] of Object.entries(plugin.schedules)) {
      this.#definitions.set(`${name}:${key}`, { definition, source: `${name}@${version}` });
    }
    return this;
  }

  /** Every registered type id, built-ins first. */
  types(): string[] {
    return [...this.#definitions.keys()];
  }

  /** True when `type` is registered. */
  has(type: string): boolean {
    return this.#definitions.has(type);
  }

  /** The definition of `type`; throws UnknownScheduleTypeError listing the known ids. */
  definition(type: string): ScheduleDefinition {
    const entry = this.#definitions.get(type);
    if (!entry) throw new UnknownScheduleTypeError(type, this.types());
    return entry.definition;
  }

  /** Every type with its parameters, defaults and reference: what `contour schedule --list` prints. */
  list(): ScheduleTypeInfo[] {
    return [...this.#definitions.entries()].map(([type, { definition, source }]) => ({
      type,
      description: definition.description,
      reference: definition.reference,
      source,
      parameters: Object.entries(definition.parameters).map(([name, descriptor]) => ({
        name,
        accepts: describeParameter(descriptor),
        default: 'default' in descriptor ? descriptor.default : undefined,
        required: !('default' in descriptor && descriptor.default !== undefined) && !descriptor.optional,
        description: descriptor.description,
      })),
    }));
  }

  /**
   * Builds a schedule from a JSON spec. Throws ScheduleSpecError (or UnknownScheduleTypeError)
   * naming the offending field when the spec is invalid.
   */
  create(spec: unknown): Schedule {
    return this.#build(spec, '', undefined, undefined);
  }

  #build(
    spec: unknown,
    field: string,
    inheritedLearningRate: number | undefined,
    parentUnit: ScheduleUnit | undefined,
  ): Schedule {
    const prefix = field ? `${field}.` : '';
    if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) {
      throw new ScheduleSpecError(field || 'spec', 'a JSON object like {"type": "step", ...}', spec);
    }
    const raw = spec as Record<string, unknown>;
    if (typeof raw.type !== 'string') {
      throw new UnknownScheduleTypeError(raw.type, this.types(), `${prefix}type`);
    }
    const type = raw.type;
    const entry = this.#definitions.get(type);
    if (!entry) throw new UnknownScheduleTypeError(type, this.types(), `${prefix}type`);
    let unit: ScheduleUnit = parentUnit ?? 'step';
    if (raw.unit !== undefined) {
      if (raw.unit !== 'step' && raw.unit !== 'epoch') {
        throw new ScheduleSpecError(`${prefix}unit`, 'one of "step", "epoch"', raw.unit, type);
      }
      if (parentUnit !== undefined && raw.unit !== parentUnit) {
        throw new ScheduleSpecError(
          `${prefix}unit`,
          `"${parentUnit}" like its parent (or absent)`,
          raw.unit,
          type,
        );
      }
      unit = raw.unit;
    }
    const parameters = resolveParameters(
      raw as ScheduleSpecRecord,
      entry.definition.parameters,
      prefix,
      inheritedLearningRate,
    );
    const members = new Map<string, Schedule>();
    const context: ScheduleContext = {
      unit,
      createMember: (memberSpec, memberField, memberLearningRate) => {
        const member = this.#build(memberSpec, `${prefix}${memberField}`, memberLearningRate, unit);
        members.set(memberField, member);
        return member;
      },
    };
    const plugin = entry.source === 'builtin' ? undefined : `schedule "${type}" (plugin ${entry.source})`;
    let behaviour: ScheduleBehaviour;
    try {
      behaviour = entry.definition.create(parameters, context);
    } catch (error) {
      if (!plugin || isScheduleError(error)) throw error;
      throw new SchedulePluginError(`${plugin}: create() threw: ${firstLine(error)}`);
    }
    if (
      plugin &&
      (typeof behaviour !== 'object' || behaviour === null || typeof behaviour.value !== 'function')
    )
      throw new SchedulePluginError(
        `${plugin}: create() returned ${describeValue(behaviour)}; it must return an object with a value(t) function`,
      );
    const normalized = normalizeSpec(type, unit, parameters, entry.definition.parameters, members);
    return wrapBehaviour(type, unit, normalized, parameters, behaviour, plugin);
  }
}

function normalizeSpec(
  type: string,
  unit: ScheduleUnit,
  parameters: Readonly<Record<string, unknown>>,
  descriptors: Readonly<Record<string, ParameterDescriptor>>,
  members: ReadonlyMap<string, Schedule>,
): ScheduleSpec {
  const normalized: Record<string, unknown> = { type, unit };
  for (const [name, value] of Object.entries(parameters)) {
    const descriptor = descriptors[name];
    if (descriptor?.kind === 'schedule') {
      normalized[name] = members.get(name)?.spec ?? value;
    } else if (descriptor?.kind === 'schedules' && Array.isArray(value)) {
      normalized[name] = value.map(
        (memberSpec, index) => members.get(`${name}[${index}]`)?.spec ?? memberSpec,
      );
    } else {
      normalized[name] = value;
    }
  }
  return normalized as unknown as ScheduleSpec;
}

/** Errors Contour raises itself (a member's bad spec inside a plugin's create passes through). */
function isScheduleError(error: unknown): boolean {
  return (
    error instanceof ScheduleSpecError ||
    error instanceof UnknownScheduleTypeError ||
    error instanceof SchedulePluginError ||
    error instanceof ScheduleValueError
  );
}

function firstLine(error: unknown): string {
  return error instanceof Error ? (error.message.split('\n')[0] ?? error.name) : describeValue(error);
}

function checkStep(type: string, t: number): void {
  if (typeof t !== 'number' || !Number.isFinite(t) || t < 0) {
    throw new ScheduleValueError(
      `schedule "${type}": step t must be a finite number ≥ 0; got ${describeValue(t)}`,
    );
  }
}

function wrapBehaviour(
  type: string,
  unit: ScheduleUnit,
  spec: ScheduleSpec,
  parameters: Readonly<Record<string, unknown>>,
  behaviour: ScheduleBehaviour,
  /** `schedule "acme:x" (plugin acme@1.0.0)` for a plugin's schedule: its errors name it. */
  plugin?: string,
): Schedule {
  const ownRate = behaviour.baseLearningRate ?? parameters.lr;
  const baseLearningRate = typeof ownRate === 'number' ? ownRate : Number.NaN;
  const state = behaviour.state;
  const momentum = behaviour.momentum?.bind(behaviour);
  return {
    type,
    unit,
    spec,
    baseLearningRate,
    stateful: state !== undefined,
    cyclesMomentum: momentum !== undefined,
    value(t: number): number {
      checkStep(type, t);
      let rate: number;
      try {
        rate = behaviour.value(t);
      } catch (error) {
        if (!plugin || isScheduleError(error)) throw error;
        throw new SchedulePluginError(`${plugin}: value(${t}) threw: ${firstLine(error)}`);
      }
      if (!Number.isFinite(rate) || rate < 0) {
        throw new ScheduleValueError(
          `${plugin ?? `schedule "${type}"`} gave ${describeValue(rate)} at t=${t}: a learning rate must be a finite number ≥ 0`,
        );
      }
      return rate;
    },
    momentum(t: number): number | undefined {
      if (!momentum) return undefined;
      checkStep(type, t);
      return momentum(t);
    },
    observe(metric: number, t: number): void {
      state?.observe(metric, t);
    },
    getState(): JsonValue {
      return state ? state.get() : null;
    },
    setState(saved: JsonValue): void {
      if (state) state.set(saved);
      else if (saved !== null) {
        throw new ScheduleValueError(`schedule "${type}" holds no state; can only restore null`);
      }
    },
  };
}
