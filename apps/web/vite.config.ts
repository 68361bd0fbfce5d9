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
  build: { target: 'es2022', sourcemap: true, chunkSizeWarningLimit: 4096 },
  server: { headers: { ...developmentHeaders } },
  preview: { headers: { ...securityHeaders } },
  plugins: [productionHeaders()],
});
