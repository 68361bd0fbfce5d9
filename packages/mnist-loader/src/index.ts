// Main entry: works in browsers and Node (no node: imports). File and zlib loaders: `./node`.
export { type Batch, type Batcher, type BatcherOptions, createBatcher } from './create-batcher.js';
export {
  type DecodeIdxOptions,
  decodeIdxBytes,
  decodeIdxImages,
  decodeIdxLabels,
} from './decode-idx.js';
export { embeddedMnistName, embeddedTrainingShare, loadEmbeddedMnist } from './embedded-mnist.js';
export { encodeIdxImages, encodeIdxLabels } from './encode-idx.js';
export {
  checkGzipTrailer,
  defaultMaximumDecompressedBytes,
  type Gunzip,
  GunzipLimitExceeded,
  isGzip,
  streamGunzip,
  toDecompressionError,
} from './gunzip.js';
export {
  decodeImageSet,
  type IdxBytes,
  type IdxInput,
  inferClassCount,
  type LoadIdxDatasetOptions,
  loadIdxDataset,
  readIdxInput,
} from './load-idx-dataset.js';
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
  checkClassCount,
  checkImagesMatchLabels,
  type IdxHeader,
  type IdxImages,
  type IdxKind,
  type IdxLabels,
  idxImagesMagic,
  idxLabelsMagic,
  maximumClassCount,
  maximumImageSide,
  type ParseIdxImagesOptions,
  type ParseIdxLabelsOptions,
  parseIdxImages,
  parseIdxLabels,
  readIdxHeader,
} from './parse-idx.js';
export {
  type FeatureScaling,
  type PrepareDatasetOptions,
  type PreparedDataset,
  type PreparedSplit,
  prepareDataset,
} from './prepare-dataset.js';
export { createSeededRandom, epochSeed, shuffleInPlace } from './seeded-random.js';
