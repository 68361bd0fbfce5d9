import { OptimizerSpecError } from './optimizer-spec-error.js';

/** A number field of an optimizer spec: default and allowed range. */
export interface NumberField {
  readonly kind: 'number';
  readonly description: string;
  /** Absent: the field is required (`lr` of `sgd`). */
  readonly default?: number;
  readonly integer?: boolean;
  /** Lower bound, inclusive unless `minExclusive`. */
  readonly min?: number;
  readonly minExclusive?: boolean;
  /** Upper bound, inclusive unless `maxExclusive`. */
  readonly max?: number;
  readonly maxExclusive?: boolean;
}

/** A boolean field of an optimizer spec. */
export interface BooleanField {
  readonly kind: 'boolean';
  readonly description: string;
  readonly default: boolean;
}

/** A field that takes one of a few strings. */
export interface ChoiceField {
  readonly kind: 'choice';
  readonly description: string;
  readonly choices: readonly string[];
  readonly default: string;
}

/** What an update rule declares about one hyperparameter. */
export type SpecField = NumberField | BooleanField | ChoiceField;

/** Resolved hyperparameters: every field of the rule with its default filled in. */
export type Hyperparameters = Readonly<Record<string, number | boolean | string>>;

/** Words for what a field accepts, e.g. `a finite number ≥ 0 and < 1`. */
export function describeField(field: SpecField): string {
  if (field.kind === 'boolean') return 'true or false';
  if (field.kind === 'choice')
    return `one of ${field.choices.map((choice) => JSON.stringify(choice)).join(', ')}`;
  const parts: string[] = [];
  if (field.min !== undefined) parts.push(`${field.minExclusive ? '>' : '≥'} ${field.min}`);
  if (field.max !== undefined) parts.push(`${field.maxExclusive ? '<' : '≤'} ${field.max}`);
  const noun = field.integer ? 'an integer' : 'a finite number';
  return parts.length === 0 ? noun : `${noun} ${parts.join(' and ')}`;
}

/** Checks one value against its field; throws OptimizerSpecError naming `path`. */
export function readField(
  field: SpecField,
  value: unknown,
  path: string,
  type: string,
): number | boolean | string {
  if (value === undefined) {
    if (field.default === undefined) throw new OptimizerSpecError(path, describeField(field), value, type);
    return field.default;
  }
  if (field.kind === 'boolean') {
    if (typeof value !== 'boolean') throw new OptimizerSpecError(path, describeField(field), value, type);
    return value;
  }
  if (field.kind === 'choice') {
    if (typeof value !== 'string' || !field.choices.includes(value)) {
      throw new OptimizerSpecError(path, describeField(field), value, type);
    }
    return value;
  }
  const ok =
    typeof value === 'number' &&
    Number.isFinite(value) &&
    (!field.integer || Number.isInteger(value)) &&
    (field.min === undefined || (field.minExclusive ? value > field.min : value >= field.min)) &&
    (field.max === undefined || (field.maxExclusive ? value < field.max : value <= field.max));
  if (!ok) throw new OptimizerSpecError(path, describeField(field), value, type);
  return value;
}
