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
}

/**
 * Makes the WebAssembly backend active and waits until its module is compiled. In Node it runs
 * single-threaded with SIMD; in browsers it uses threads only under cross-origin isolation.
 *
 * @throws Error naming the reason when the module cannot be loaded (e.g. wrong `wasmPaths`, or a
 *   CSP without `'wasm-unsafe-eval'`).
 */
export async function useWasmBackend(options: UseWasmBackendOptions = {}): Promise<void> {
  if (options.wasmPaths !== undefined) setWasmPaths(options.wasmPaths as Parameters<typeof setWasmPaths>[0]);
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
