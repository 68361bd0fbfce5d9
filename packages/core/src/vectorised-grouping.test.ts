import { describe, expect, it } from 'vitest';
import { resolveRunConfig } from './run-config.js';
import { expandSweep } from './sweep.js';
import { groupVectorisedTrials, vectorisedTrialKey } from './vectorised-grouping.js';

const base = resolveRunConfig({
  data: { trainLimit: 500 },
  training: { epochs: 1, batchSize: 50, optimizer: { type: 'sgd', lr: 0.1 } },
  backend: 'cpu',
});

describe('vectorisedTrialKey', () => {
  it('ignores the optimizer spec and divergence factor, and tells data, backend, batch size and epochs apart', () => {
    const key = vectorisedTrialKey(base);
    const withRate = { ...base, training: { ...base.training, optimizer: { type: 'adam', lr: 3 } } };
    expect(vectorisedTrialKey(withRate as typeof base)).toBe(key);
    expect(vectorisedTrialKey({ ...base, backend: 'wasm' })).not.toBe(key);
    expect(vectorisedTrialKey({ ...base, data: { ...base.data, trainLimit: 400 } })).not.toBe(key);
    expect(vectorisedTrialKey({ ...base, training: { ...base.training, batchSize: 25 } })).not.toBe(key);
    expect(vectorisedTrialKey({ ...base, training: { ...base.training, epochs: 2 } })).not.toBe(key);
  });
});

describe('groupVectorisedTrials', () => {
  it('groups compatible trials, leaves singles and unsupported groups alone (with the reason), in the given order', () => {
    const rates = expandSweep('rates', base, [{ key: 'lr', values: [1, 0.1, 0.01] }]);
    const batches = expandSweep('batches', base, [{ key: 'batchSize', values: [25] }]);
    // Same key as the rates but for the epochs: a group of its own, which cannot be stacked.
    const twoEpochs = { ...base, training: { ...base.training, epochs: 2 } };
    const plateau = expandSweep('plateau', twoEpochs, [
      { key: 'schedule', values: [{ type: 'reduceOnPlateau' }, { type: 'reduceOnPlateau', factor: 0.5 }] },
    ]);
    const [first, second, third] = rates;
    const mixed = [first, ...batches, ...plateau, second, third] as typeof rates;
    const { groups, rest, reason } = groupVectorisedTrials(mixed);
    expect(groups.map((group) => group.map((trial) => trial.id))).toEqual([rates.map((trial) => trial.id)]);
    expect(rest.map((trial) => trial.id)).toEqual([...batches, ...plateau].map((trial) => trial.id));
    expect(reason).toBe('trial 0 uses a stateful schedule (reduceOnPlateau)');
    expect(groupVectorisedTrials([first as (typeof rates)[number]])).toEqual({ groups: [], rest: [first] });
  });
});
