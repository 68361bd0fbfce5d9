/**
 * HTTP headers the web app is served with, in `vite preview` and in production (the build writes
 * them to `dist/_headers` for hosts that read that file; README.md shows the nginx equivalent).
 *
 * - Content-Security-Policy: scripts only from the app's own origin, no inline scripts and no
 *   `eval`; `'wasm-unsafe-eval'` lets the tfjs WebAssembly backend compile its module. Vega runs
 *   its expressions through `vega-interpreter`, so it needs no `unsafe-eval` either.
 * - Cross-origin isolation (COOP `same-origin` + COEP `require-corp`): enables
 *   `SharedArrayBuffer`, which the sweep's pause control uses and multi-threaded WebAssembly needs.
 *   (tfjs-backend-wasm 4.22's threaded build cannot run under this CSP from a bundle; the worker
 *   uses its SIMD build — see src/worker/lab-worker.ts and README.md.)
 */
export const contentSecurityPolicy = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "worker-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** Headers of every response of the app. */
export const securityHeaders: Readonly<Record<string, string>> = {
  'Content-Security-Policy': contentSecurityPolicy,
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
};

/** Headers for the dev server: isolation only (Vite's dev client injects styles a strict CSP blocks). */
export const developmentHeaders: Readonly<Record<string, string>> = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

/** The `_headers` file (Netlify / Cloudflare Pages format) applying {@link securityHeaders} to every path. */
export function headersFile(): string {
  const lines = Object.entries(securityHeaders).map(([name, value]) => `  ${name}: ${value}`);
  return `/*\n${lines.join('\n')}\n`;
}
