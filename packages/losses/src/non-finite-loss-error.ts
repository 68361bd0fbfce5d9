/**
 * Thrown when a loss or metric meets values that are not finite (NaN, +Infinity or -Infinity)
 * and `nonFinite` is `'throw'` (the default). `indices` are the positions (examples, or elements
 * for element-wise losses) whose value was not finite, so a trainer can stop the run as
 * `diverged` at that step instead of averaging NaN into its logs. The message is one line.
 */
export class NonFiniteLossError extends Error {
  override readonly name = 'NonFiniteLossError';
  constructor(
    /** The loss or metric that found the values, e.g. `softmaxCrossEntropy`. */
    readonly lossName: string,
    /** Flat indices (examples or elements) whose value was not finite; at most the first 20. */
    readonly indices: readonly number[],
    /** How many values were not finite in all. */
    readonly count: number,
  ) {
    const shown = indices.slice(0, 5).join(', ');
    const more = count > 5 ? ', ...' : '';
    super(`${lossName}: ${count} non-finite value(s) at index ${shown}${more}`);
  }
}
