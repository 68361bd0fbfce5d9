import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readMetricsFile } from '@contour/metrics-logger/node';
import { afterAll, describe, expect, it } from 'vitest';
import { repositoryRoot, runInProcess } from '../test-support/run-cli.js';

const scratch = mkdtempSync(join(tmpdir(), 'contour-cli-train-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const quick = ['--train-limit', '1500', '--backend', 'cpu', '--batch-size', '50'];

const epochTrain = (directory: string) =>
  readMetricsFile(join(directory, 'metrics.jsonl')).records.flatMap((record) =>
    record.kind === 'epoch' ? [[record.epoch, record.train]] : [],
  );

describe('contour train', () => {
  it('trains, writes the run directory with plots, and prints a JSON summary', async () => {
    const out = join(scratch, 'run');
    const { code, stdout } = await runInProcess([
      'train',
      ...quick,
      '--epochs',
      '2',
      '--lr',
      '0.5',
      '--out',
      out,
      '--json',
    ]);
    expect(code).toBe(0);
    const summary = JSON.parse(stdout);
    expect(summary).toMatchObject({ status: 'finished', backend: 'cpu', summary: { epochs: 2 } });
    expect(summary.summary.final.validation.classificationError).toBeLessThan(0.3);
    for (const file of [
      'config.json',
      'status.json',
      'metrics.jsonl',
      'checkpoint.json',
      'result.json',
      'model/model.json',
      'model/weights.bin',
      'loss.svg',
      'loss.png',
      'learning-rate.svg',
    ]) {
      expect(existsSync(join(out, file)), file).toBe(true);
    }
    expect(JSON.parse(readFileSync(join(out, 'config.json'), 'utf8')).config.training.optimizer).toEqual({
      type: 'sgd',
      lr: 0.5,
    });
  });

  it('takes a schedule that inherits --lr and steps it per epoch', async () => {
    const out = join(scratch, 'scheduled');
    const { code } = await runInProcess([
      'train',
      ...quick,
      '--epochs',
      '2',
      '--lr',
      '0.4',
      '--schedule',
      '{"type":"step","stepSize":1,"gamma":0.5,"unit":"epoch"}',
      '--out',
      out,
      '--json',
    ]);
    expect(code).toBe(0);
    const rates = readMetricsFile(join(out, 'metrics.jsonl')).records.flatMap((record) =>
      record.kind === 'epoch' ? [record.learningRate] : [],
    );
    expect(rates).toEqual([0.4, 0.2]);
  });

  it.each([
    [['train', '--epochs', '0'], 'contour: --epochs must be an integer ≥ 1; got "0"'],
    [
      ['train', '--model', 'cnn'],
      'contour: --model: "model" must be "linear", "mlp:<sizes>" such as "mlp:256,128", or a tfjs-layers model.json',
    ],
    [['train', '--optimizer', '{"type":"sgdd"}'], 'contour: optimizer spec: "type" must be one of'],
    [['train', '--lr', 'fast'], 'contour: --lr must be a decimal number; got "fast"'],
    [['train', '--data', '/no/such/dir', '--out', '/tmp/never-written'], 'contour: '],
    [['train', '--schedule', '{"type":"step"}', '--lr', '0.1'], 'contour: '],
  ])('bad input %j exits 2 with one line', async (args, message) => {
    const { code, stderr } = await runInProcess(args);
    expect(code).toBe(2);
    expect(stderr.startsWith(message)).toBe(true);
    expect(stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(existsSync('/tmp/never-written')).toBe(false);
  });

  it('refuses to overwrite an existing run directory', async () => {
    const out = join(scratch, 'run');
    const before = readFileSync(join(out, 'metrics.jsonl'), 'utf8');
    const { code, stderr } = await runInProcess(['train', ...quick, '--out', out]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/already holds a run/);
    expect(readFileSync(join(out, 'metrics.jsonl'), 'utf8')).toBe(before);
  });

  it('Ctrl-C finishes the step, marks the run interrupted, exits 130; --resume equals an uninterrupted run', async () => {
    const args = [
      'train',
      ...quick,
      '--epochs',
      '12',
      '--lr',
      '0.3',
      '--optimizer',
      '{"type":"sgd","momentum":0.9}',
      '--seed',
      '5',
    ];
    const whole = join(scratch, 'uninterrupted');
    expect((await runInProcess([...args, '--out', whole, '--json'])).code).toBe(0);

    const interrupted = join(scratch, 'interrupted');
    const main = fileURLToPath(new URL('../main.ts', import.meta.url));
    const child = spawn(
      process.execPath,
      ['--conditions=@contour/source', '--import', 'tsx', main, ...args, '--out', interrupted],
      {
        cwd: repositoryRoot,
        env: { ...process.env, INIT_CWD: repositoryRoot },
      },
    );
    let stderr = '';
    const exitCode = await new Promise<number | null>((resolve) => {
      child.stderr.on('data', (chunk) => {
        stderr += String(chunk);
        if (stderr.includes('epoch 1 |') && !child.killed) child.kill('SIGINT');
      });
      child.on('exit', (code) => resolve(code));
    });
    expect(exitCode, stderr).toBe(130);
    expect(JSON.parse(readFileSync(join(interrupted, 'status.json'), 'utf8')).status).toBe('interrupted');
    const kept = epochTrain(interrupted);
    expect(kept.length).toBeGreaterThanOrEqual(1);
    expect(kept.length).toBeLessThan(12);

    const { code } = await runInProcess(['train', '--resume', interrupted, '--json']);
    expect(code).toBe(0);
    expect(epochTrain(interrupted)).toEqual(epochTrain(whole));
  }, 120_000);
});
