import { cpuBackendName, probeTrainingSupport, useCpuBackend } from '@contour/backend-cpu';
import { useWasmBackend, wasmBackendName } from '@contour/backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { BackendUnavailableError, UnknownBackendError } from './backend-errors.js';
import { missingPackageReason } from './optional-package.js';
import { describeWebGL, softwareWebGLReason, type WebGLRendererInfo } from './webgl-renderer.js';

/** Backends Contour can run on. */
export type BackendName = 'cpu' | 'wasm' | 'node' | 'webgl';

/** What {@link selectBackend} accepts: a backend, or `auto` for the fastest that trains here. */
export type BackendRequest = BackendName | 'auto';

/** Every value of {@link BackendRequest}, for CLI help and validation. */
export const backendRequests: readonly BackendRequest[] = ['auto', 'cpu', 'wasm', 'node', 'webgl'];

/**
 * Order in which `auto` tries backends, fastest first. Measured on the 2-core development machine: wasm ≈ 30
 * GFLOP/s vs cpu ≈ 1 GFLOP/s on a 1024³ matMul; native TensorFlow (node) and WebGL are faster still
 * where they work.
 */
export const automaticOrder: Readonly<Record<'node' | 'browser', readonly BackendName[]>> = {
  node: ['node', 'wasm', 'cpu'],
  browser: ['webgl', 'wasm', 'cpu'],
};

/** One backend {@link selectBackend} tried. */
export interface BackendAttempt {
  readonly name: BackendName;
  /** True when it initialised and passed the training probe. */
  readonly usable: boolean;
  /** One line: why it is usable or not. */
  readonly reason: string;
  /** Time spent on it (initialisation and probe), in milliseconds. */
  readonly milliseconds: number;
}

/** What {@link selectBackend} chose, and why. */
export interface BackendSelection {
  readonly requested: BackendRequest;
  /** The backend now active. */
  readonly name: BackendName;
  /** tfjs's own name of the active backend (`tensorflow` for node). */
  readonly tfjsName: string;
  /** True when the backend asked for (not `auto`) could not be used and another one was chosen. */
  readonly fellBack: boolean;
  /** One line for logs and `config.json`: what was chosen and why. */
  readonly reason: string;
  /** Every backend tried, in order. */
  readonly attempts: readonly BackendAttempt[];
}

/** Options of {@link selectBackend}. */
export interface SelectBackendOptions {
  /** Throw {@link BackendUnavailableError} instead of falling back when a named backend cannot train. */
  readonly strict?: boolean;
  /**
   * Which automatic order applies; by default `browser` where a DOM or a Web Worker scope
   * (`WorkerGlobalScope`) exists outside Node.js, `node` otherwise.
   */
  readonly environment?: 'node' | 'browser';
  /**
   * Longest wait for one backend to initialise and pass the training probe, in milliseconds;
   * default {@link defaultAttemptTimeoutMilliseconds}. A backend that takes longer (e.g. a wasm
   * build waiting forever for threads a Content-Security-Policy blocked) is recorded as unusable
   * ("did not initialise within … ms") and the next one is tried. Its initialisation cannot be
   * cancelled; it is left to finish or hang in the background.
   */
  readonly attemptTimeoutMilliseconds?: number;
  /**
   * Which WebGL renderer the browser has; default {@link describeWebGL} (the unmasked renderer name
   * and the `failIfMajorPerformanceCaveat` test). When it is a software renderer (SwiftShader,
   * llvmpipe…) `auto` skips webgl, saying why, and a named `webgl` is used with that warning.
   */
  readonly webgl?: () => WebGLRendererInfo | undefined;
  /** Passed to `useWasmBackend` (where the .wasm files are, when the defaults do not fit). */
  readonly wasmPaths?: string | Readonly<Record<string, string>>;
}

/** Default of {@link SelectBackendOptions.attemptTimeoutMilliseconds}: 30 seconds. */
export const defaultAttemptTimeoutMilliseconds = 30_000;

