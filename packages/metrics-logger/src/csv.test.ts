import { describe, expect, it } from 'vitest';
import { epochsToCsv } from './csv.js';
import { divergingRun, epoch } from './test-support/sample-runs.js';

describe('epochsToCsv', () => {
  it('writes one row per epoch with the columns the records have, NaN kept', () => {
    expect(epochsToCsv(divergingRun).split('\n').slice(0, 2)).toEqual([
      'epoch,step,learningRate,seconds,train_crossEntropy,train_classificationError,validation_crossEntropy,validation_classificationError',
      '1,10,0.1,0.5,2,0.5,2.1,0.5',
    ]);
    expect(epochsToCsv(divergingRun).trimEnd().split('\n').at(-1)).toBe('4,40,0.1,0.5,NaN,0.9,NaN,0.9');
  });
  it('adds update ratio columns per layer', () => {
    const csv = epochsToCsv([epoch(1, [1, 0.5], undefined, { updateRatios: { dense1: -3.2 } })]);
    expect(csv).toBe(
      'epoch,step,learningRate,seconds,train_crossEntropy,train_classificationError,updateRatio_dense1\n1,10,0.1,0.5,1,0.5,-3.2\n',
    );
  });
});
