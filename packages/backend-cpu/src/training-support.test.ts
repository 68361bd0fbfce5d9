import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { MissingKernelError, toMissingKernelError } from './missing-kernel-error.js';
import { findMissingKernels, probeTrainingSupport } from './training-support.js';
import './register-cpu-backend.js';

describe('probeTrainingSupport', () => {
  it('reports that cpu trains, leaving it active and leaking nothing', async () => {
    const before = tf.memory().numTensors;
    const report = await probeTrainingSupport('cpu');
    expect(report).toMatchObject({ backendName: 'cpu', supported: true });
    expect(tf.getBackend()).toBe('cpu');
    expect(tf.memory().numTensors).toBe(before);
  });

  it('reports an unknown backend in one line instead of throwing', async () => {
    const report = await probeTrainingSupport('no-such-backend');
    expect(report.supported).toBe(false);
    expect(report.reason).toMatch(/^backend "no-such-backend" failed to initialise/);
    expect(report.reason).not.toContain('\n');
  });
});

describe('findMissingKernels', () => {
  it('finds nothing missing on cpu for dense and convolutional gradients', () => {
    expect(findMissingKernels('cpu', ['matMul', 'relu', 'softmax', 'conv2d', 'maxPool'])).toEqual([]);
  });

  it('lists every kernel of an unknown backend', () => {
    const missing = findMissingKernels('nothing', ['conv2d']);
    expect(missing.map((error) => error.kernelName)).toEqual([
      'Conv2D',
      'Conv2DBackpropFilter',
      'Conv2DBackpropInput',
    ]);
    expect(missing[1]?.message).toBe(
      'conv2d gradient: kernel "Conv2DBackpropFilter" is not registered for backend "nothing"; choose another backend (e.g. cpu) for this model',
    );
  });
});

describe('toMissingKernelError', () => {
  it("parses tfjs's message and ignores other errors", () => {
    const error = toMissingKernelError(new Error("Kernel 'FFT' not registered for backend 'wasm'"), 'fft');
    expect(error).toBeInstanceOf(MissingKernelError);
    expect([error?.kernelName, error?.backendName, error?.operation]).toEqual(['FFT', 'wasm', 'fft']);
    expect(toMissingKernelError(new Error('something else'), 'fft')).toBeUndefined();
  });
});
