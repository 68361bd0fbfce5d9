export { accuracy } from './accuracy.js';
export { binaryCrossEntropy } from './binary-cross-entropy.js';
export { classificationError, type MetricOptions } from './classification-error.js';
export {
  assertFiniteValues,
  type LossOptions,
  type NonFinitePolicy,
  type NoReduction,
  type Reduction,
  type ScalarReduction,
} from './loss-options.js';
export { type MeanSquaredErrorOptions, meanSquaredError } from './mean-squared-error.js';
export { NonFiniteLossError } from './non-finite-loss-error.js';
export { softmaxCrossEntropy } from './softmax-cross-entropy.js';
