// The one module of @contour/layers with side effects (listed in package.json `sideEffects`):
// registers Contour's tf.Optimizer adapter with tfjs serialization, so a model compiled with
// `toTfOptimizer(...)` and saved with `model.save(handler, { includeOptimizer: true })` comes back
// from `tf.loadLayersModel` with its optimizer (spec, counters, slots). Importing anything from
// `@contour/layers` runs it.
import { TfOptimizerAdapter } from '@contour/optimizers';
import * as tf from '@tensorflow/tfjs-core';

tf.serialization.registerClass(TfOptimizerAdapter);

/** The class name Contour optimizers are saved under in a model's training config. */
export const contourOptimizerClassName = TfOptimizerAdapter.className;
