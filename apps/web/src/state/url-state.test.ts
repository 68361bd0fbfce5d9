import { describe, expect, it } from 'vitest';
import {
  decodeSharedState,
  encodeSharedState,
  maximumEncodedLength,
  type RangeTestPanelSettings,
  type SharedState,
  type SweepSettings,
} from './url-state.js';

const sweep: SweepSettings = {
  model: 'mlp:64',
  optimizer: { type: 'sgd', momentum: 0.9 },
  schedule: { type: 'cosine', tMax: 100 },
  rates: [0.01, 0.1, 1],
  epochs: 3,
  batchSize: 64,
  trainLimit: 2000,
  validation: 0.2,
  seed: 7,
  backend: 'wasm',
};

const rangeTest: RangeTestPanelSettings = {
  model: 'linear',
  optimizer: { type: 'adam' },
  startLearningRate: 1e-6,
  endLearningRate: 10,
  iterations: 100,
  batchSize: 32,
  trainLimit: 1000,
  seed: 1,
  backend: 'cpu',
};

describe('encodeSharedState', () => {
  it('round-trips every panel setting through a URL fragment', () => {
    const state: SharedState = {
      panel: 'schedules',
      schedule: { spec: { type: 'expr', expr: 'lr * 0.5 ^ (t / 10)', lr: 0.1 }, steps: 300, logScale: true },
      sweep,
      race: { surface: 'beale', start: [1, -1.5], steps: 250, rates: { sgd: 0.002, adam: 0.1 } },
      rangeTest,
    };
    const fragment = encodeSharedState(state);
    expect(fragment).toMatch(/^panel=schedules&state=[A-Za-z0-9_-]+$/);
    expect(decodeSharedState(`#${fragment}`)).toEqual(state);
  });

  it('keeps non-ASCII text (UTF-8) intact', () => {
    const state: SharedState = {
      panel: 'schedules',
      schedule: { spec: { type: 'expr', expr: 'lr', note: 'η — schedule' }, steps: 10, logScale: false },
    };
    expect(decodeSharedState(encodeSharedState(state))).toEqual(state);
  });

  it('writes only the panel when there are no settings', () => {
    expect(encodeSharedState({ panel: 'runs' })).toBe('panel=runs');
  });
});

describe('decodeSharedState', () => {
  it('returns undefined without a known panel', () => {
    expect(decodeSharedState('')).toBeUndefined();
    expect(decodeSharedState('#panel=admin')).toBeUndefined();
  });

  it('drops range-test settings whose rates are not an increasing pair of numbers > 0', () => {
    for (const bad of [
      { ...rangeTest, startLearningRate: 0 },
      { ...rangeTest, endLearningRate: 1e-7 },
      { ...rangeTest, iterations: 2.5 },
    ]) {
      const fragment = encodeSharedState({ panel: 'range-test', rangeTest: bad });
      expect(decodeSharedState(fragment)).toEqual({ panel: 'range-test' });
    }
  });

  it('drops garbage, other versions and oversized state but keeps the panel', () => {
    expect(decodeSharedState('#panel=race&state=%%%')).toEqual({ panel: 'race' });
    expect(decodeSharedState('#panel=race&state=bm90IGpzb24')).toEqual({ panel: 'race' });
    const otherVersion = encodeSharedState({ panel: 'race' }).replace('panel=race', '');
    expect(decodeSharedState(`#panel=race${otherVersion}`)).toEqual({ panel: 'race' });
    const encoded = btoa(JSON.stringify({ v: 2, race: { surface: 'booth', start: null, steps: 5 } }));
    expect(decodeSharedState(`#panel=race&state=${encoded}`)).toEqual({ panel: 'race' });
    expect(decodeSharedState(`#panel=race&state=${'A'.repeat(maximumEncodedLength + 1)}`)).toEqual({
      panel: 'race',
    });
  });

  it('leaves out settings of the wrong shape and keeps the valid ones', () => {
    const fragment = encodeSharedState({
      panel: 'sweep',
      sweep: { ...sweep, rates: [] },
      race: { surface: 'booth', start: null, steps: 10 },
    });
    expect(decodeSharedState(fragment)).toEqual({
      panel: 'sweep',
      race: { surface: 'booth', start: null, steps: 10 },
    });
    const badBackend = encodeSharedState({ panel: 'sweep', sweep: { ...sweep, backend: 'node' as never } });
    expect(decodeSharedState(badBackend)).toEqual({ panel: 'sweep' });
    const badStart = encodeSharedState({
      panel: 'race',
      race: { surface: 'booth', start: [1, Number.NaN] as never, steps: 10 },
    });
    expect(decodeSharedState(badStart)).toEqual({ panel: 'race' });
    const badRate = encodeSharedState({
      panel: 'race',
      race: { surface: 'booth', start: null, steps: 10, rates: { sgd: -0.1 } },
    });
    expect(decodeSharedState(badRate)).toEqual({ panel: 'race' });
  });
});
