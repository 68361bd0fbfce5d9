/**
 * Thrown when a schedule spec is invalid: an unknown or missing parameter, a value of the wrong
 * kind or out of range. `field` is the path of the offending field (e.g. `schedules[1].gamma`) and
 * `allowed` says what the field accepts. The message is one line.
 */
export class ScheduleSpecError extends Error {
  override readonly name = 'ScheduleSpecError';
  constructor(
    /** Path of the offending field inside the spec, e.g. `schedules[1].gamma`; `type` for the type itself. */
    readonly field: string,
    /** What the field accepts, e.g. `a finite number > 0`. */
    readonly allowed: string,
    /** The value that was given (undefined when the field was missing). */
    readonly received: unknown,
    /** Schedule type whose spec was being read, when known. */
    readonly scheduleType?: string,
  ) {
    const where = scheduleType === undefined ? '' : ` of "${scheduleType}"`;
    const got = received === undefined ? 'it is missing' : `got ${describeValue(received)}`;
    super(`schedule spec: "${field}"${where} must be ${allowed}; ${got}`);
  }
}

/**
 * Thrown for a spec whose `type` is not registered. `knownTypes` lists every id that exists,
 * built-ins and plugin types alike, so the message tells the user what they can write instead.
 */
export class UnknownScheduleTypeError extends ScheduleSpecError {
  constructor(
    readonly type: unknown,
    readonly knownTypes: readonly string[],
    field = 'type',
  ) {
    // A plugin id ("acme:warmSine") says how its type becomes known; in `allowed`, so the hint
    // stays when an optimizer spec error re-states it for its `lr`.
    const plugin =
      typeof type === 'string' && type.includes(':')
        ? `, or a plugin's "namespace:type" once its plugin is registered (e.g. --plugin <module>)`
        : '';
    super(field, `one of ${knownTypes.join(', ')}${plugin}`, type);
  }
}

/** Thrown when a plugin is malformed or its schedule ids clash with registered ones. */
export class SchedulePluginError extends Error {
  override readonly name = 'SchedulePluginError';
}

/**
 * Thrown when a schedule is asked for a step that is not a finite number ≥ 0, or when it would
 * produce a rate that is negative or not finite (e.g. an `expr` formula that goes below zero).
 */
export class ScheduleValueError extends Error {
  override readonly name = 'ScheduleValueError';
}

/** Short, one-line rendering of a value for error messages. */
export function describeValue(value: unknown): string {
  if (typeof value === 'number') return Number.isNaN(value) ? 'NaN' : String(value);
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === null) return 'null';
  if (Array.isArray(value)) return `[${value.map(describeValue).join(', ')}]`;
  if (typeof value === 'object') {
    const text = JSON.stringify(value);
    return text.length > 60 ? `${text.slice(0, 57)}...` : text;
  }
  return String(value);
}