/** Longest timer delay JavaScript engines honour (2³¹ − 1 ms, about 24.8 days). */
const maximumTimeoutMilliseconds = 2_147_483_647;

/**
 * tfjs's names of the backends. `tensorflow` is `@contour/backend-node`'s `nodeBackendName`, written
 * out so that this module does not load the Node adapter (and `node:module`) in browsers.
 */
const tfjsNames: Readonly<Record<BackendName, string>> = {
  cpu: cpuBackendName,
  wasm: wasmBackendName,
  node: 'tensorflow',
  webgl: 'webgl',
};

/**
 * `browser` where a DOM (`document`) or a Web Worker scope (`WorkerGlobalScope`) exists outside
 * Node.js; `node` otherwise.
 */
export function detectEnvironment(scope: object = globalThis): 'node' | 'browser' {
  const global = scope as { document?: unknown; process?: { versions?: { node?: string } } };
  if (global.process?.versions?.node !== undefined) return 'node';
  return global.document !== undefined || 'WorkerGlobalScope' in scope ? 'browser' : 'node';
}

/** Resolves to `promise`'s value, or to `timedOut` when it takes longer than `milliseconds`. */
async function within<T>(promise: Promise<T>, milliseconds: number, timedOut: T): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<T>((resolve) => {
    timer = setTimeout(() => resolve(timedOut), milliseconds);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Initialises one backend and runs the training probe; resolves to why it is unusable, if it is. */
async function attempt(
  name: BackendName,
  environment: 'node' | 'browser',
  options: SelectBackendOptions,
): Promise<string | undefined> {
  const reason = await activate(name, environment, options);
  if (reason !== undefined) return reason;
  const probe = await probeTrainingSupport(tfjsNames[name]);
  return probe.supported ? undefined : probe.reason;
}

/** Activates one backend; resolves to a reason when it cannot be used, `undefined` when it is active. */
async function activate(
  name: BackendName,
  environment: 'node' | 'browser',
  options: SelectBackendOptions,
): Promise<string | undefined> {
  try {
    switch (name) {
      case 'cpu':
        await useCpuBackend();
        return undefined;
      case 'wasm':
        await useWasmBackend(options.wasmPaths === undefined ? {} : { wasmPaths: options.wasmPaths });
        return undefined;
      case 'node': {
        if (environment === 'browser') return 'tfjs-node runs only in Node.js';
        // Loaded on demand: browser bundles never evaluate the Node adapter (it imports node:module).
        // An optional peer dependency: not installed means "not available here", said with the fix.
        const adapter = await import('@contour/backend-node').catch((error: unknown) => {
          const missing = missingPackageReason(error, '@contour/backend-node');
          if (missing === undefined) throw error;
          return missing;
        });
        if (typeof adapter === 'string') return adapter;
        const { NodeBackendUnavailableError, nodeBackendName, useNodeBackend } = adapter;
        try {
          const activation = await useNodeBackend({ fallback: 'none' });
          return activation.backendName === nodeBackendName ? undefined : activation.reason;
        } catch (error) {
          if (error instanceof NodeBackendUnavailableError) return error.reason;
          throw error;
        }
      }
      case 'webgl': {
        if (environment === 'node') return 'WebGL needs a browser; not available in Node.js';
        const missing = await import('@tensorflow/tfjs-backend-webgl').then(
          () => undefined,
          (error: unknown) => {
            const reason = missingPackageReason(error, '@tensorflow/tfjs-backend-webgl');
            if (reason === undefined) throw error;
            return reason;
          },
        );
        if (missing !== undefined) return missing;
        const activated = await tf.setBackend('webgl');
        return activated ? undefined : 'no usable WebGL context';
      }
    }
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return message.split('\n')[0] ?? message;
  }
}

/**
 * Makes a tfjs backend active for training and reports what it chose and why.
 *
 * - A name (`cpu`, `wasm`, `node`, `webgl`) activates that backend and checks that it trains (one
 *   softmax-regression gradient against reference numbers). If it cannot, the next backend of the
 *   automatic order is tried and the selection says it fell back and why, or, with `strict`,
 *   {@link BackendUnavailableError} is thrown.
 * - `auto` tries {@link automaticOrder} for the environment (Node: node, wasm, cpu; browsers,
 *   Web Workers included: webgl, wasm, cpu) and keeps the first that trains. In a browser whose
 *   WebGL is a software renderer (SwiftShader, llvmpipe, or `failIfMajorPerformanceCaveat`
 *   refused; see `webgl`) it skips webgl and says so: there wasm trains about 10× faster.
 * - Each attempt (initialisation and probe) gets `attemptTimeoutMilliseconds` (30 s); one that
 *   hangs is recorded as unusable with a one-line reason and the next backend is tried.
 *
 * @throws UnknownBackendError for any other name (the message lists the names that exist).
 * @throws RangeError when `attemptTimeoutMilliseconds` is not a finite number > 0 (at most 2³¹ − 1).
 * @throws BackendUnavailableError with `strict` when the named backend cannot train here.
 */
export async function selectBackend(
  request: BackendRequest = 'auto',
  options: SelectBackendOptions = {},
): Promise<BackendSelection> {
  if (!backendRequests.includes(request)) throw new UnknownBackendError(request, backendRequests);
  const timeout = options.attemptTimeoutMilliseconds ?? defaultAttemptTimeoutMilliseconds;
  if (!(Number.isFinite(timeout) && timeout > 0 && timeout <= maximumTimeoutMilliseconds))
    throw new RangeError(
      `attemptTimeoutMilliseconds must be a number in (0, ${maximumTimeoutMilliseconds}]; got ${String(timeout)}`,
    );
  const environment = options.environment ?? detectEnvironment();
  const order = automaticOrder[environment];
  const candidates: BackendName[] =
    request === 'auto' ? [...order] : [request, ...order.filter((name) => name !== request)];
  const attempts: BackendAttempt[] = [];
  // A software WebGL (no GPU) is about 10× slower than wasm for training: auto skips it.
  const softwareWebGL =
    environment === 'browser' && candidates.includes('webgl')
      ? softwareWebGLReason((options.webgl ?? describeWebGL)())
      : undefined;
  for (const name of candidates) {
    const start = performance.now();
    if (name === 'webgl' && request === 'auto' && softwareWebGL !== undefined) {
      attempts.push({
        name,
        usable: false,
        reason: `${softwareWebGL}; auto prefers wasm`,
        milliseconds: performance.now() - start,
      });
      continue;
    }
    const reason = await within(
      attempt(name, environment, options),
      timeout,
      `backend "${name}" did not initialise within ${timeout} ms`,
    );
    const usable = reason === undefined;
    attempts.push({
      name,
      usable,
      reason: reason ?? `backend "${name}" initialised and trains`,
      milliseconds: performance.now() - start,
    });
    if (usable) {
      const skipped = attempts
        .filter((attempt) => !attempt.usable)
        .map((attempt) => `${attempt.name}: ${attempt.reason}`);
      const fellBack = request !== 'auto' && name !== request;
      const why =
        request === 'auto'
          ? `auto chose ${name}, the fastest backend that trains here`
          : fellBack
            ? `${request} could not be used; fell back to ${name}`
            : name === 'webgl' && softwareWebGL !== undefined
              ? `webgl as requested (${softwareWebGL}; auto would choose wasm)`
              : `${name} as requested`;
      return {
        requested: request,
        name,
        tfjsName: tfjsNames[name],
        fellBack,
        reason: skipped.length === 0 ? why : `${why} (${skipped.join('; ')})`,
        attempts,
      };
    }
    if (request !== 'auto' && name === request && options.strict === true) {
      throw new BackendUnavailableError(request, attempts[0]?.reason ?? 'unknown reason');
    }
  }
  throw new BackendUnavailableError(
    request,
    attempts.map((attempt) => `${attempt.name}: ${attempt.reason}`).join('; '),
  );
}
