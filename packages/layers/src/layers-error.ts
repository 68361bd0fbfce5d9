/**
 * Thrown for bad options of a `@contour/layers` callback or function: the message is one line that
 * names the field and what it accepts, e.g. `reduceLROnPlateau: "factor" must be a number in (0, 1); got 2`.
 */
export class LayersOptionError extends Error {
  override readonly name = 'LayersOptionError';
  constructor(
    readonly owner: string,
    readonly field: string,
    readonly allowed: string,
    readonly received: unknown,
  ) {
    super(`${owner}: "${field}" must be ${allowed}; got ${describe(received)}`);
  }
}

/**
 * Throws a {@link LayersOptionError} for the first key of `options` that is not in `known`: a typo
 * or Keras' snake_case name (`min_lr`) would otherwise be ignored and the default used silently.
 */
export function checkOptionNames(owner: string, options: object, known: readonly string[]): void {
  for (const [key, value] of Object.entries(options))
    if (!known.includes(key))
      throw new LayersOptionError(owner, key, `one of its options (${known.join(', ')})`, value);
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined)
    return String(value);
  try {
    const text = JSON.stringify(value);
    return text.length > 60 ? `${text.slice(0, 57)}...` : text;
  } catch {
    return typeof value;
  }
}
