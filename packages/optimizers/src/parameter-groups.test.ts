import { describe, expect, it } from 'vitest';
import { findParameterGroup, globToRegExp, layerNameOf, readParameterGroups } from './parameter-groups.js';

describe('globToRegExp', () => {
  it('matches * within a path segment, ** across segments and ? for one character', () => {
    expect(globToRegExp('dense_*/kernel').test('dense_12/kernel')).toBe(true);
    expect(globToRegExp('*/kernel').test('block/dense/kernel')).toBe(false);
    expect(globToRegExp('**/kernel').test('block/dense/kernel')).toBe(true);
    expect(globToRegExp('conv?/bias').test('conv1/bias')).toBe(true);
    expect(globToRegExp('a.b').test('axb')).toBe(false);
  });
});

describe('layerNameOf', () => {
  it('is the part before the last slash', () => {
    expect(layerNameOf('model/dense_1/kernel')).toBe('model/dense_1');
    expect(layerNameOf('bias')).toBe('');
  });
});

describe('findParameterGroup', () => {
  it('returns the first group matching by name or by layer', () => {
    const groups = readParameterGroups(
      [
        { layer: 'head', lrMult: 10 },
        { match: ['*/bias', 'other'], lrMult: 20 },
      ],
      'sgd',
      true,
    );
    expect(findParameterGroup(groups, 'head/bias')?.learningRateMultiplier).toBe(10);
    expect(findParameterGroup(groups, 'body/bias')?.learningRateMultiplier).toBe(20);
    expect(findParameterGroup(groups, 'body/kernel')).toBeUndefined();
  });
});
