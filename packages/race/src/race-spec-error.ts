/**
 * Thrown when race options are invalid: an unknown surface or preset, a bad start point, step
 * count or racer. `field` names the option and `allowed` says what it accepts. One line.
 */
export class RaceSpecError extends Error {
  override readonly name = 'RaceSpecError';
  constructor(
    /** The offending option, e.g. `surface`, `start`, `racers[2].label`. */
    readonly field: string,
    /** What the option accepts. */
    readonly allowed: string,
    /** The value given (undefined when missing). */
    readonly received: unknown,
  ) {
    const got =
      received === undefined ? 'it is missing' : `got ${JSON.stringify(received) ?? String(received)}`;
    super(`race: "${field}" must be ${allowed}; ${got}`);
  }
}
