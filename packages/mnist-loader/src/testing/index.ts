// Test helpers (Node only: they use node:zlib and node:fs): an IDX fixture generator that writes
// valid and broken files from typed arrays.
export {
  createIdxFixture,
  encodeIdxImages,
  encodeIdxLabels,
  gzipBytes,
  gzipCorruptions,
  type IdxFixture,
  type IdxFixtureOptions,
  idxCorruptions,
  withWord,
  writeIdxFixtureDirectory,
} from './idx-fixtures.js';
