import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runInProcess } from '../test-support/run-cli.js';
import { parseVary, perRunPlotsThreshold, plotMode } from './sweep.js';

const scratch = mkdtempSync(join(tmpdir(), 'contour-cli-sweep-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('plotMode', () => {
  it('draws per run up to the threshold, the sweep only above it, and takes the flag when given', () => {
    expect(plotMode(undefined, perRunPlotsThreshold)).toBe('per-run');
    expect(plotMode(undefined, perRunPlotsThreshold + 1)).toBe('sweep');
    expect(plotMode('none', 2)).toBe('none');
    expect(plotMode('per-run', 1000)).toBe('per-run');
    expect(() => plotMode('all', 2)).toThrow('--plots must be one of per-run, sweep, none; got "all"');
  });
});

/** Every file under a directory, relative, sorted. */
function filesUnder(directory: string, prefix = ''): string[] {
  return readdirSync(join(directory, prefix), { withFileTypes: true })
    .flatMap((entry) =>
      entry.isDirectory() ? filesUnder(directory, join(prefix, entry.name)) : [join(prefix, entry.name)],
    )
    .sort();
}
const images = (files: readonly string[]) => files.filter((file) => /\.(svg|png)$/.test(file));

describe('contour sweep --plots', () => {
  const rates = Array.from({ length: perRunPlotsThreshold + 1 }, (_, index) => 0.05 + index * 0.01);
  const flags = ['--epochs', '1', '--train-limit', '200', '--backend', 'cpu', '--workers', '0'];

  it("above the threshold draws only the sweep; per-run adds each trial's charts; none draws nothing", async () => {
    const out = join(scratch, 'plots');
    const first = await runInProcess(['sweep', '--lr', rates.join(','), ...flags, '--out', out]);
    expect(first.code, first.stderr).toBe(0);
    const trials = readdirSync(join(out, 'trials'));
    expect(trials).toHaveLength(perRunPlotsThreshold + 1);
    expect(images(filesUnder(join(out, 'trials')))).toEqual([]);
    expect(images(filesUnder(out))).toEqual(['sweep.png', 'sweep.svg']);
    for (const file of ['report.html', 'results.json', 'results.csv'])
      expect(existsSync(join(out, file))).toBe(true);

    // Asked for: every trial gets its charts (the trained trials are reused, not trained again).
    const perRun = await runInProcess([
      'sweep',
      '--lr',
      rates.join(','),
      ...flags,
      '--plots',
      'per-run',
      '--out',
      out,
    ]);
    expect(perRun.code, perRun.stderr).toBe(0);
    for (const trial of trials) {
      expect(images(filesUnder(join(out, 'trials', trial)))).toEqual(
        expect.arrayContaining(['loss.png', 'loss.svg']),
      );
    }

    const bare = join(scratch, 'no-plots');
    const none = await runInProcess(['sweep', '--lr', '0.1,0.2', ...flags, '--plots', 'none', '--out', bare]);
    expect(none.code, none.stderr).toBe(0);
    expect(images(filesUnder(bare))).toEqual([]);
    expect(readFileSync(join(bare, 'report.html'), 'utf8')).toContain('<table>');
    expect(JSON.parse(readFileSync(join(bare, 'results.json'), 'utf8'))).toHaveLength(2);

    const bad = await runInProcess([
      'sweep',
      '--lr',
      '0.1',
      ...flags,
      '--plots',
      'all',
      '--out',
      join(scratch, 'bad'),
    ]);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim()).toBe('contour: --plots must be one of per-run, sweep, none; got "all"');
    expect(existsSync(join(scratch, 'bad'))).toBe(false);
  }, 180_000);
});

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
    // Two runs of the sweep named one by one (the sweep itself beside one of its runs would name
    // that run twice, which plot refuses).
    const [first, second] = readdirSync(join(out, 'trials')).sort();
    const { code } = await runInProcess([
      'plot',
      join(out, 'trials', first as string),
      join(out, 'trials', second as string),
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

describe('contour sweep --resume', () => {
  it('says a sweep resumes by running the same command with the same --out again (exit 2, one line)', async () => {
    const hint =
      'contour: sweep has no --resume: run the same sweep command with the same --out again (finished trials are kept, interrupted ones resume from their checkpoint)';
    const directory = join(scratch, 'not-resumed');
    for (const args of [
      ['sweep', '--resume', directory],
      ['sweep', `--resume=${directory}`],
      ['sweep', '--lr', '0.1,0.5', '--out', directory, '--resume', directory],
    ]) {
      const { code, stdout, stderr } = await runInProcess(args);
      expect([code, stdout, stderr.trimEnd()], args.join(' ')).toEqual([2, '', hint]);
    }
    expect(existsSync(directory)).toBe(false);
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
