import { defineConfig, type Plugin } from 'vite';
import { developmentHeaders, headersFile, securityHeaders } from './security-headers.js';

/** Export condition that points workspace packages at their `src/`, as in tests and typecheck (the root README's Development section). */
const sourceCondition = '@contour/source';

/** Writes the production header config next to the build. */
function productionHeaders(): Plugin {
  return {
    name: 'contour-production-headers',
    apply: 'build',
    generateBundle() {
      this.emitFile({ type: 'asset', fileName: '_headers', source: headersFile() });
    },
  };
}

export default defineConfig({
  resolve: {
    conditions: [sourceCondition, 'module', 'browser', 'import', 'default'],
  },
  worker: { format: 'es' },
  // The dev server pre-bundles the dependencies it finds from index.html at start-up; the training
  // worker (and the tfjs backends and tfjs-layers it loads) is only reached when a run starts, so
  // without this entry the first run makes Vite re-bundle and reload the page, losing the run.
  optimizeDeps: { entries: ['index.html', 'src/worker/lab-worker.ts'] },
  build: { target: 'es2022', sourcemap: true, chunkSizeWarningLimit: 4096 },
  server: { headers: { ...developmentHeaders } },
  preview: { headers: { ...securityHeaders } },
  plugins: [productionHeaders()],
});
