import { runBackendConformance } from '@contour/backend-cpu/testing';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { loadNodeBackend, NodeBackendUnavailableError, useNodeBackend } from './index.js';

const installed = loadNodeBackend().loaded;

describe('loadNodeBackend', () => {
  it('says tfjs-node is not installed, in one line, without throwing', () => {
    const result = loadNodeBackend({ isInstalled: () => false });
    expect(result).toEqual({
      loaded: false,
      reason:
        '@tensorflow/tfjs-node is not installed (optional peer dependency; add @tensorflow/tfjs-node@4.22.0, whose install script downloads libtensorflow)',
    });
  });

  it('names the first line of a native load failure', () => {
    const result = loadNodeBackend({
      isInstalled: () => true,
      loadModule: () => {
        throw new Error(
          'libtensorflow.so.2: cannot open shared object file: No such file or directory\n    at Module._load',
        );
      },
    });
    expect(result.loaded).toBe(false);
    expect(result.reason).toBe(
      '@tensorflow/tfjs-node is installed but failed to load: libtensorflow.so.2: cannot open shared object file: No such file or directory',
    );
  });
});

describe('useNodeBackend', () => {
  it('falls back to cpu with the reason and the fallback named', async () => {
    const activation = await useNodeBackend({ isInstalled: () => false });
    expect(activation.backendName).toBe('cpu');
    expect(activation.fellBack).toBe(true);
    expect(activation.reason).toMatch(
      /^@tensorflow\/tfjs-node is not installed .*; falling back to backend "cpu"$/,
    );
    expect(tf.getBackend()).toBe('cpu');
  });

  it('throws a typed error when asked not to fall back', async () => {
    const attempt = useNodeBackend({ isInstalled: () => false, fallback: 'none' });
    await expect(attempt).rejects.toBeInstanceOf(NodeBackendUnavailableError);
    await expect(attempt).rejects.toThrow(
      /^backend "node" unavailable: .*; use backend "wasm" or "cpu" instead$/,
    );
  });

  it.skipIf(!installed)('passes the shared conformance suite on the native backend', async () => {
    const activation = await useNodeBackend({ fallback: 'none' });
    expect(runBackendConformance(activation.backendName).conforms).toBe(true);
  });

  it.skipIf(installed)('runs the shared conformance suite on the fallback it reports', async () => {
    const activation = await useNodeBackend();
    expect(runBackendConformance(activation.backendName).conforms).toBe(true);
  });
});
