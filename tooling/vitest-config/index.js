import { defineConfig } from 'vitest/config';

/** Export condition that points workspace packages at `src/` (the root README's Development section). */
export const sourceCondition = '@contour/source';

/**
 * Vite's dev server (vitest's browser mode is one) keeps the import attributes of a dynamic
 * `import('x.json', { with: { type: 'json' } })` while serving the JSON as a JavaScript module, so
 * Chromium refuses it ("Failed to fetch dynamically imported module"; vitejs/vite#19095). A build
 * (the web app's bundle) handles them. This drops the attributes of such JSON imports in dev only,
 * so tests in a browser load files like `#mnist-digits`' as the bundle does.
 *
 * @returns {import('vite').Plugin}
 */
export function jsonImportAttributesInDev() {
  const withJson =
    /import\((\s*(['"])[^'"]+\.json\2)\s*,\s*\{\s*with:\s*\{\s*type:\s*(['"])json\3\s*\}\s*,?\s*\}\s*\)/g;
  return {
    name: 'contour-json-import-attributes-in-dev',
    apply: 'serve',
    enforce: 'pre',
    transform(code) {
      if (!code.includes('json')) return null;
      const stripped = code.replace(withJson, 'import($1)');
      return stripped === code ? null : { code: stripped, map: null };
    },
  };
}

/**
 * The vitest config every package re-exports: tests read workspace packages from their sources
 * (no build needed) and live beside the code as `src/**\/*.test.ts`.
 */
export default defineConfig({
  resolve: { conditions: [sourceCondition, 'module', 'import', 'default'] },
  // Vitest hands the SSR conditions to Node as `--conditions` flags (worker threads inherit them), and
  // Node applies those to require() too. So no 'import' (or 'default') here: Vite adds import/require
  // per request, and on Node 24 a user condition 'import' makes tsx's loader take a require() of a
  // JSON file for an import and hand Node JavaScript where it expects JSON.
  ssr: { resolve: { conditions: [sourceCondition, 'module', 'node', 'development|production'] } },
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 60_000,
  },
});
