import { describe, expect, it } from 'vitest';
import { createOptimizerFromJson } from './create-optimizer.js';
import { optimizerRuleSpecs, optimizerTypes } from './optimizer-rule-specs.js';
import { optimizerRules } from './optimizer-rules.js';
import { validateOptimizerSpec } from './optimizer-spec.js';
import { UnknownOptimizerTypeError } from './optimizer-spec-error.js';

/** Specs each rejected for one field; validateOptimizerSpec must reject them exactly as createOptimizer. */
const badSpecs: unknown[] = [
  null,
  [1],
  { type: 'sgdd', lr: 0.1 },
  { type: 'constructor', lr: 0.1 },
  { type: 'sgd' },
  { type: 'sgd', lr: -1 },
  { type: 'sgd', lr: 'fast' },
  { type: 'sgd', lr: 0.1, momentum: -1 },
  { type: 'sgd', lr: 0.1, nesterov: true },
  { type: 'sgd', lr: 0.1, momentum: 0.9, dampening: 0.1, momentumForm: 'sutskever' },
  { type: 'sgd', lr: 0.1, momentumForm: 'keras' },
  { type: 'adam', beta1: 1 },
  { type: 'adam', betas: [0.9, 0.99] },
  { type: 'rprop', stepMin: 2, stepMax: 1 },
  { type: 'localGains', lr: 0.1, minGain: 3, maxGain: 2 },
  { type: 'sgd', lr: { type: 'step', lr: 0.1 } },
  { type: 'sgd', lr: { type: 'stepp' } },
  { type: 'sgd', lr: { type: 'step', lr: 0.1, stepSize: 1, unit: 'epoch' } },
  { type: 'sgd', lr: 0.1, groups: [{ lrMult: 10 }] },
  { type: 'rprop', groups: [{ match: '*', weightDecay: 0.1 }] },
  { type: 'sgd', lr: 0.1, clipGlobalNorm: 0 },
  { type: 'sgd', lr: 0.1, clipValue: Number.NaN },
  { type: 'sgd', lr: 0.1, skipNonFinite: 'yes' },
  { type: 'sgd', lr: 0.1, maxConsecutiveSkips: 1.5 },
];

function errorOf(run: () => unknown): Error {
  try {
    run();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
}

describe('validateOptimizerSpec', () => {
  it('rejects every bad spec with the same error class and message as createOptimizerFromJson', () => {
    for (const spec of badSpecs) {
      const expected = errorOf(() => createOptimizerFromJson(spec));
      const actual = errorOf(() => validateOptimizerSpec(spec));
      expect(actual.constructor, JSON.stringify(spec)).toBe(expected.constructor);
      expect(actual.message, JSON.stringify(spec)).toBe(expected.message);
    }
    expect(errorOf(() => validateOptimizerSpec({ type: 'sgdd' }))).toBeInstanceOf(UnknownOptimizerTypeError);
    expect(
      errorOf(() => validateOptimizerSpec({ type: 'localGains', lr: 0.1, minGain: 3, maxGain: 2 })).message,
    ).toBe('optimizer spec: "minGain" of "localGains" must be a number ≤ maxGain (2); got 3');
  });

  it('fills the defaults the optimizer uses, and the rate and schedule it starts from', () => {
    const spec = {
      type: 'sgd',
      lr: { type: 'step', lr: 0.1, stepSize: 2, unit: 'epoch' },
      momentum: 0.9,
      groups: [{ layer: 'dense_2', lrMult: 10 }],
      clipValue: 5,
    };
    const validated = validateOptimizerSpec(spec, { stepsPerEpoch: 3 });
    const optimizer = createOptimizerFromJson(spec, { stepsPerEpoch: 3 });
    expect(validated.type).toBe('sgd');
    expect(validated.hyperparameters).toEqual({
      momentum: 0.9,
      dampening: 0,
      nesterov: false,
      weightDecay: 0,
      momentumForm: 'pytorch',
    });
    expect(validated.hyperparameters).toEqual(optimizer.hyperparameters);
    expect(validated.groups).toEqual(optimizer.groups);
    expect(validated.clipValue).toBe(5);
    expect(validated.clipGlobalNorm).toBeUndefined();
    expect(validated.skipNonFinite).toBe(true);
    expect(validated.maxConsecutiveSkips).toBe(10);
    // step schedule on epochs, lr·γ^⌊t/2⌋ with γ = 0.1 (its default); t is the epoch, not the step.
    expect([0, 1, 2, 3].map((epoch) => validated.schedule.value(epoch))).toEqual([
      0.1,
      0.1,
      0.1 * 0.1,
      0.1 * 0.1,
    ]);
    expect(validateOptimizerSpec({ type: 'adam' }).learningRate).toBe(0.001);
    expect(validateOptimizerSpec({ type: 'adamw' }).hyperparameters.weightDecay).toBe(0.01);
  });

  it('reads each rule through the same spec its tensor update carries', () => {
    expect(optimizerTypes).toEqual(Object.keys(optimizerRules));
    for (const type of optimizerTypes) {
      const { initSlots: _initSlots, update: _update, ...spec } = optimizerRules[type];
      expect(spec, type).toEqual(optimizerRuleSpecs[type]);
    }
  });
});
