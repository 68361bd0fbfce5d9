import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it, vi } from 'vitest';
import { selectBackend } from './index.js';

// A wasm backend that never finishes initialising (as tfjs-backend-wasm 4.22 does when a
// Content-Security-Policy blocks its thread workers).
vi.mock('@contour/backend-wasm', () => ({
  wasmBackendName: 'wasm',
  useWasmBackend: () => new Promise<never>(() => undefined),
}));

describe('selectBackend', () => {
  it('gives up on a backend that hangs after attemptTimeoutMilliseconds and falls back, saying why', async () => {
    const started = performance.now();
    const selection = await selectBackend('wasm', { environment: 'node', attemptTimeoutMilliseconds: 50 });
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(selection.fellBack).toBe(true);
    expect(selection.attempts[0]).toMatchObject({
      name: 'wasm',
      usable: false,
      reason: 'backend "wasm" did not initialise within 50 ms',
    });
    expect(['node', 'cpu']).toContain(selection.name);
    expect(selection.reason).toContain('wasm: backend "wasm" did not initialise within 50 ms');
    expect(tf.getBackend()).toBe(selection.tfjsName);
  });

  it('rejects a timeout that is not a finite number > 0, naming the option', async () => {
    for (const value of [0, -1, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 31]) {
      await expect(selectBackend('cpu', { attemptTimeoutMilliseconds: value })).rejects.toThrow(
        /^attemptTimeoutMilliseconds must be a number in \(0, 2147483647\]; got /,
      );
    }
  });
});
