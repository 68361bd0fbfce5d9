import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { autoSweepLearningRates, chooseLearningRate } from '@contour/core';
import type { AutoLearningRateRecord, RangeTestRecord } from '@contour/metrics-logger';
import { readMetricsFile } from '@contour/metrics-logger/node';
import { afterAll, describe, expect, it } from 'vitest';
import { runAsProcess, runInProcess } from '../test-support/run-cli.js';

const scratch = mkdtempSync(join(tmpdir(), 'contour-cli-train-auto-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const quick = ['--train-limit', '1500', '--backend', 'cpu', '--batch-size', '50'];

/** The rule's input rebuilt from a recorded range test: its analysed window of smoothed losses. */
function recordedCurve(record: RangeTestRecord) {
  const window = record.points.slice(record.trimmed.start, record.trimmed.end);
  return {
    trimmed: {
      ...record.trimmed,
      learningRates: window.map((point) => point.learningRate),
      losses: window.map((point) => point.smoothedLoss),
    },
  };
}

describe('contour train --lr auto', () => {
  it('runs the range test over 3 seeds, records it, explains the rate and trains with it', () => {
    const out = join(scratch, 'auto');
    const { code, stdout, stderr } = runAsProcess([
      'train',
      ...quick,
      '--epochs',
      '1',
      '--lr',
      'auto',
      '--out',
      out,
    ]);
    expect(code, stderr).toBe(0);
    const { records } = readMetricsFile(join(out, 'metrics.jsonl'));
    expect(records.slice(0, 5).map((record) => record.kind)).toEqual([
      'run-start',
      'range-test',
      'range-test',
      'range-test',
      'auto-learning-rate',
    ]);
    const tests = records.filter((record): record is RangeTestRecord => record.kind === 'range-test');
    const choice = records.find(
      (record): record is AutoLearningRateRecord => record.kind === 'auto-learning-rate',
    );
    expect(tests.map((test) => test.seed)).toEqual([0, 1, 2]);
    for (const test of tests) {
      expect(test.points.length).toBeGreaterThan(10);
      expect(Object.keys(test.suggestions).sort()).toEqual(['minimum', 'slide', 'steep', 'valley']);
    }
    // The chosen rate is the rule's output on the recorded curves, and the rate trained with.
    const rule = chooseLearningRate(tests.map(recordedCurve));
    expect(choice?.learningRate).toBe(rule.learningRate);
    expect(choice?.seedLearningRates).toEqual(rule.seeds.map((seed) => seed.learningRate ?? null));
    expect(choice?.spread).toBe(rule.spread);
    const config = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8')).config;
    expect(config.training.optimizer).toEqual({ type: 'sgd', lr: rule.learningRate });
    const steps = records.filter((record) => record.kind === 'step');
    expect(steps.every((record) => record.kind === 'step' && record.learningRate === rule.learningRate)).toBe(
      true,
    );
    // One stdout line says why, before the results table; the report chart is drawn.
    const why = stdout.split('\n').find((line) => line.startsWith('lr auto: '));
    expect(why).toBe(`lr auto: ${rule.explanation}`);
    expect(why).toMatch(/^lr auto: lr [\d.e-]+ = lowest smoothed loss at [\d.e-]+ ÷ 10, median of 3 seeds/);
    expect(existsSync(join(out, 'range-test.svg'))).toBe(true);
  });

  it('--schedule auto trains one-cycle (SGD) peaking at the chosen rate, recorded with the choice', async () => {
    const out = join(scratch, 'one-cycle');
    const { code, stdout, stderr } = await runInProcess([
      'train',
      ...quick,
      '--epochs',
      '2',
      '--schedule',
      'auto',
      '--out',
      out,
    ]);
    expect(code, stderr).toBe(0);
    const { records } = readMetricsFile(join(out, 'metrics.jsonl'));
    const choice = records.find(
      (record): record is AutoLearningRateRecord => record.kind === 'auto-learning-rate',
    );
    // 1,200 training examples (20 % held out) / 50 = 24 batches per epoch, 2 epochs.
    const schedule = {
      type: 'oneCycle',
      maxLr: choice?.learningRate,
      totalSteps: 48,
      pctStart: 0.25,
      divFactor: 25,
      finalDivFactor: 1e5,
    };
    expect(choice?.schedule).toEqual(schedule);
    expect(stdout).toContain(
      `lr auto: ${choice?.explanation}; --schedule auto: one-cycle over 48 steps peaking there (fastai fit_one_cycle)`,
    );
    expect(
      JSON.parse(readFileSync(join(out, 'config.json'), 'utf8')).config.training.optimizer.lr,
    ).toMatchObject(schedule);
    const rates = records.flatMap((record) => (record.kind === 'step' ? [record.learningRate] : []));
    expect(rates[0]).toBeCloseTo((choice?.learningRate as number) / 25, 12);
    expect(Math.max(...rates)).toBeCloseTo(choice?.learningRate as number, 6);
    // `contour report` shows the range test above the training curves.
    const report = await runInProcess(['report', out]);
    expect(report.code, report.stderr).toBe(0);
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html.indexOf('Learning rate chosen by the range test')).toBeGreaterThan(0);
    expect(html.indexOf('Learning rate chosen by the range test')).toBeLessThan(
      html.indexOf('Cross entropy and classification error'),
    );
    expect(html).toContain(choice?.explanation);
  });

  it.each([
    [['--lr', 'auto:3'], '--lr auto:3'],
    [['--lr', 'auto', '--resume', 'somewhere'], '--lr'],
    [['--lr', '0.1', '--schedule', 'auto'], '--schedule auto'],
    [['--lr', 'auto', '--schedule', '{"type":"oneCycle","maxLr":0.1,"totalSteps":100}'], '--lr auto'],
    [['--lr', 'autox'], '--lr'],
  ])('refuses %j with exit 2 and one line naming the flag', async (flags, named) => {
    const out = join(scratch, `bad-${flags.join('')}`.replace(/[^\w-]/g, '_'));
    const args = flags.includes('--resume')
      ? ['train', ...flags]
      : ['train', ...quick, ...flags, '--out', out];
    const { code, stderr } = await runInProcess(args);
    expect(code).toBe(2);
    const lines = stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(named);
    expect(existsSync(out)).toBe(false);
  });
});

describe('contour sweep --lr auto:N', () => {
  it('sweeps N rates on a log grid centred on the range test’s choice, spanning its usable region', async () => {
    const out = join(scratch, 'sweep-auto');
    const { code, stdout, stderr } = await runInProcess([
      'sweep',
      ...quick,
      '--epochs',
      '1',
      '--lr',
      'auto:3',
      '--workers',
      '0',
      '--out',
      out,
    ]);
    expect(code, stderr).toBe(0);
    const saved = JSON.parse(readFileSync(join(out, 'auto-learning-rate.json'), 'utf8'));
    const tests = (saved.records as RangeTestRecord[]).filter((record) => record.kind === 'range-test');
    expect(tests).toHaveLength(3);
    const auto = chooseLearningRate(tests.map(recordedCurve));
    const rates = autoSweepLearningRates(auto, 3);
    expect(saved.rates).toEqual(rates);
    // The middle rate is the choice; the ends cover the usable region.
    expect(rates[1]).toBe(Number(auto.learningRate.toPrecision(3)));
    expect(rates[0]).toBeLessThanOrEqual(auto.region.startLearningRate * 1.001);
    expect(rates[2]).toBeGreaterThanOrEqual(auto.region.endLearningRate * 0.999);
    const sweep = JSON.parse(readFileSync(join(out, 'sweep.json'), 'utf8'));
    expect(sweep.trials.map((trial: { overrides: { lr: number } }) => trial.overrides.lr)).toEqual(rates);
    expect(stdout).toContain(`lr auto:3: sweeping ${rates.join(', ')}`);
  });

  it.each(['auto:0', 'auto:x', 'auto:1', 'auto:51'])(
    'refuses --lr %s with exit 2 naming the flag',
    async (value) => {
      const out = join(scratch, `bad-sweep-${value.replace(':', '-')}`);
      const { code, stderr } = await runInProcess(['sweep', ...quick, '--lr', value, '--out', out]);
      expect(code).toBe(2);
      expect(stderr.trim().split('\n')).toEqual([
        `contour: --lr auto:N needs N, the number of rates, an integer in 2..50; got "${value}"`,
      ]);
      expect(existsSync(out)).toBe(false);
    },
  );
});

describe('contour finetune --lr auto', () => {
  it('runs the range test on the transferred network and fine-tunes at the chosen rate, recorded', async () => {
    const out = join(scratch, 'finetune-auto');
    const { code, stdout, stderr } = await runInProcess([
      'finetune',
      ...quick,
      '--model',
      'mlp:32',
      '--epochs',
      '1',
      '--lr',
      'auto',
      '--out',
      out,
    ]);
    expect(code, stderr).toBe(0);
    const { records } = readMetricsFile(join(out, 'finetune', 'metrics.jsonl'));
    const tests = records.filter((record): record is RangeTestRecord => record.kind === 'range-test');
    const choice = records.find(
      (record): record is AutoLearningRateRecord => record.kind === 'auto-learning-rate',
    );
    expect(tests).toHaveLength(3);
    const rule = chooseLearningRate(tests.map(recordedCurve));
    expect(choice?.learningRate).toBe(rule.learningRate);
    const steps = records.flatMap((record) => (record.kind === 'step' ? [record.learningRate] : []));
    expect(steps.every((rate) => rate === rule.learningRate)).toBe(true);
    expect(stdout).toContain(`lr auto: ${rule.explanation}`);
    // Pretraining keeps its own rate (--pretrain-lr, default 0.1) and records no range test.
    const pretrain = readMetricsFile(join(out, 'pretrain', 'metrics.jsonl')).records;
    expect(pretrain.some((record) => record.kind === 'range-test')).toBe(false);
  }, 240_000);

  it('refuses --lr auto with --discriminative (exit 2, one line naming both)', async () => {
    const out = join(scratch, 'finetune-bad');
    const { code, stderr } = await runInProcess([
      'finetune',
      ...quick,
      '--lr',
      'auto',
      '--discriminative',
      '0.001,0.01',
      '--out',
      out,
    ]);
    expect(code).toBe(2);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(/--lr auto and --discriminative/);
    expect(existsSync(out)).toBe(false);
  });
});
