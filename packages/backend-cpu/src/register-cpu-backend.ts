// The one module of @contour/backend-cpu with side effects (listed in package.json `sideEffects`).
//
// 1. Registers tfjs's pure-JavaScript `cpu` backend.
// 2. Registers every gradient of tfjs-core. tfjs-core's CommonJS `main` (what plain Node and vitest
//    load) has none, and its ES module files cannot be imported by Node (extension-less imports);
//    no other tfjs 4.22 package ships them in a form Node can load. `@tensorflow/tfjs-layers`
//    registers them in every environment: its Node bundle contains tfjs-core's
//    `register_all_gradients` and writes into the registry tfjs-core keeps on a global; its ES module
//    build (what bundlers pick) imports `@tensorflow/tfjs-core/dist/register_all_gradients`.
//    It is imported as a value used below, not as a bare `import '…'`: TypeScript copies bare
//    imports into the emitted declarations, and tfjs-layers' own declarations fail a strict
//    consumer's type check (no skipLibCheck); a value used only here leaves no trace in the `.d.ts`.
// 3. Adds the chained tensor methods (`x.add(y)`), also missing from the CommonJS `main`.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfjsLayers from '@tensorflow/tfjs-layers';
import { registerChainedOperations } from './chained-operations.js';

// Types of the chained tensor methods added below, so every importer of this module (the package's
// index, `@contour/backend-cpu/register`, hence the wasm and node adapters) sees `x.add(y)` typed.
export type {} from '@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops.js';

if (typeof tfjsLayers.version_layers !== 'string') {
  throw new Error('@tensorflow/tfjs-layers did not load, so tfjs-core gradients are not registered');
}
registerChainedOperations(tf);
