// Browser stand-in for `node:module`. @contour/backends imports @contour/backend-node, whose
// native-backend loader uses `createRequire`; it is never called in browsers (selectBackend with
// `environment: 'browser'` never tries `node`), but Vite's dev server throws as soon as the import
// is evaluated. This stub lets the module load and fails clearly if it were ever called.

/** Always throws: there is no CommonJS `require` in browsers. */
export function createRequire(): never {
  throw new Error(
    'node:module.createRequire is not available in browsers (the node backend runs only in Node.js)',
  );
}
