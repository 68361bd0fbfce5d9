import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runInProcess } from '../test-support/run-cli.js';
import { parseVary } from './sweep.js';

const scratch = mkdtempSync(join(tmpdir(), 'contour-cli-sweep-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('contour sweep', () => {
  it('runs the mnist-lr-sweep preset end to end on a subset, producing every file', async () => {
    const out = join(scratch, 'preset');
    const { code, stdout } = await runInProcess([
      'sweep',
      '--preset',
      'mnist-lr-sweep',
      '--epochs',
      '2',
      '--train-limit',
      '800',
      '--backend',
      'cpu',
      '--workers',
      '2',
      '--out',
      out,
    ]);
    expect(code).toBe(0);
    for (const file of [
      'sweep.json',
      'sweep.svg',
      'sweep.png',
      'report.html',
      'results.json',
      'results.csv',
    ]) {
      expect(existsSync(join(out, file)), file).toBe(true);
    }
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    expect(results.map((row: { run: string }) => row.run)).toEqual([
      'lr=1',
      'lr=0.5',
      'lr=0.2',
      'lr=0.1',
      'lr=0.01',
    ]);
    expect(results.every((row: { epochs: number }) => row.epochs === 2 || row.epochs === 1)).toBe(true);
    const trials = readdirSync(join(out, 'trials'));
    expect(trials).toHaveLength(5);
    for (const trial of trials) expect(existsSync(join(out, 'trials', trial, 'loss.svg'))).toBe(true);
    const svg = readFileSync(join(out, 'sweep.svg'), 'utf8');
    for (const label of ['lr=1', 'lr=0.01', 'cross entropy', 'classification error'])
      expect(svg).toContain(label);
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toContain('<table>');
    expect(stdout).toContain('│ lr=0.01');
  }, 180_000);

  it('skips trials whose results exist when run again, and sweeps other keys with --vary', async () => {
    const out = join(scratch, 'vary');
    const args = [
      'sweep',
      '--lr',
      '0.5',
      '--vary',
      'batchSize=40,80',
      '--epochs',
      '1',
      '--train-limit',
      '400',
      '--backend',
      'cpu',
      '--workers',
      '0',
      '--out',
      out,
    ];
    expect((await runInProcess(args)).code).toBe(0);
    const first = readFileSync(join(out, 'results.json'), 'utf8');
    const again = await runInProcess(args);
    expect(again.stderr).toMatch(/already done, reused/);
    expect(readFileSync(join(out, 'results.json'), 'utf8')).toBe(first);
    expect(JSON.parse(first).map((row: { run: string }) => row.run)).toEqual([
      'lr=0.5 batchSize=40',
      'lr=0.5 batchSize=80',
    ]);
  }, 120_000);

  it('rebuilds the report and overlays runs with plot', async () => {
    const out = join(scratch, 'vary');
    expect((await runInProcess(['report', out])).code).toBe(0);
    const overlay = join(scratch, 'overlay.svg');
    const { code } = await runInProcess([
      'plot',
      join(out, 'trials', readdirSync(join(out, 'trials'))[0] as string),
      out,
      '--out',
      overlay,
      '--metric',
      'classificationError',
    ]);
    expect(code).toBe(0);
    expect(readFileSync(overlay, 'utf8')).toContain('classification error per epoch');
  }, 60_000);

  it.each([
    [['sweep', '--out', '/tmp/x'], 'contour: sweep needs --lr'],
    [
      ['sweep', '--preset', 'nope', '--out', '/tmp/x'],
      'contour: --preset must be one of mnist-lr-sweep; got "nope"',
    ],
    [
      ['sweep', '--lr', '1,x', '--out', '/tmp/x'],
      'contour: --lr must be comma-separated decimal numbers; item 2 is "x"',
    ],
    [['sweep', '--vary', 'momentum', '--out', '/tmp/x'], 'contour: --vary must look like key=v1,v2'],
    [
      ['sweep', '--lr', '1', '--workers', 'many', '--out', '/tmp/x'],
      'contour: --workers must be an integer ≥ 1; got "many"',
    ],
  ])('bad input %j exits 2 with one line', async (args, message) => {
    const { code, stderr } = await runInProcess(args);
    expect(code).toBe(2);
    expect(stderr.startsWith(message)).toBe(true);
  });
});

describe('parseVary', () => {
  it('parses numbers, strings and JSON lists', () => {
    expect(parseVary('optimizer.momentum=0,0.9')).toEqual({ key: 'optimizer.momentum', values: [0, 0.9] });
    expect(parseVary('optimizer.type=sgd,adam')).toEqual({ key: 'optimizer.type', values: ['sgd', 'adam'] });
    expect(parseVary('model=["linear","mlp:256,128"]')).toEqual({
      key: 'model',
      values: ['linear', 'mlp:256,128'],
    });
  });
});
