import base from '@contour/vitest-config';
import { playwright } from '@vitest/browser-playwright';
import { defineConfig } from 'vitest/config';

/**
 * The tests of core's browser-safe entry, run a second time in headless Chromium (Debian's
 * /usr/bin/chromium, or CHROMIUM_PATH) through vitest's browser mode: what the web app's Web
 * Worker runs is tested where it runs. Not yet: the tests that train on the embedded MNIST sample
 * (test-support/small-dataset.ts): in Chromium its digit JSON files fail to load through Vite
 * ("Failed to fetch dynamically imported module"), so those run in Node only for now.
 */
export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: [
      'src/model/model.test.ts',
      'src/sweep.test.ts',
      'src/range-test/range-test-recorder.test.ts',
      'src/range-test/suggest-learning-rates.test.ts',
      'src/finetune/finetune-settings.test.ts',
    ],
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
