import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { useCpuBackend } from '../use-cpu-backend.js';
import { backendConformanceChecks, formatConformanceReport, runBackendConformance } from './index.js';

describe('runBackendConformance', () => {
  beforeAll(useCpuBackend);

  it('passes every check on cpu, conv2d gradient included, without leaking tensors', () => {
    const before = tf.memory().numTensors;
    const report = runBackendConformance('cpu');
    expect(formatConformanceReport(report)).toContain('backend cpu: conforms');
    expect(report.results.filter((result) => result.status !== 'passed')).toEqual([]);
    expect(report.results).toHaveLength(backendConformanceChecks.length);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('covers forward values, the gradients of the ops training uses and training steps', () => {
    const names = backendConformanceChecks.map((check) => check.name);
    for (const name of [
      'matMul gradient',
      'softmax gradient',
      'logSoftmax gradient',
      'relu gradient',
      'tanh gradient',
    ]) {
      expect(names).toContain(name);
    }
    expect(backendConformanceChecks.filter((check) => check.kind === 'training')).toHaveLength(1);
  });

  it('refuses to run when another backend is active', () => {
    expect(() => runBackendConformance('wasm')).toThrow('active backend is "cpu", expected "wasm"');
  });
});
