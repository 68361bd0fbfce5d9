import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { repositoryRoot, runInProcess } from '../test-support/run-cli.js';
import { records } from './run-fixtures.js';

const scratch = mkdtempSync(join(tmpdir(), 'contour-fault-interrupt-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const main = fileURLToPath(new URL('../main.ts', import.meta.url));

describe('Ctrl-C on the vectorised sweep', () => {
  it('finishes the step, marks trials interrupted, exits 130; re-running redoes only what is unfinished', async () => {
    const out = join(scratch, 'sweep');
    const args = [
      'sweep',
      '--train-limit',
      '1500',
      '--backend',
      'cpu',
      '--batch-size',
      '50',
      '--lr',
      '0.1,0.5',
    ];
    const child = spawn(
      process.execPath,
      ['--conditions=@contour/source', '--import', 'tsx', main, ...args, '--epochs', '8', '--out', out],
      { cwd: repositoryRoot, env: { ...process.env, INIT_CWD: repositoryRoot } },
    );
    let stderr = '';
    const code = await new Promise<number | null>((resolve) => {
      child.stderr.on('data', (chunk) => {
        stderr += String(chunk);
        if (/epoch 1: train ce/.test(stderr) && !child.killed) child.kill('SIGINT');
      });
      child.on('exit', (exitCode) => resolve(exitCode));
    });
    expect(stderr).toContain('path: vectorised');
    expect(code, stderr).toBe(130);
    const sweep = JSON.parse(readFileSync(join(out, 'sweep.json'), 'utf8')) as {
      trials: Array<{ id: string }>;
    };
    const trials = sweep.trials.map((trial) => join(out, 'trials', trial.id));
    for (const trial of trials)
      expect(JSON.parse(readFileSync(join(trial, 'status.json'), 'utf8')).status).toBe('interrupted');
    const again = await runInProcess([...args, '--epochs', '8', '--out', out]);
    expect(again.code, again.stderr).toBe(0);
    for (const trial of trials) {
      const epochs = records(trial).flatMap((record) => (record.kind === 'epoch' ? [record.epoch] : []));
      expect(epochs).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
      expect(records(trial).filter((record) => record.kind === 'run-start')).toHaveLength(1);
    }
  }, 180_000);
});
