import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runInProcess } from '../test-support/run-cli.js';

const scratch = mkdtempSync(join(tmpdir(), 'contour-cli-find-lr-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const run = (args: string[]) => runInProcess(['find-lr', ...args]);

describe('contour find-lr', () => {
  it('runs the range test on the embedded sample, writes plot + JSON and prints the train command', async () => {
    const out = join(scratch, 'exponential');
    const { code, stdout, stderr } = await run([
      '--train-limit',
      '800',
      '--backend',
      'cpu',
      '--batch-size',
      '32',
      '--seed',
      '2',
      '--start',
      '1e-5',
      '--end',
      '10',
      '--iters',
      '60',
      '--out',
      out,
    ]);
    expect(code, stderr).toBe(0);
    for (const file of ['find-lr.json', 'find-lr.svg', 'find-lr.png'])
      expect(existsSync(join(out, file)), file).toBe(true);
    const json = JSON.parse(readFileSync(join(out, 'find-lr.json'), 'utf8'));
    expect(json.method).toBe('exponential');
    expect(json.settings).toMatchObject({
      startLearningRate: 1e-5,
      endLearningRate: 10,
      iterations: 60,
      beta: 0.98,
    });
    expect(json.curve[0].learningRate).toBe(1e-5);
    expect(json.trimmed.start).toBe(6);
    const valley = json.suggestions.valley.learningRate;
    expect(json.suggestion).toEqual({ name: 'valley', learningRate: valley });
    const rate = String(Number.parseFloat(valley.toPrecision(3)));
    expect(json.trainCommand).toBe(
      // The training flags given, in the order `train` defines them, then the suggested rate; the
      // installed package's way to start contour (`pnpm contour` is only the repository's script).
      `npx contour train --batch-size 32 --seed 2 --backend cpu --train-limit 800 --lr ${rate}`,
    );
    expect(stdout).toContain(json.trainCommand);
    const svg = readFileSync(join(out, 'find-lr.svg'), 'utf8');
    for (const name of Object.keys(json.suggestions)) expect(svg).toContain(name);
  });

  it('runs the halving search and reports every attempt', async () => {
    const out = join(scratch, 'halving');
    const { code, stdout } = await run([
      '--train-limit',
      '400',
      '--backend',
      'cpu',
      '--model',
      'mlp:16',
      '--method',
      'halving',
      '--start-lr',
      '20',
      '--budget',
      '15',
      '--out',
      out,
      '--json',
    ]);
    expect(code).toBe(0);
    const json = JSON.parse(stdout);
    expect(json.method).toBe('halving');
    expect(json.attempts.length).toBeGreaterThan(1);
    expect(json.attempts.map((attempt: { learningRate: number }) => attempt.learningRate)).toEqual(
      json.attempts.map((_: unknown, index: number) => 20 * 0.5 ** index),
    );
    expect(json.attempts.at(-1).diverged).toBe(false);
    expect(json.learningRate).toBe(json.attempts.at(-1).learningRate);
    expect(json.trainCommand).toContain('--model mlp:16');
  });

  it("starts the train command as the repository's launcher says (pnpm contour there)", async () => {
    const before = process.env.CONTOUR_COMMAND;
    process.env.CONTOUR_COMMAND = 'pnpm contour';
    try {
      const { code, stdout, stderr } = await run([
        ...['--train-limit', '400', '--backend', 'cpu', '--method', 'halving', '--budget', '5', '--json'],
      ]);
      expect(code, stderr).toBe(0);
      expect(JSON.parse(stdout).trainCommand).toMatch(
        /^pnpm contour train --backend cpu --train-limit 400 --lr /,
      );
    } finally {
      if (before === undefined) delete process.env.CONTOUR_COMMAND;
      else process.env.CONTOUR_COMMAND = before;
    }
  });

  it('--json without --out prints the result and writes nothing (as fastai lr_find)', async () => {
    const directory = mkdtempSync(join(scratch, 'no-out-'));
    const before = process.cwd();
    process.chdir(directory);
    try {
      const { code, stdout, stderr } = await run([
        '--train-limit',
        '400',
        '--backend',
        'cpu',
        '--batch-size',
        '32',
        '--iters',
        '40',
        '--json',
      ]);
      expect(code, stderr).toBe(0);
      const json = JSON.parse(stdout);
      expect(json.method).toBe('exponential');
      expect(json.curve.length).toBeGreaterThan(10);
      expect(readdirSync(directory)).toEqual([]);
    } finally {
      process.chdir(before);
    }
  });

  it('rejects bad flags with exit 2 and a one-line message', async () => {
    const bad = async (args: string[]) => run([...args, '--out', join(scratch, 'bad')]);
    expect((await bad(['--lr', '0.1'])).stderr).toContain('--lr is not used by find-lr');
    expect((await bad(['--method', 'bisect'])).code).toBe(2);
    expect((await bad(['--suggestion', 'best'])).stderr).toContain(
      '--suggestion must be one of valley, slide, minimum, steep',
    );
    const iterations = await bad(['--iters', '3', '--backend', 'cpu', '--train-limit', '200']);
    expect(iterations.code).toBe(2);
    expect(iterations.stderr).toContain('--iters');
  });
});
