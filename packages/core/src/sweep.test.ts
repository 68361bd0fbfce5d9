import { describe, expect, it } from 'vitest';
import { resolveRunConfig } from './run-config.js';
import { expandSweep } from './sweep.js';

const base = resolveRunConfig({ training: { optimizer: { type: 'sgd', lr: 0.1, momentum: 0 } } });

describe('expandSweep', () => {
  it('crosses the axes in order, first axis slowest, with deterministic ids and labels', () => {
    const trials = expandSweep('demo', base, [
      { key: 'lr', values: [1, 0.1] },
      { key: 'optimizer.momentum', values: [0, 0.9] },
    ]);
    expect(trials.map((trial) => trial.label)).toEqual([
      'lr=1 momentum=0',
      'lr=1 momentum=0.9',
      'lr=0.1 momentum=0',
      'lr=0.1 momentum=0.9',
    ]);
    expect(trials[1]?.config.training.optimizer).toEqual({ type: 'sgd', lr: 1, momentum: 0.9 });
    expect(trials[3]?.id).toMatch(/^demo-003-[0-9a-f]{8}$/);
    expect(
      expandSweep('demo', base, [
        { key: 'lr', values: [1, 0.1] },
        { key: 'optimizer.momentum', values: [0, 0.9] },
      ]).map((trial) => trial.id),
    ).toEqual(trials.map((trial) => trial.id));
    expect(new Set(trials.map((trial) => trial.id.slice(-8))).size).toBe(4);
  });
  it('sets the lr of a schedule spec and parses model strings', () => {
    const scheduled = resolveRunConfig({
      training: { optimizer: { type: 'sgd', lr: { type: 'step', lr: 0.1, stepSize: 2, unit: 'epoch' } } },
    });
    const [trial] = expandSweep('s', scheduled, [
      { key: 'lr', values: [0.5] },
      { key: 'model', values: ['mlp:32,16'] },
    ]);
    expect(trial?.config.training.optimizer.lr).toEqual({
      type: 'step',
      lr: 0.5,
      stepSize: 2,
      unit: 'epoch',
    });
    expect(trial?.config.training.model).toMatchObject({ type: 'mlp', hidden: [32, 16] });
  });
  it('names the trial and key of an override that makes an invalid config', () => {
    expect(() => expandSweep('s', base, [{ key: 'batchSize', values: [32, 0] }])).toThrow(
      '"trial 1 (batchSize=0)" must be a valid config; got "\\"batchSize\\" must be an integer ≥ 1; got 0"',
    );
    expect(() => expandSweep('bad id', base, [])).toThrow(/"sweepId" must be letters/);
    expect(() => expandSweep('s', base, [{ key: '__proto__.x', values: [1] }])).toThrow(
      /"vary" must be a key/,
    );
  });
});
