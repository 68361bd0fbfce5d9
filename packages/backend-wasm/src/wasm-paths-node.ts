import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * Where the .wasm files of `@tensorflow/tfjs-backend-wasm` are in Node: the `dist/` folder of the
 * installed package, found through Node's resolution from this module, with a trailing separator
 * (the form `setWasmPaths` takes as a prefix).
 */
export function defaultWasmPaths(): string {
  const require = createRequire(import.meta.url);
  const packageJson = require.resolve('@tensorflow/tfjs-backend-wasm/package.json');
  return `${join(dirname(packageJson), 'dist')}/`;
}
