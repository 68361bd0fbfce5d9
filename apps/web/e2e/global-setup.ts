import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type PreviewServer, preview } from 'vite';
import type { TestProject } from 'vitest/node';

const appDirectory = join(dirname(fileURLToPath(import.meta.url)), '..');

/** A TCP port free on the loopback interface right now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/**
 * Builds the app (the production build `pnpm --filter @contour/web build` makes, into
 * `e2e-artifacts/dist/`) and serves it with `vite preview` on a free loopback port, with the production security headers.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const configFile = join(appDirectory, 'vite.config.ts');
  // A folder of its own, so a `build` running at the same time (turbo) never clobbers what is served.
  const outDir = join(appDirectory, 'e2e-artifacts', 'dist');
  const started = performance.now();
  await build({ root: appDirectory, configFile, logLevel: 'warn', build: { outDir, emptyOutDir: true } });
  const port = await freePort();
  const server: PreviewServer = await preview({
    root: appDirectory,
    configFile,
    logLevel: 'warn',
    build: { outDir },
    preview: { host: '127.0.0.1', port, strictPort: true, open: false },
  });
  const baseUrl = `http://127.0.0.1:${port}/`;
  console.log(`e2e: built and serving ${baseUrl} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  project.provide('baseUrl', baseUrl);
  return async () => {
    await server.close();
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    baseUrl: string;
  }
}
