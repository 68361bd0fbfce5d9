/**
 * Bad configuration given to core (model, training, sweep options): names the field, what it
 * accepts and what was given, in one line. The CLI exits 2 on it.
 */
export class CoreSpecError extends Error {
  override readonly name = 'CoreSpecError';
  constructor(
    readonly field: string,
    readonly allowed: string,
    readonly received: unknown,
  ) {
    super(
      `"${field}" must be ${allowed}; ${received === undefined ? 'it is missing' : `got ${describe(received)}`}`,
    );
  }
}

function describe(value: unknown): string {
  if (typeof value === 'number') return Number.isNaN(value) ? 'NaN' : String(value);
  if (typeof value === 'string') return JSON.stringify(value);
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
