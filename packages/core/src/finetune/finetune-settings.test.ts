import { describe, expect, it } from 'vitest';
import {
  denseLayerNames,
  discriminativeRates,
  finetuneGroups,
  finetuneOptimizerSpec,
  frozenLayersAt,
  validateFinetuneSettings,
} from './finetune-settings.js';

const layers = ['hidden1', 'hidden2', 'hidden3', 'head'];

describe('denseLayerNames', () => {
  it('names the hidden layers from the input, then the head', () => {
    expect(denseLayerNames(3)).toEqual(layers);
    expect(denseLayerNames(0)).toEqual(['head']);
  });
});

describe('discriminativeRates', () => {
  it('is fastai even_mults: lo·(hi/lo)^(i/(n−1))', () => {
    const rates = discriminativeRates(1e-4, 1e-2, 3);
    expect(rates[0]).toBeCloseTo(1e-4, 18);
    expect(rates[1]).toBeCloseTo(1e-3, 17);
    expect(rates[2]).toBeCloseTo(1e-2, 16);
    expect(discriminativeRates(1e-4, 1e-2, 1)).toEqual([1e-2]);
  });
});

describe('frozenLayersAt', () => {
  it('freezes named layers, the first N with freezeUntil, and unfreezes one layer per epoch from the top', () => {
    expect(frozenLayersAt({ freeze: ['hidden1'] }, layers)).toEqual(['hidden1']);
    expect(frozenLayersAt({ freezeUntil: 2 }, layers)).toEqual(['hidden1', 'hidden2']);
    expect(frozenLayersAt({ freeze: ['hidden*'] }, layers)).toEqual(['hidden1', 'hidden2', 'hidden3']);
    const gradual = { gradualUnfreeze: true };
    expect([1, 2, 3, 4, 5].map((epoch) => frozenLayersAt(gradual, layers, epoch))).toEqual([
      ['hidden1', 'hidden2', 'hidden3'],
      ['hidden1', 'hidden2'],
      ['hidden1'],
      [],
      [],
    ]);
    // An explicit freeze outlasts gradual unfreezing.
    expect(frozenLayersAt({ gradualUnfreeze: true, freeze: ['hidden3'] }, layers, 9)).toEqual(['hidden3']);
  });
});

describe('finetuneGroups', () => {
  it('puts frozen layers first, then one group per layer whose multiplier is not 1', () => {
    expect(finetuneGroups({ freeze: ['hidden1'], learningRateMultipliers: { head: 10 } }, layers)).toEqual([
      { layer: ['hidden1'], frozen: true },
      { layer: 'head', lrMult: 10 },
    ]);
  });

  it('turns slice(lo, hi) into lrMult = rate/hi per layer and multiplies explicit multipliers in', () => {
    const groups = finetuneGroups(
      { discriminative: [1e-3, 1e-1], learningRateMultipliers: { head: 2 } },
      layers,
    );
    // Rates 1e-3, 1e-3·100^(1/3), 1e-3·100^(2/3), 1e-1 → multipliers of hi = 1e-1.
    expect(groups.map((group) => group.layer)).toEqual(['hidden1', 'hidden2', 'hidden3', 'head']);
    expect(groups[0]?.lrMult).toBeCloseTo(0.01, 15);
    expect(groups[1]?.lrMult).toBeCloseTo(0.01 * 100 ** (1 / 3), 14);
    expect(groups[2]?.lrMult).toBeCloseTo(0.01 * 100 ** (2 / 3), 14);
    expect(groups[3]?.lrMult).toBe(2);
  });
});

describe('finetuneOptimizerSpec', () => {
  it('replaces the spec groups and sets the base rate to hi for a slice (in the schedule when there is one)', () => {
    expect(
      finetuneOptimizerSpec(
        { type: 'sgd', lr: 0.5, groups: [{ layer: 'x' }] },
        { discriminative: [0.01, 0.1] },
        ['hidden1', 'head'],
      ),
    ).toEqual({
      type: 'sgd',
      lr: 0.1,
      groups: [{ layer: 'hidden1', lrMult: expect.closeTo(0.1, 15) }],
    });
    expect(
      finetuneOptimizerSpec(
        { type: 'sgd', lr: { type: 'step', lr: 1, stepSize: 5 } },
        { discriminative: [0.01, 0.1] },
        ['head'],
      ),
    ).toEqual({ type: 'sgd', lr: { type: 'step', lr: 0.1, stepSize: 5 } });
  });
});

describe('validateFinetuneSettings', () => {
  it('names the field of a bad setting', () => {
    expect(() => validateFinetuneSettings({ freeze: ['hidden9'] }, layers)).toThrow(
      /"freeze" must be layers of the model/,
    );
    expect(() => validateFinetuneSettings({ learningRateMultipliers: { head: -1 } }, layers)).toThrow(
      /"learningRateMultipliers.head" must be a finite number ≥ 0/,
    );
    expect(() => validateFinetuneSettings({ freezeUntil: 4 }, layers)).toThrow(
      /"freezeUntil" must be an integer in 0..3/,
    );
    expect(() => validateFinetuneSettings({ discriminative: [0.1, 0.01] }, layers)).toThrow(
      /"discriminative"/,
    );
  });
});
