import { existsSync } from 'node:fs';
import { runBackendConformance } from '@contour/backend-cpu/testing';
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { defaultWasmPaths, useWasmBackend, wasmBackendName, wasmThreadsFlag } from './index.js';

describe('useWasmBackend', () => {
  beforeAll(() => useWasmBackend());

  it('activates wasm from the .wasm files of the installed package', () => {
    expect(tf.getBackend()).toBe(wasmBackendName);
    const folder = defaultWasmPaths();
    expect(folder).toMatch(/tfjs-backend-wasm\/dist\/$/);
    for (const file of ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm']) {
      expect(existsSync(`${folder}${file}`)).toBe(true);
    }
  });

  it('passes the shared conformance suite and reports the missing conv2d gradient kernel', () => {
    const before = tf.memory().numTensors;
    const report = runBackendConformance(wasmBackendName);
    const notPassed = report.results.filter((result) => result.status !== 'passed');
    expect(report.conforms).toBe(true);
    expect(notPassed).toEqual([
      expect.objectContaining({
        name: 'conv2d gradient',
        status: 'unsupported',
        missingKernel: 'Conv2DBackpropFilter',
        message:
          'conv2d gradient: kernel "Conv2DBackpropFilter" is not registered for backend "wasm"; choose another backend (e.g. cpu) for this model',
      }),
    ]);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('useWasmBackend threads', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('turns tfjs-backend-wasm threads off unless threads: true is passed', async () => {
    const set = vi.spyOn(tf.env(), 'set');
    await useWasmBackend();
    expect(set).toHaveBeenCalledWith(wasmThreadsFlag, false);
    expect(await tf.env().getAsync(wasmThreadsFlag)).toBe(false);
    set.mockClear();
    await useWasmBackend({ threads: true });
    expect(set).not.toHaveBeenCalledWith(wasmThreadsFlag, expect.anything());
    expect(wasmThreadsFlag).toBe('WASM_HAS_MULTITHREAD_SUPPORT');
  });
});
