import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import './register-wasm-backend.js';

/** Name under which tfjs registers the WebAssembly backend. */
export const wasmBackendName = 'wasm';

/** Options of {@link useWasmBackend}. */
export interface UseWasmBackendOptions {
  /**
   * Where the .wasm files are, when the defaults do not fit (a CDN, a bundler other than Vite): a
   * prefix ending in `/`, or a map from tfjs's file names (`tfjs-backend-wasm-simd.wasm`, ...) to
   * URLs. Only takes effect before the backend's first initialisation.
   */
  readonly wasmPaths?: string | Readonly<Record<string, string>>;
  /**
   * Use WebAssembly threads where the browser allows them (cross-origin isolation); default
   * false. tfjs-backend-wasm 4.22 starts its thread workers from `Blob` URLs holding its factory's
   * source text, which a strict Content-Security-Policy (`script-src 'self'`) blocks and a minified
   * bundle breaks; it then waits for them forever. So unless this is `true`, the tfjs flag
   * `WASM_HAS_MULTITHREAD_SUPPORT` is set to false and the backend runs single-threaded with SIMD
   * (as it always does in Node). Like `wasmPaths`, it only takes effect before the backend's first
   * initialisation.
   */
  readonly threads?: boolean;
}

/** The tfjs flag that decides whether tfjs-backend-wasm loads its multithreaded build. */
export const wasmThreadsFlag = 'WASM_HAS_MULTITHREAD_SUPPORT';

/**
 * Makes the WebAssembly backend active and waits until its module is compiled. It runs
 * single-threaded with SIMD, in Node and by default in browsers; with `threads: true` a browser
 * uses threads under cross-origin isolation (see {@link UseWasmBackendOptions.threads}).
 *
 * @throws Error naming the reason when the module cannot be loaded (e.g. wrong `wasmPaths`, or a
 *   CSP without `'wasm-unsafe-eval'`).
 */
export async function useWasmBackend(options: UseWasmBackendOptions = {}): Promise<void> {
  if (options.wasmPaths !== undefined) setWasmPaths(options.wasmPaths as Parameters<typeof setWasmPaths>[0]);
  if (options.threads !== true) tf.env().set(wasmThreadsFlag, false);
  let activated = false;
  try {
    activated = await tf.setBackend(wasmBackendName);
    await tf.ready();
  } catch (error) {
    throw new Error(
      `backend "wasm" failed to initialise: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  if (!activated || tf.getBackend() !== wasmBackendName) {
    throw new Error('backend "wasm" failed to initialise (its .wasm file could not be loaded or compiled)');
  }
}
