// The one module of @contour/backend-wasm with side effects (listed in package.json `sideEffects`):
// registers tfjs's `wasm` backend and points it at its .wasm files (Node: the installed package's
// dist folder; browsers: the URLs the bundler emits). Importing @contour/backend-cpu registers the
// cpu fallback and, once for every backend, the gradients and chained ops training needs.
import '@contour/backend-cpu/register';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { defaultWasmPaths } from '#wasm-paths';

setWasmPaths(defaultWasmPaths());
