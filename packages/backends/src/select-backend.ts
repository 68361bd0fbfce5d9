import { cpuBackendName, probeTrainingSupport, useCpuBackend } from '@contour/backend-cpu';
import { NodeBackendUnavailableError, nodeBackendName, useNodeBackend } from '@contour/backend-node';
import { useWasmBackend, wasmBackendName } from '@contour/backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { BackendUnavailableError, UnknownBackendError } from './backend-errors.js';

/** Backends Contour can run on. */
export type BackendName = 'cpu' | 'wasm' | 'node' | 'webgl';

/** What {@link selectBackend} accepts: a backend, or `auto` for the fastest that trains here. */
export type BackendRequest = BackendName | 'auto';

/** Every value of {@link BackendRequest}, for CLI help and validation. */
export const backendRequests: readonly BackendRequest[] = ['auto', 'cpu', 'wasm', 'node', 'webgl'];

/**
 * Order in which `auto` tries backends, fastest first. Measured here (DESIGN.md §6): wasm ≈ 30
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
  /** Which automatic order applies; detected from the presence of a DOM by default. */
  readonly environment?: 'node' | 'browser';
  /** Passed to `useWasmBackend` (where the .wasm files are, when the defaults do not fit). */
  readonly wasmPaths?: string | Readonly<Record<string, string>>;
}

const tfjsNames: Readonly<Record<BackendName, string>> = {
  cpu: cpuBackendName,
  wasm: wasmBackendName,
  node: nodeBackendName,
  webgl: 'webgl',
};

/** True where a DOM exists (browsers, web workers excluded). */
function detectEnvironment(): 'node' | 'browser' {
  const scope = globalThis as { document?: unknown; process?: { versions?: { node?: string } } };
  return scope.document !== undefined && scope.process?.versions?.node === undefined ? 'browser' : 'node';
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
        const activation = await useNodeBackend({ fallback: 'none' });
        return activation.backendName === nodeBackendName ? undefined : activation.reason;
      }
      case 'webgl': {
        if (environment === 'node') return 'WebGL needs a browser; not available in Node.js';
        await import('@tensorflow/tfjs-backend-webgl');
        const activated = await tf.setBackend('webgl');
        return activated ? undefined : 'no usable WebGL context';
      }
    }
  } catch (error) {
    if (error instanceof NodeBackendUnavailableError) return error.reason;
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
 * - `auto` tries {@link automaticOrder} for the environment (Node: node, wasm, cpu; browsers:
 *   webgl, wasm, cpu) and keeps the first that trains.
 *
 * @throws UnknownBackendError for any other name (the message lists the names that exist).
 * @throws BackendUnavailableError with `strict` when the named backend cannot train here.
 */
export async function selectBackend(
  request: BackendRequest = 'auto',
  options: SelectBackendOptions = {},
): Promise<BackendSelection> {
  if (!backendRequests.includes(request)) throw new UnknownBackendError(request, backendRequests);
  const environment = options.environment ?? detectEnvironment();
  const order = automaticOrder[environment];
  const candidates: BackendName[] =
    request === 'auto' ? [...order] : [request, ...order.filter((name) => name !== request)];
  const attempts: BackendAttempt[] = [];
  for (const name of candidates) {
    const start = performance.now();
    let reason = await activate(name, environment, options);
    if (reason === undefined) {
      const probe = await probeTrainingSupport(tfjsNames[name]);
      reason = probe.supported ? undefined : probe.reason;
    }
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
