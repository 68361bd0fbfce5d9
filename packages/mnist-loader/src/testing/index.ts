// Test helpers (Node only: they use node:zlib and node:fs): an IDX fixture generator that writes
// valid and broken files from typed arrays. The encoders live in the main entry (browser-safe) and
// are re-exported here for existing callers.
export { encodeIdxImages, encodeIdxLabels } from '../encode-idx.js';
export { type DeriveIdxFilesOptions, deriveIdxFiles } from './derived-digits.js';
export {
  createIdxFixture,
  gzipBytes,
  gzipCorruptions,
  type IdxFixture,
  type IdxFixtureOptions,
  idxCorruptions,
  withWord,
  writeIdxFixtureDirectory,
} from './idx-fixtures.js';
