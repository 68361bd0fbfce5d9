// The one module of @contour/backend-cpu with side effects (listed in package.json `sideEffects`).
//
// 1. Registers tfjs's pure-JavaScript `cpu` backend.
// 2. Registers every gradient of tfjs-core. tfjs-core's CommonJS `main` (what plain Node and vitest
//    load) has none, and its ES module files cannot be imported by Node (extension-less imports).
//    `@tensorflow/tfjs-layers` registers them in every environment: its Node bundle contains
//    tfjs-core's `register_all_gradients` and writes into the registry tfjs-core keeps on a global;
//    its ES module build (what bundlers pick) imports `@tensorflow/tfjs-core/dist/register_all_gradients`.
// 3. Adds the chained tensor methods (`x.add(y)`), also missing from the CommonJS `main`.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-layers';
import { registerChainedOperations } from './chained-operations.js';

registerChainedOperations(tf);
