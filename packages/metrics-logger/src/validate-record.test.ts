import { describe, expect, it } from 'vitest';
import { largestFloat32, recordProblem } from './validate-record.js';

const epoch = (fields: Record<string, unknown>) => ({
  kind: 'epoch',
  epoch: 3,
  step: 30,
  learningRate: 0.1,
  seconds: 0.5,
  train: { crossEntropy: 0.4, classificationError: 0.1 },
  ...fields,
});

describe('largestFloat32', () => {
  it('is the largest finite float32', () => {
    expect(Math.fround(largestFloat32)).toBe(largestFloat32);
    // The next float32 up (2^128) is Infinity.
    expect(Math.fround(largestFloat32 * (1 + 2 ** -24))).toBe(Number.POSITIVE_INFINITY);
  });
});

describe('recordProblem', () => {
  it('accepts the records every writer produces, NaN and ±Infinity where a diverged run records them', () => {
    expect(recordProblem(epoch({}))).toBeUndefined();
    expect(
      recordProblem(
        epoch({
          epoch: 0,
          train: { crossEntropy: Number.NaN, classificationError: Number.NaN, loss: -0.5 },
          validation: { crossEntropy: Number.POSITIVE_INFINITY, classificationError: 1 },
          updateRatios: { hidden1: Number.NEGATIVE_INFINITY, head: -3 },
          metrics: { loss: 0.4, acc: 0.9 },
        }),
      ),
    ).toBeUndefined();
    expect(
      recordProblem({ kind: 'step', epoch: 1, step: 0, loss: Number.NaN, learningRate: 0 }),
    ).toBeUndefined();
    expect(
      recordProblem({
        kind: 'event',
        event: 'diverged',
        epoch: 4,
        step: 35,
        message: 'loss is NaN',
        detail: {},
      }),
    ).toBeUndefined();
    expect(
      recordProblem({ kind: 'finish', status: 'diverged', time: 't', epochs: 4, steps: 35, seconds: 2 }),
    ).toBeUndefined();
    // A trial a sweep's scheduler stopped early for good (successive halving).
    expect(
      recordProblem({ kind: 'finish', status: 'stopped', time: 't', epochs: 1, steps: 9, seconds: 1 }),
    ).toBeUndefined();
    expect(
      recordProblem({
        kind: 'run-start',
        formatVersion: 1,
        runId: 'a',
        time: 't',
        config: null,
        versions: {},
      }),
    ).toBeUndefined();
  });

  it('checks the range tests and the automatic rate a run records', () => {
    const rangeTest = {
      kind: 'range-test',
      seed: 1,
      settings: {},
      stop: 'diverged',
      points: [
        { learningRate: 1e-7, loss: 2.3, smoothedLoss: 2.3 },
        { learningRate: 10, loss: Number.NaN, smoothedLoss: Number.POSITIVE_INFINITY },
      ],
      trimmed: { start: 0, end: 1 },
      suggestions: {},
    };
    expect(recordProblem(rangeTest)).toBeUndefined();
    expect(
      recordProblem({ ...rangeTest, points: [{ learningRate: '1e-7', loss: 1, smoothedLoss: 1 }] }),
    ).toBe('range-test record: "points[0].learningRate" must be a finite number ≥ 0; got "1e-7"');
    expect(recordProblem({ kind: 'auto-learning-rate', learningRate: -1, rule: 'r', explanation: 'e' })).toBe(
      'auto-learning-rate record: "learningRate" must be a finite number ≥ 0; got -1',
    );
  });

  it.each([
    [{ epoch: 'seven', train: 'bad' }, 'epoch record: "epoch" must be an integer ≥ 0; got "seven"'],
    [{ epoch: 2.5 }, 'epoch record: "epoch" must be an integer ≥ 0; got 2.5'],
    [{ epoch: -1 }, 'epoch record: "epoch" must be an integer ≥ 0; got -1'],
    [{ train: 'bad' }, 'epoch record: "train" must be an object of metrics; got "bad"'],
    [
      { train: undefined },
      'epoch record: "train" must be an object of metrics; got nothing (the field is missing)',
    ],
    [
      { validation: { classificationError: -5 } },
      'epoch record: "validation.classificationError" must be in [0, 1]; got -5',
    ],
    [
      { train: { classificationError: 1.5 } },
      'epoch record: "train.classificationError" must be in [0, 1]; got 1.5',
    ],
    [
      { train: { classificationError: Number.POSITIVE_INFINITY } },
      'epoch record: "train.classificationError" must be in [0, 1]; got Infinity',
    ],
    [{ train: { crossEntropy: -0.1 } }, 'epoch record: "train.crossEntropy" must be ≥ 0; got -0.1'],
    [
      { train: { crossEntropy: Number.NEGATIVE_INFINITY } },
      'epoch record: "train.crossEntropy" must be ≥ 0; got -Infinity',
    ],
    [
      { train: { crossEntropy: 1e308 } },
      'epoch record: "train.crossEntropy" must be at most 3.4028234663852886e+38 in size (the largest float32: tensors hold nothing larger); got 1e+308',
    ],
    [
      { train: { loss: -1e39 } },
      'epoch record: "train.loss" must be at most 3.4028234663852886e+38 in size (the largest float32: tensors hold nothing larger); got -1e+39',
    ],
    [
      { train: { crossEntropy: '0.4' } },
      'epoch record: "train.crossEntropy" must be a number (or "NaN", "Infinity"); got "0.4"',
    ],
    [{ learningRate: -0.1 }, 'epoch record: "learningRate" must be a finite number ≥ 0; got -0.1'],
    [{ learningRate: Number.NaN }, 'epoch record: "learningRate" must be a finite number ≥ 0; got NaN'],
    [{ seconds: null }, 'epoch record: "seconds" must be a finite number ≥ 0; got null'],
    [{ step: 1e20 }, 'epoch record: "step" must be an integer ≥ 0; got 100000000000000000000'],
    [
      { updateRatios: { head: 'x' } },
      'epoch record: "updateRatios.head" must be a number (or "NaN", "Infinity"); got "x"',
    ],
    [{ metrics: [1] }, 'epoch record: "metrics" must be an object of numbers; got [1]'],
  ])('refuses the epoch record %j', (fields, problem) => {
    expect(recordProblem(epoch(fields))).toBe(problem);
  });

  it.each([
    [{ kind: 'epoch' }, 'epoch record: "epoch" must be an integer ≥ 0; got nothing (the field is missing)'],
    [
      { epoch: 'seven', train: 'bad' },
      '"kind" must be one of run-start, step, epoch, event, finish, range-test, auto-learning-rate; got undefined',
    ],
    [null, 'a record must be a JSON object; got null'],
    [[1, 2], 'a record must be a JSON object; got [1,2]'],
    [
      { kind: 'step', epoch: 0, step: 0, loss: 1, learningRate: 0.1 },
      'step record: "epoch" must be an integer ≥ 1; got 0',
    ],
    [
      { kind: 'step', epoch: 1, step: 0, learningRate: 0.1 },
      'step record: "loss" must be a number (or "NaN", "Infinity"); got nothing (the field is missing)',
    ],
    [
      { kind: 'event', event: 'exploded', epoch: 1, step: 1, message: '' },
      'event record: "event" must be one of diverged, skipped-step, early-stop, interrupted, resumed, restored-best; got "exploded"',
    ],
    [
      { kind: 'event', event: 'resumed', epoch: 1, step: 1 },
      'event record: "message" must be a string; got nothing (the field is missing)',
    ],
    [
      { kind: 'finish', status: 'done', time: 't', epochs: 1, steps: 1, seconds: 1 },
      'finish record: "status" must be one of running, finished, interrupted, stopped, diverged, failed; got "done"',
    ],
    [
      { kind: 'finish', status: 'finished', time: 't', epochs: -6, steps: 1, seconds: 1 },
      'finish record: "epochs" must be an integer ≥ 0; got -6',
    ],
    [
      { kind: 'run-start', formatVersion: 1, runId: 'a', time: 't', versions: {} },
      'run-start record: "config" is missing',
    ],
    [
      { kind: 'run-start', formatVersion: 1, runId: 'a', time: 't', config: {}, versions: { node: 20 } },
      'run-start record: "versions" must be an object of version strings; got {"node":20}',
    ],
  ])('refuses %j', (value, problem) => {
    expect(recordProblem(value)).toBe(problem);
  });
});
