import { describe, expect, it } from 'vitest';
import { MetricsFormatError, parseMetricsJsonl, parseRecord, serializeRecord } from './jsonl.js';
import { divergingRun } from './test-support/sample-runs.js';

describe('serializeRecord', () => {
  it('writes one line per record and keeps NaN and ±Infinity through a round trip', () => {
    const line = serializeRecord({
      kind: 'step',
      epoch: 1,
      step: 3,
      loss: Number.NaN,
      learningRate: Number.POSITIVE_INFINITY,
    });
    expect(line).toBe('{"kind":"step","epoch":1,"step":3,"loss":"NaN","learningRate":"Infinity"}\n');
    const back = parseRecord(line.trim());
    expect(back).toEqual({
      kind: 'step',
      epoch: 1,
      step: 3,
      loss: Number.NaN,
      learningRate: Number.POSITIVE_INFINITY,
    });
  });
  it('round-trips the range-test and auto-learning-rate records of `--lr auto`', () => {
    const rangeTest = {
      kind: 'range-test' as const,
      seed: 1,
      settings: { startLearningRate: 1e-7, endLearningRate: 10, iterations: 100 },
      stop: 'diverged',
      points: [{ learningRate: 1e-7, loss: 2.3, smoothedLoss: Number.POSITIVE_INFINITY }],
      trimmed: { start: 10, end: 10 },
      suggestions: { minimum: { learningRate: 0.01, loss: 1.9, pointLearningRate: 0.1 } },
    };
    const auto = {
      kind: 'auto-learning-rate' as const,
      learningRate: 0.01,
      rule: 'rule',
      explanation: 'why',
      seedLearningRates: [0.01, null],
      seeds: [0, 1],
      spread: 1,
      region: { startLearningRate: 0.001, endLearningRate: 0.1 },
    };
    const { records } = parseMetricsJsonl([rangeTest, auto].map(serializeRecord).join(''));
    expect(records).toEqual([rangeTest, auto]);
  });
});

describe('parseMetricsJsonl', () => {
  const text = divergingRun.map(serializeRecord).join('');
  it('reads back every record', () => {
    const { records, tornLastLine } = parseMetricsJsonl(text);
    expect(records).toEqual(divergingRun);
    expect(tornLastLine).toBeUndefined();
  });
  it('drops and reports a torn last line (a crash mid-write)', () => {
    const { records, tornLastLine } = parseMetricsJsonl(`${text}{"kind":"epoch","epo`);
    expect(records).toHaveLength(divergingRun.length);
    expect(tornLastLine).toBe('{"kind":"epoch","epo');
  });
  it('rejects a broken line in the middle, naming its number', () => {
    const lines = text.split('\n');
    lines[2] = '{"kind":"epoch",';
    expect(() => parseMetricsJsonl(lines.join('\n'))).toThrow(new MetricsFormatError(3, 'not valid JSON'));
    expect(() => parseMetricsJsonl('{"kind":"banana"}\n')).toThrow(
      'metrics.jsonl line 1: "kind" must be one of run-start, step, epoch, event, finish, range-test, auto-learning-rate; got "banana"',
    );
  });
});
