import { describeValue } from '@contour/schedules';

/** One-line rendering of a value for error messages (shared with the schedules' errors). */
export { describeValue };
/**
 * Thrown when an optimizer spec is invalid: an unknown type or field, a value of the wrong kind or
 * out of range, an invalid `lr` schedule spec. `field` is the path of the offending field (e.g.
 * `momentum`, `groups[1].lrMult`, `lr.stepSize`) and `allowed` says what it accepts. One line.
 *
 * @example
 * // optimizer spec: "momentum" of "sgd" must be a finite number ≥ 0; got -1
 */
export class OptimizerSpecError extends Error {
  override readonly name: string = 'OptimizerSpecError';
  constructor(
    /** Path of the offending field, e.g. `groups[0].match`; `type` for the type itself. */
    readonly field: string,
    /** What the field accepts, e.g. `a finite number ≥ 0`. */
    readonly allowed: string,
    /** The value given (undefined when the field is missing). */
    readonly received: unknown,
    /** The optimizer type whose spec was read, when known. */
    readonly optimizerType?: string,
  ) {
    const where = optimizerType === undefined ? '' : ` of "${optimizerType}"`;
    const got = received === undefined ? 'it is missing' : `got ${describeValue(received)}`;
    super(`optimizer spec: "${field}"${where} must be ${allowed}; ${got}`);
  }
}

/** Thrown for a spec whose `type` is not a known optimizer; `knownTypes` lists those that exist. */
export class UnknownOptimizerTypeError extends OptimizerSpecError {
  override readonly name = 'UnknownOptimizerTypeError';
  constructor(
    readonly type: unknown,
    readonly knownTypes: readonly string[],
  ) {
    super('type', `one of ${knownTypes.join(', ')}`, type);
  }
}

/**
 * Thrown by `applyGradients` once the optimizer has declared the run diverged (more consecutive
 * non-finite steps than `maxConsecutiveSkips`), and by `importState` for malformed state.
 */
export class OptimizerStateError extends Error {
  override readonly name = 'OptimizerStateError';
}
