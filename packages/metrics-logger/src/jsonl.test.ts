import { describe, expect, it } from 'vitest';
import { MetricsFormatError, parseMetricsJsonl, parseRecord, serializeRecord } from './jsonl.js';
import { divergingRun } from './test-support/sample-runs.js';

describe('serializeRecord', () => {
  it('writes one line per record and keeps NaN and ±Infinity through a round trip', () => {
    const record = {
      kind: 'epoch',
      epoch: 1,
      step: 3,
      learningRate: 0.1,
      seconds: 0.5,
      train: { crossEntropy: Number.POSITIVE_INFINITY, loss: Number.NEGATIVE_INFINITY },
      validation: { crossEntropy: Number.NaN },
    } as const;
    const line = serializeRecord(record);
    expect(line).toBe(
      '{"kind":"epoch","epoch":1,"step":3,"learningRate":0.1,"seconds":0.5,"train":{"crossEntropy":"Infinity","loss":"-Infinity"},"validation":{"crossEntropy":"NaN"}}\n',
    );
    expect(parseRecord(line.trim())).toEqual(record);
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
  it('names the file it was given', () => {
    expect(() => parseMetricsJsonl('{"kind":"epoch"}\n', '/runs/a/metrics.jsonl')).toThrow(
      '/runs/a/metrics.jsonl line 1: epoch record: "epoch" must be an integer ≥ 0; got nothing (the field is missing)',
    );
  });
  it('refuses a valid-JSON last line that is not a record (only unparseable text is a torn line)', () => {
    expect(() => parseMetricsJsonl(`${text}{"kind":"epoch","epoch":"seven"}`)).toThrow(
      `metrics.jsonl line ${divergingRun.length + 1}: epoch record: "epoch" must be an integer ≥ 0; got "seven"`,
    );
  });
  const lines = text.trim().split('\n');
  it('refuses a repeated epoch, naming both lines', () => {
    expect(() => parseMetricsJsonl(`${[...lines.slice(0, 3), lines[2]].join('\n')}\n`)).toThrow(
      'metrics.jsonl line 4: epoch 2 is recorded twice (also on line 3): two writers, or a log resumed without trimming',
    );
  });
  it('refuses epochs out of order', () => {
    expect(() => parseMetricsJsonl(`${[lines[0], lines[2], lines[1]].join('\n')}\n`)).toThrow(
      'metrics.jsonl line 3: epoch 1 comes after epoch 2 (line 2): epochs must increase',
    );
  });
  it('refuses a second run-start, and a run-start after other records', () => {
    expect(() => parseMetricsJsonl(`${[lines[0], lines[1], lines[0]].join('\n')}\n`)).toThrow(
      'metrics.jsonl line 3: a second run-start record (the first is on line 1): two runs in one log',
    );
    expect(() => parseMetricsJsonl(`${[lines[1], lines[0]].join('\n')}\n`)).toThrow(
      'metrics.jsonl line 2: the run-start record must be the first record',
    );
  });
  it('refuses step indices that do not increase', () => {
    const step = (index: number) =>
      serializeRecord({ kind: 'step', epoch: 1, step: index, loss: 1, learningRate: 0.1 });
    expect(() => parseMetricsJsonl(`${lines[0]}\n${step(0)}${step(1)}${step(1)}`)).toThrow(
      'metrics.jsonl line 4: step 1 comes after step 1 (line 3): steps must increase',
    );
  });
});
