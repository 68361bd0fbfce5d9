/** Thrown for a backend name Contour does not know; the message lists the names that exist. */
export class UnknownBackendError extends Error {
  override readonly name = 'UnknownBackendError';
  constructor(
    /** The name that was asked for. */
    readonly requested: unknown,
    /** Every name {@link selectBackend} accepts. */
    readonly knownNames: readonly string[],
  ) {
    super(`backend: "${String(requested)}" is not a backend; use one of ${knownNames.join(', ')}`);
  }
}

/** Thrown by `selectBackend(name, { strict: true })` when the backend asked for cannot train here. */
export class BackendUnavailableError extends Error {
  override readonly name = 'BackendUnavailableError';
  constructor(
    /** The backend that was asked for. */
    readonly requested: string,
    /** Why it cannot be used, one line. */
    readonly reason: string,
  ) {
    super(`backend "${requested}" unavailable: ${reason}`);
  }
}
