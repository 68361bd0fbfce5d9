import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { lockFileName } from '@contour/runs';
import { afterAll, describe, expect, it } from 'vitest';
import { repositoryRoot, runInProcess } from '../test-support/run-cli.js';
import { epochNumbers, oneLine, quickFlags, records } from './run-fixtures.js';

const scratch = mkdtempSync(join(tmpdir(), 'contour-fault-writers-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const main = fileURLToPath(new URL('../main.ts', import.meta.url));

interface Finished {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stderr: string;
  readonly pid: number;
}

/** Starts the CLI as a real process; `onStderr` sees its stderr as it comes. */
function start(args: string[], onStderr?: (text: string, child: ChildProcess) => void) {
  const child = spawn(process.execPath, ['--conditions=@contour/source', '--import', 'tsx', main, ...args], {
    cwd: repositoryRoot,
    env: { ...process.env, INIT_CWD: repositoryRoot },
  });
  let stderr = '';
  const finished = new Promise<Finished>((resolve) => {
    child.stderr.on('data', (chunk) => {
      stderr += String(chunk);
      onStderr?.(stderr, child);
    });
    child.on('exit', (code, signal) => resolve({ code, signal, stderr, pid: child.pid as number }));
  });
  return { child, finished };
}

const epochsOf = (directory: string) =>
  records(directory).flatMap((record) => (record.kind === 'epoch' ? [record.epoch] : []));

describe('one writer per run directory (two real processes)', () => {
  it('two train processes on one --out: one trains, the other exits 2 naming the owner', async () => {
    const out = join(scratch, 'shared');
    const args = ['train', ...quickFlags, '--epochs', '3', '--out', out];
    const [first, second] = await Promise.all([start(args).finished, start(args).finished]);
    const outcomes = [first, second].sort((a, b) => (a.code ?? 0) - (b.code ?? 0));
    const [winner, loser] = outcomes as [Finished, Finished];
    expect(winner.code, winner.stderr).toBe(0);
    expect(loser.code, loser.stderr).toBe(2);
    // Either the lock was held (its owner named), or the winner had already written the run.
    const line = oneLine(loser.stderr);
    expect(line).toMatch(
      new RegExp(
        `^contour: (${out} is in use by another contour process \\(pid ${winner.pid} on ${hostname()}, since .*train.*\\); wait for it to end or stop it, or use another directory|${out} already holds a run .*)$`,
      ),
    );
    expect(epochsOf(out)).toEqual([1, 2, 3]);
    expect(records(out).filter((record) => record.kind === 'run-start')).toHaveLength(1);
  }, 120_000);

  it('a second writer while the first trains is refused; --resume after kill -9 recovers the stale lock exactly', async () => {
    const reference = join(scratch, 'reference');
    // Long enough that the owner still trains while a second process starts.
    expect((await runInProcess(['train', ...quickFlags, '--epochs', '16', '--out', reference])).code).toBe(0);
    const out = join(scratch, 'killed');
    const args = ['train', ...quickFlags, '--epochs', '16', '--out', out];
    let refused: Finished | undefined;
    const first = start(args, (text, child) => {
      if (text.includes('epoch 1 |') && refused === undefined && !child.killed) {
        refused = { code: -1, signal: null, stderr: '', pid: 0 };
        // While it trains: a second writer (a resume) is refused, then the owner is killed -9.
        void start(['train', '--resume', out]).finished.then((result) => {
          refused = result;
          child.kill('SIGKILL');
        });
      }
    });
    const killed = await first.finished;
    expect(killed.signal).toBe('SIGKILL');
    expect(refused?.code, refused?.stderr).toBe(2);
    expect(oneLine(refused?.stderr ?? '')).toMatch(
      new RegExp(`^contour: ${out} is in use by another contour process \\(pid ${killed.pid} on `),
    );
    // The lock of the killed process is still there, and stale: --resume takes it over.
    expect(JSON.parse(readFileSync(join(out, lockFileName), 'utf8')).pid).toBe(killed.pid);
    const resumed = await start(['train', '--resume', out]).finished;
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(epochNumbers(out)).toEqual(epochNumbers(reference));
  }, 180_000);

  it('a lock whose pid now belongs to another process (pid reuse) is stale', async () => {
    const out = join(scratch, 'reused-pid');
    mkdirSync(out, { recursive: true });
    writeFileSync(
      join(out, lockFileName),
      JSON.stringify({
        pid: process.pid,
        hostname: hostname(),
        startedAt: '2026-01-01T00:00:00.000Z',
        processStart: '1',
        command: 'contour train (long gone)',
      }),
    );
    const { code, stderr } = await runInProcess(['train', ...quickFlags, '--epochs', '1', '--out', out]);
    expect(code, stderr).toBe(0);
  });

  it('two identical sweeps on one directory: one runs, the other exits 2 naming the owner', async () => {
    const out = join(scratch, 'sweep');
    const args = [
      'sweep',
      ...quickFlags.slice(0, 6),
      '--lr',
      '0.1,0.5',
      '--epochs',
      '2',
      '--workers',
      '0',
      '--out',
      out,
    ];
    const [first, second] = await Promise.all([start(args).finished, start(args).finished]);
    const [winner, loser] = [first, second].sort((a, b) => (a.code ?? 0) - (b.code ?? 0)) as [
      Finished,
      Finished,
    ];
    expect(winner.code, winner.stderr).toBe(0);
    expect(loser.code, loser.stderr).toBe(2);
    expect(oneLine(loser.stderr)).toMatch(
      new RegExp(`^contour: ${out} is in use by another contour process \\(pid ${winner.pid} on `),
    );
    const sweep = JSON.parse(readFileSync(join(out, 'sweep.json'), 'utf8')) as {
      trials: Array<{ id: string }>;
    };
    for (const trial of sweep.trials) expect(epochsOf(join(out, 'trials', trial.id))).toEqual([1, 2]);
  }, 180_000);
});
