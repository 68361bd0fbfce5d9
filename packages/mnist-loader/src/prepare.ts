/**
 * `@contour/mnist-loader/prepare` — preparing a loaded dataset (seeded split, limits, classes,
 * standardisation) without TensorFlow.js: `prepareDataset`, the dataset types, the loader's errors,
 * and a split's features and one-hot labels as plain typed arrays (`splitFeatures`,
 * `oneHotLabels`). For code that resolves a run's data before it loads tfjs (a CLI before its
 * first line of output); batching into tensors (`createBatcher`) and whole splits as tensors
 * (`toTensors`) are in the main entry, which re-exports all of it.
 *
 * @packageDocumentation
 */
export {
  digitClassNames,
  fashionClassNames,
  type IdxFileSet,
  type ImageSet,
  labelHistogram,
  type MnistDataset,
  standardIdxFileNames,
} from './mnist-dataset.js';
export {
  DatasetNotFoundError,
  IdxCountMismatchError,
  IdxDecompressionError,
  IdxFormatError,
  IdxLabelError,
  MnistLoaderError,
  MnistLoaderOptionError,
} from './mnist-loader-error.js';
export {
  type FeatureScaling,
  type PrepareDatasetOptions,
  type PreparedDataset,
  type PreparedSplit,
  prepareDataset,
} from './prepare-dataset.js';
export { createSeededRandom, epochSeed, shuffleInPlace } from './seeded-random.js';
export {
  checkSplitName,
  featureTable,
  oneHotLabels,
  type SplitName,
  splitFeatures,
} from './split-features.js';
