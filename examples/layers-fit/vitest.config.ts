import { defineConfig } from 'vitest/config';

// No `@contour/source` condition: the example runs against the packages' built `dist/`, as a user's
// project does (turbo builds them first: `dependsOn: ["^build"]` in this package's turbo.json).
export default defineConfig({
  test: { include: ['src/**/*.test.ts'], testTimeout: 600_000 },
});
