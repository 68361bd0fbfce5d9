import { describe, expect, it } from 'vitest';
import {
  bestEpoch,
  convergenceEpoch,
  divergenceEpoch,
  epochRecords,
  oscillation,
  overfittingGap,
  summarizeRun,
} from './analysis.js';
import { divergingRun, epoch, steadyRun } from './test-support/sample-runs.js';

describe('epochRecords', () => {
  it('keeps one record per epoch in order, the later one winning (as after a resume)', () => {
    const records = [epoch(2, [1, 0.5]), epoch(1, [2, 0.6]), epoch(2, [0.9, 0.4])];
    expect(epochRecords(records).map((record) => [record.epoch, record.train.crossEntropy])).toEqual([
      [1, 2],
      [2, 0.9],
    ]);
  });
});

describe('bestEpoch', () => {
  it('finds the lowest finite validation loss, earliest on ties', () => {
    expect(bestEpoch(epochRecords(steadyRun))).toEqual({ epoch: 3, value: 0.65 });
    expect(bestEpoch(epochRecords(steadyRun), 'train', 'classificationError')).toEqual({
      epoch: 4,
      value: 0.1,
    });
    expect(bestEpoch(epochRecords(divergingRun), 'train')).toEqual({ epoch: 3, value: 1.8 });
  });
});

describe('overfittingGap', () => {
  it('is validation − train at the last epoch with both finite', () => {
    expect(overfittingGap(epochRecords(steadyRun))).toBeCloseTo(0.38, 12);
    expect(overfittingGap(epochRecords(divergingRun))).toBeCloseTo(0.2, 12);
  });
});

describe('divergenceEpoch', () => {
  it('is the epoch of the diverged event, or of the first non-finite training loss', () => {
    expect(divergenceEpoch(divergingRun)).toBe(4);
    expect(divergenceEpoch(divergingRun.filter((record) => record.kind !== 'event'))).toBe(4);
    expect(divergenceEpoch(steadyRun)).toBeUndefined();
  });
});

describe('oscillation', () => {
  it('counts rises among consecutive finite pairs', () => {
    expect(oscillation([2, 2.5, 1.8, Number.NaN])).toEqual({ rises: 1, comparisons: 2, fraction: 0.5 });
    expect(oscillation([1, 0.5, 0.4])).toEqual({ rises: 0, comparisons: 2, fraction: 0 });
    expect(oscillation([1])).toEqual({ rises: 0, comparisons: 0, fraction: 0 });
  });
});

describe('convergenceEpoch', () => {
  it('is the first epoch reaching 90% of the total improvement', () => {
    // first 1.0, best 0.3: target 1.0 − 0.9·0.7 = 0.37 → epoch 4 (0.3); epoch 3 is 0.4.
    const series = [1, 0.6, 0.4, 0.3].map((value, index) => ({ epoch: index + 1, value }));
    expect(convergenceEpoch(series)).toBe(4);
    expect(convergenceEpoch(series, 0.5)).toBe(2);
    expect(
      convergenceEpoch([
        { epoch: 1, value: 1 },
        { epoch: 2, value: 2 },
      ]),
    ).toBeUndefined();
  });
});

describe('summarizeRun', () => {
  it('summarises a finished run', () => {
    const summary = summarizeRun(steadyRun);
    expect(summary.status).toBe('finished');
    expect(summary.epochs).toBe(4);
    expect(summary.final.validation).toEqual({ crossEntropy: 0.68, classificationError: 0.21 });
    expect(summary.bestValidationError).toEqual({ epoch: 3, value: 0.2 });
    expect(summary.divergedAtEpoch).toBeUndefined();
    expect(summary.convergenceEpoch).toBe(4);
  });
  it('summarises a diverged run', () => {
    const summary = summarizeRun(divergingRun);
    expect(summary.status).toBe('diverged');
    expect(summary.divergedAtEpoch).toBe(4);
    expect(summary.trainOscillation).toEqual({ rises: 1, comparisons: 2, fraction: 0.5 });
  });
  it('takes the status from the run state only when the log has no finish record', () => {
    const unfinished = steadyRun.filter((record) => record.kind !== 'finish');
    expect(summarizeRun(unfinished).status).toBe('running');
    expect(summarizeRun(unfinished).statusMessage).toBeUndefined();
    const failed = summarizeRun(unfinished, { status: 'failed', message: 'no space left on m.jsonl' });
    expect(failed.status).toBe('failed');
    expect(failed.statusMessage).toBe('no space left on m.jsonl');
    expect(failed.epochs).toBe(4);
    // A finish record is the run's own word: the other files do not override it.
    const finished = summarizeRun(steadyRun, { status: 'failed', message: 'stale' });
    expect(finished.status).toBe('finished');
    expect(finished.statusMessage).toBeUndefined();
  });
});
