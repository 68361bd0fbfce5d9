/**
 * @contour/layers — Contour inside your own TensorFlow.js `model.fit`: a learning-rate scheduler
 * and a reduce-on-plateau callback that really change the rate of every tfjs optimizer, the
 * learning-rate range test on any compiled LayersModel, run logs that `contour plot`/`report` and
 * the web app read, and Contour optimizers that survive `model.save(…, { includeOptimizer: true })`.
 * Browser-safe; the run-directory writer is in `@contour/layers/node`.
 *
 * @packageDocumentation
 */
// Registers Contour optimizers with tfjs serialization (model.save / tf.loadLayersModel).

export {
  ContourLogger,
  type ContourLoggerOptions,
  contourLogger,
  layersVersion,
  type RunDestination,
  type RunEnd,
} from './contour-logger.js';
export {
  type BatchDataset,
  type FindLearningRateOptions,
  type FindLearningRateResult,
  findLearningRate,
  type TensorData,
} from './find-learning-rate.js';
export { LayersOptionError } from './layers-error.js';
export {
  LearningRateScheduler,
  type LearningRateSchedulerOptions,
  learningRateScheduler,
  type SchedulerUnit,
} from './learning-rate-scheduler.js';
export {
  contourOptimizerOf,
  getLearningRate,
  type PlateauScaling,
  plateauScalingOf,
  setLearningRate,
} from './optimizer-learning-rate.js';
export { type OptimizerSnapshot, snapshotOptimizer } from './optimizer-snapshot.js';
export {
  type PlateauCounters,
  ReduceLROnPlateau,
  type ReduceLROnPlateauOptions,
  reduceLROnPlateau,
} from './reduce-lr-on-plateau.js';
export { contourOptimizerClassName } from './register-serialization.js';
