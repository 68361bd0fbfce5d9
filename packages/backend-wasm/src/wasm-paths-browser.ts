/// <reference path="./bundler-assets.d.ts" />
// Browser variant of `#wasm-paths` (package.json `imports`): the bundler copies the .wasm files of
// @tensorflow/tfjs-backend-wasm into the build and gives their URLs. Written for Vite (`?url`), the
// bundler of Contour's web app; with another bundler, pass `wasmPaths` to `useWasmBackend`.
import plainUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import simdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import threadedSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';

/** URLs of the three .wasm files as emitted by the bundler, keyed by tfjs's file names. */
export function defaultWasmPaths(): Record<string, string> {
  return {
    'tfjs-backend-wasm.wasm': plainUrl,
    'tfjs-backend-wasm-simd.wasm': simdUrl,
    'tfjs-backend-wasm-threaded-simd.wasm': threadedSimdUrl,
  };
}
