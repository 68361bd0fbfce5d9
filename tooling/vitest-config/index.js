import { defineConfig } from 'vitest/config';

/** Export condition that points workspace packages at `src/` (the root README's Development section). */
export const sourceCondition = '@contour/source';

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
