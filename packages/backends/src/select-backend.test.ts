import { loadNodeBackend } from '@contour/backend-node';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { BackendUnavailableError, detectEnvironment, selectBackend, UnknownBackendError } from './index.js';

const nativeInstalled = loadNodeBackend().loaded;

describe('selectBackend', () => {
  it.skipIf(nativeInstalled)('auto picks wasm in Node when tfjs-node is missing, and says why', async () => {
    const selection = await selectBackend('auto');
    expect(selection).toMatchObject({ requested: 'auto', name: 'wasm', tfjsName: 'wasm', fellBack: false });
    expect(selection.attempts.map((attempt) => [attempt.name, attempt.usable])).toEqual([
      ['node', false],
      ['wasm', true],
    ]);
    expect(selection.reason).toMatch(
      /^auto chose wasm, the fastest backend that trains here \(node: @tensorflow\/tfjs-node is not installed/,
    );
    expect(tf.getBackend()).toBe('wasm');
  });

  it('activates a named backend that works', async () => {
    const selection = await selectBackend('cpu');
    expect(selection).toMatchObject({ name: 'cpu', fellBack: false, reason: 'cpu as requested' });
    expect(tf.getBackend()).toBe('cpu');
  });

  it('falls back from webgl in Node along the automatic order, naming the reason', async () => {
    const selection = await selectBackend('webgl', { environment: 'node' });
    expect(selection.fellBack).toBe(true);
    expect(selection.reason).toMatch(
      /^webgl could not be used; fell back to (node|wasm) \(webgl: WebGL needs a browser/,
    );
  });

  it('throws a typed error in strict mode', async () => {
    await expect(selectBackend('webgl', { strict: true, environment: 'node' })).rejects.toThrow(
      new BackendUnavailableError('webgl', 'WebGL needs a browser; not available in Node.js'),
    );
  });

  it('lists the names that exist for an unknown one', async () => {
    await expect(selectBackend('gpu' as never)).rejects.toThrow(UnknownBackendError);
    await expect(selectBackend('gpu' as never)).rejects.toThrow(
      'backend: "gpu" is not a backend; use one of auto, cpu, wasm, node, webgl',
    );
  });
});

describe('detectEnvironment', () => {
  it('treats a page and a Web Worker as browsers, and Node.js (even with a DOM shim) as node', () => {
    expect(detectEnvironment({ document: {} })).toBe('browser');
    expect(detectEnvironment({ WorkerGlobalScope: class {} })).toBe('browser');
    expect(detectEnvironment({})).toBe('node');
    expect(detectEnvironment({ document: {}, process: { versions: { node: '20.0.0' } } })).toBe('node');
    expect(detectEnvironment()).toBe('node');
  });
});
