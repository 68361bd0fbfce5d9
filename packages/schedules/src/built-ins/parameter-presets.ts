import type { NumberParameter } from '../types.js';

/** The learning rate parameter: a finite number ≥ 0 that combinator members may inherit. */
export const learningRateParameter: NumberParameter = {
  kind: 'number',
  min: 0,
  minInclusive: true,
  inheritable: true,
  description: 'base learning rate (members of warmup/sequential/chain may omit it and inherit it)',
};

/** A positive integer length (steps, iterations); `description` says which. */
export function positiveInteger(description: string, defaultValue?: number): NumberParameter {
  return defaultValue === undefined
    ? { kind: 'number', integer: true, min: 0, description }
    : { kind: 'number', integer: true, min: 0, default: defaultValue, description };
}

/** A positive number (decay factors, lengths that may be fractional). */
export function positiveNumber(description: string, defaultValue?: number): NumberParameter {
  return defaultValue === undefined
    ? { kind: 'number', min: 0, description }
    : { kind: 'number', min: 0, default: defaultValue, description };
}

/** A number in [0, 1]. */
export function unitInterval(description: string, defaultValue?: number): NumberParameter {
  const base = {
    kind: 'number',
    min: 0,
    minInclusive: true,
    max: 1,
    maxInclusive: true,
    description,
  } as const;
  return defaultValue === undefined ? base : { ...base, default: defaultValue };
}

/** A number ≥ 0. */
export function nonNegativeNumber(description: string, defaultValue?: number): NumberParameter {
  const base = { kind: 'number', min: 0, minInclusive: true, description } as const;
  return defaultValue === undefined ? base : { ...base, default: defaultValue };
}
