import { sourceCondition } from '@contour/vitest-config';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { conditions: [sourceCondition, 'module', 'import', 'default'] },
  // No 'import'/'default' in the SSR conditions: Node receives them as `--conditions` (see @contour/vitest-config).
  ssr: { resolve: { conditions: [sourceCondition, 'module', 'node', 'development|production'] } },
  test: {
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['src/**/*.test.ts'], environment: 'node', testTimeout: 30_000 },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['e2e/**/*.e2e.test.ts'],
          globalSetup: ['e2e/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 240_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
