import { defineConfig } from 'vitest/config';

/** Export condition that points workspace packages at `src/` (the root README's Development section). */
export const sourceCondition = '@contour/source';

/**
 * The vitest config every package re-exports: tests read workspace packages from their sources
 * (no build needed) and live beside the code as `src/**\/*.test.ts`.
 */
export default defineConfig({
  resolve: { conditions: [sourceCondition, 'module', 'import', 'default'] },
  ssr: { resolve: { conditions: [sourceCondition, 'module', 'node', 'import', 'default'] } },
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 60_000,
  },
});
