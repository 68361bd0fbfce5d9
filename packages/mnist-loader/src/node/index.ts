// Node entry: everything of the main entry plus the loaders that read files (node:fs) and
// decompress with node:zlib. Browser bundles import the main entry only.
export * from '../index.js';
export { checkMnistSource } from './check-data-source.js';
export {
  fashionMnistDirectory,
  loadFashionMnist,
  loadIdxDirectory,
  loadIdxFiles,
  loadMnistDataset,
  type NodeLoadOptions,
  namedSources,
} from './load-mnist-dataset.js';
export { checkIdxPath, directoryName, findIdxFiles, readIdxPath } from './read-idx-path.js';
export { zlibGunzip } from './zlib-gunzip.js';
