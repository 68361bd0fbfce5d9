import { OptimizerSpecError } from './optimizer-spec-error.js';
import type { Hyperparameters, NumberField } from './spec-fields.js';

/** A number field ≥ 0 with a default. */
export function nonNegative(description: string, defaultValue: number): NumberField {
  return { kind: 'number', description, default: defaultValue, min: 0 };
}

/** A number field in [0, 1) with a default (decay rates such as beta1, alpha, rho). */
export function decayRate(description: string, defaultValue: number): NumberField {
  return { kind: 'number', description, default: defaultValue, min: 0, max: 1, maxExclusive: true };
}

/** `weightDecay` ≥ 0. */
export function weightDecayField(defaultValue: number, how: string): NumberField {
  return nonNegative(`weight decay λ (${how})`, defaultValue);
}

/** Throws OptimizerSpecError naming `smaller` unless its value is ≤ that of `larger`. */
export function checkAtMost(
  hyperparameters: Hyperparameters,
  smaller: string,
  larger: string,
  type: string,
): void {
  if ((hyperparameters[smaller] as number) > (hyperparameters[larger] as number)) {
    throw new OptimizerSpecError(
      smaller,
      `a number ≤ ${larger} (${hyperparameters[larger] as number})`,
      hyperparameters[smaller],
      type,
    );
  }
}
