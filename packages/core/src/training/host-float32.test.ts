import { useCpuBackend } from '@contour/backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { hostFloat32Checks } from '../test-support/host-float32-checks.js';
import { hostFloat32, muslExpf, muslLogf } from './host-float32.js';

beforeAll(useCpuBackend);

describe('hostFloat32', () => {
  hostFloat32Checks('cpu');

  it('has no host arithmetic for backends whose kernels it cannot reproduce', () => {
    expect(hostFloat32('webgl')).toBeUndefined();
    expect(hostFloat32('tensorflow')).toBeUndefined();
  });
});

describe('muslExpf', () => {
  it('gives exp rounded to float32 (within one unit in the last place) and its special values', () => {
    for (let x = -87; x < 88; x += 0.37) {
      const exact = Math.exp(Math.fround(x));
      const ulp = 2 ** (Math.floor(Math.log2(exact)) - 23);
      expect(Math.abs(muslExpf(Math.fround(x)) - exact)).toBeLessThanOrEqual(ulp);
    }
    expect(muslExpf(0)).toBe(1);
    expect(muslExpf(-0)).toBe(1);
    expect(muslExpf(Number.NEGATIVE_INFINITY)).toBe(0);
    expect(muslExpf(Number.POSITIVE_INFINITY)).toBe(Number.POSITIVE_INFINITY);
    expect(muslExpf(89)).toBe(Number.POSITIVE_INFINITY);
    expect(muslExpf(-105)).toBe(0);
    expect(muslExpf(Number.NaN)).toBeNaN();
  });
});

describe('muslLogf', () => {
  it('gives log rounded to float32 (within one unit in the last place) and its special values', () => {
    for (let x = 1e-40; x < 3e38; x *= 1.7) {
      const value = Math.fround(x);
      const exact = Math.log(value);
      const ulp = 2 ** (Math.floor(Math.log2(Math.abs(exact))) - 23);
      expect(Math.abs(muslLogf(value) - exact)).toBeLessThanOrEqual(ulp);
    }
    expect(muslLogf(1)).toBe(0);
    expect(muslLogf(0)).toBe(Number.NEGATIVE_INFINITY);
    expect(muslLogf(-0)).toBe(Number.NEGATIVE_INFINITY);
    expect(muslLogf(Number.POSITIVE_INFINITY)).toBe(Number.POSITIVE_INFINITY);
    expect(muslLogf(-1)).toBeNaN();
    expect(muslLogf(Number.NaN)).toBeNaN();
  });
});
