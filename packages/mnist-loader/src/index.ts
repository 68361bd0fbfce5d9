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
export * from './prepare.js';
export { type SplitTensors, type ToTensorsOptions, toTensors } from './to-tensors.js';
