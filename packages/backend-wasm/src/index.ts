// Importing this package registers the wasm backend (see register-wasm-backend.ts, the package's one
// module with side effects), the cpu fallback and the training ops of @contour/backend-cpu.
import './register-wasm-backend.js';

export { defaultWasmPaths } from '#wasm-paths';
export {
  type UseWasmBackendOptions,
  useWasmBackend,
  wasmBackendName,
  wasmThreadsFlag,
} from './use-wasm-backend.js';
