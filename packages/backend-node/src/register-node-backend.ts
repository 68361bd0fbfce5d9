// The one module of @contour/backend-node with side effects (listed in package.json `sideEffects`).
// Importing it registers only the cpu fallback and the training ops (through @contour/backend-cpu);
// the native `tensorflow` backend of the optional peer @tensorflow/tfjs-node is registered when
// `loadNodeBackend` requires it, never at import time, so a missing or broken native library can
// never crash a program that merely imports this package.
import '@contour/backend-cpu/register';
import { createRequire } from 'node:module';

/** Package name of the optional peer dependency that provides the native backend. */
export const nodeBackendPackage = '@tensorflow/tfjs-node';

/** What {@link loadNodeBackend} found. */
export interface NodeBackendLoadResult {
  /** True when tfjs-node loaded and registered the `tensorflow` backend. */
  readonly loaded: boolean;
  /** One line: why it loaded or not, and what to do about it. */
  readonly reason: string;
}

/** Options of {@link loadNodeBackend}, mostly for tests. */
export interface LoadNodeBackendOptions {
  /** Replaces `require('@tensorflow/tfjs-node')` (tests inject a failing loader). */
  readonly loadModule?: () => unknown;
  /** Replaces the check that the package is installed; returns false when it is not. */
  readonly isInstalled?: () => boolean;
}

let cached: NodeBackendLoadResult | undefined;

/**
 * Requires `@tensorflow/tfjs-node`, which registers tfjs's native `tensorflow` backend. Never
 * throws: when the package is not installed, or installed but its native library cannot load
 * (its install script downloads libtensorflow, which fails offline), the result says so in one
 * line. The first real attempt is cached; injected loaders are not.
 */
export function loadNodeBackend(options: LoadNodeBackendOptions = {}): NodeBackendLoadResult {
  const injected = options.loadModule !== undefined || options.isInstalled !== undefined;
  if (!injected && cached !== undefined) return cached;
  const require = createRequire(import.meta.url);
  const isInstalled =
    options.isInstalled ??
    (() => {
      try {
        require.resolve(nodeBackendPackage);
        return true;
      } catch {
        return false;
      }
    });
  let result: NodeBackendLoadResult;
  if (!isInstalled()) {
    result = {
      loaded: false,
      reason:
        `${nodeBackendPackage} is not installed (optional peer dependency; add ${nodeBackendPackage}@4.22.0, ` +
        'whose install script downloads libtensorflow)',
    };
  } else {
    try {
      (options.loadModule ?? (() => require(nodeBackendPackage)))();
      result = {
        loaded: true,
        reason: `${nodeBackendPackage} loaded: native TensorFlow backend "tensorflow"`,
      };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const firstLine = message.split('\n').find((line) => line.trim() !== '') ?? 'unknown error';
      result = {
        loaded: false,
        reason: `${nodeBackendPackage} is installed but failed to load: ${firstLine}`,
      };
    }
  }
  if (!injected) cached = result;
  return result;
}
