/**
 * @contour/layers/node — Node-only parts: `contourLogger` that also writes a run directory
 * (`config.json`, `metrics.jsonl`, `status.json`, `result.json`, `findings.json`) for `contour plot`,
 * `contour report` and the web app's Runs panel. Everything else is in the browser-safe main entry.
 *
 * @packageDocumentation
 */
export { contourLogger } from './contour-logger-node.js';
