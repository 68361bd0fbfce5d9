/**
 * Thrown (or reported) when an op, or the gradient of an op, needs a tfjs kernel that the active
 * backend does not register, e.g. `Conv2DBackpropFilter` on `wasm`. The message is one line and
 * names the operation, the kernel, the backend and what to do instead.
 */
export class MissingKernelError extends Error {
  override readonly name = 'MissingKernelError';
  constructor(
    /** What was being computed, e.g. `conv2d gradient`. */
    readonly operation: string,
    /** The tfjs kernel that is missing, e.g. `Conv2DBackpropFilter`. */
    readonly kernelName: string,
    /** The backend that lacks it, e.g. `wasm`. */
    readonly backendName: string,
  ) {
    super(
      `${operation}: kernel "${kernelName}" is not registered for backend "${backendName}"; ` +
        'choose another backend (e.g. cpu) for this model',
    );
  }
}

const missingKernelPattern = /Kernel '([^']+)' not registered for backend '([^']+)'/;

/**
 * Turns tfjs's own "Kernel 'X' not registered for backend 'Y'" error into a
 * {@link MissingKernelError} for `operation`; returns `undefined` for any other error.
 */
export function toMissingKernelError(error: unknown, operation: string): MissingKernelError | undefined {
  if (error instanceof MissingKernelError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const match = missingKernelPattern.exec(message);
  if (match === null) return undefined;
  return new MissingKernelError(operation, match[1] ?? 'unknown', match[2] ?? 'unknown');
}
