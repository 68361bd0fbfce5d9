import { ScheduleSpecError } from './errors.js';
import type {
  NumberListParameter,
  NumberParameter,
  ParameterDescriptor,
  ParameterDescriptors,
  ResolvedParameters,
  ScheduleSpecRecord,
} from './types.js';

/** Keys every spec may carry besides its parameters. */
const reservedKeys = new Set(['type', 'unit']);

/** Words for a number parameter's allowed range, e.g. `an integer > 0`. */
export function describeNumberRange(descriptor: NumberParameter): string {
  const parts: string[] = [];
  if (descriptor.min !== undefined) parts.push(`${descriptor.minInclusive ? '≥' : '>'} ${descriptor.min}`);
  if (descriptor.max !== undefined) parts.push(`${descriptor.maxInclusive ? '≤' : '<'} ${descriptor.max}`);
  const noun = descriptor.integer ? 'an integer' : 'a finite number';
  return parts.length === 0 ? noun : `${noun} ${parts.join(' and ')}`;
}

/** Words for what a parameter accepts, used by errors and `--list`. */
export function describeParameter(descriptor: ParameterDescriptor): string {
  switch (descriptor.kind) {
    case 'number':
      return describeNumberRange(descriptor);
    case 'boolean':
      return 'true or false';
    case 'choice':
      return `one of ${descriptor.choices.map((choice) => JSON.stringify(choice)).join(', ')}`;
    case 'numbers':
      return describeNumberList(descriptor);
    case 'string':
      return 'a string';
    case 'schedule':
      return 'a schedule spec object';
    case 'schedules':
      return `an array of ${descriptor.minLength ?? 1} or more schedule spec objects`;
  }
}

function describeNumberList(descriptor: NumberListParameter): string {
  const element = descriptor.integer ? 'integers' : 'finite numbers';
  const bound = descriptor.min === undefined ? '' : ` ≥ ${descriptor.min}`;
  const order =
    descriptor.order === 'increasing'
      ? ' in strictly increasing order'
      : descriptor.order === 'nondecreasing'
        ? ' in increasing order'
        : '';
  const length = descriptor.minLength ? `${descriptor.minLength} or more ` : '';
  return `an array of ${length}${element}${bound}${order}`;
}

function isInRange(value: number, descriptor: NumberParameter): boolean {
  if (descriptor.integer && !Number.isInteger(value)) return false;
  if (
    descriptor.min !== undefined &&
    (descriptor.minInclusive ? value < descriptor.min : value <= descriptor.min)
  )
    return false;
  if (
    descriptor.max !== undefined &&
    (descriptor.maxInclusive ? value > descriptor.max : value >= descriptor.max)
  )
    return false;
  return true;
}

function checkNumberList(value: unknown, descriptor: NumberListParameter): boolean {
  if (!Array.isArray(value)) return false;
  if (value.length < (descriptor.minLength ?? 0)) return false;
  for (let index = 0; index < value.length; index += 1) {
    const element = value[index];
    if (typeof element !== 'number' || !Number.isFinite(element)) return false;
    if (descriptor.integer && !Number.isInteger(element)) return false;
    if (descriptor.min !== undefined && element < descriptor.min) return false;
    if (index > 0) {
      const previous = value[index - 1] as number;
      if (descriptor.order === 'increasing' && element <= previous) return false;
      if (descriptor.order === 'nondecreasing' && element < previous) return false;
    }
  }
  return true;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Checks one parameter value against its descriptor; returns false when it does not fit. */
function fits(value: unknown, descriptor: ParameterDescriptor): boolean {
  switch (descriptor.kind) {
    case 'number':
      return typeof value === 'number' && Number.isFinite(value) && isInRange(value, descriptor);
    case 'boolean':
      return typeof value === 'boolean';
    case 'choice':
      return typeof value === 'string' && descriptor.choices.includes(value);
    case 'numbers':
      return checkNumberList(value, descriptor);
    case 'string':
      return typeof value === 'string' && value.length > 0;
    case 'schedule':
      return isPlainObject(value);
    case 'schedules':
      return (
        Array.isArray(value) && value.length >= (descriptor.minLength ?? 1) && value.every(isPlainObject)
      );
  }
}

/**
 * Validates a spec's parameters against the definition's descriptors and fills in defaults.
 * Unknown keys, missing required parameters and values out of range throw a ScheduleSpecError
 * naming the field (prefixed with `path`, e.g. `schedules[0].`) and what it accepts.
 */
export function resolveParameters(
  spec: ScheduleSpecRecord,
  descriptors: ParameterDescriptors,
  path: string,
  inheritedLearningRate: number | undefined,
): ResolvedParameters {
  const resolved: Record<string, unknown> = {};
  for (const key of Object.keys(spec)) {
    // Own keys only: `__proto__`, `constructor` and `toString` are "in" every object.
    if (!reservedKeys.has(key) && !Object.hasOwn(descriptors, key)) {
      const known = Object.keys(descriptors);
      throw new ScheduleSpecError(
        `${path}${key}`,
        `absent: it is not a parameter (known: ${known.length ? known.join(', ') : 'none'})`,
        spec[key],
        spec.type,
      );
    }
  }
  for (const [name, descriptor] of Object.entries(descriptors)) {
    let value = spec[name];
    if (value === undefined && descriptor.kind === 'number' && descriptor.inheritable)
      value = inheritedLearningRate;
    if (value === undefined && 'default' in descriptor && descriptor.default !== undefined)
      value = descriptor.default;
    if (value === undefined) {
      if (descriptor.optional) continue;
      throw new ScheduleSpecError(`${path}${name}`, describeParameter(descriptor), undefined, spec.type);
    }
    if (!fits(value, descriptor)) {
      throw new ScheduleSpecError(`${path}${name}`, describeParameter(descriptor), value, spec.type);
    }
    resolved[name] = Array.isArray(value) && descriptor.kind === 'numbers' ? [...value] : value;
  }
  return resolved;
}
