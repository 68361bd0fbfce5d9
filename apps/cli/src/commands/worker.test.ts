import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expandSweep, resolveRunConfig } from '@contour/core';
import { cleanQueue, runSweepOnQueue } from '@contour/queue';
import { freePort, type RedisServer, startRedisServer } from '@contour/queue/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runInProcess } from '../test-support/run-cli.js';

const scratch = mkdtempSync(join(tmpdir(), 'contour-cli-worker-'));
let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedisServer();
}, 30_000);
afterAll(async () => {
  await redis?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

const run = (args: string[]) => runInProcess(['worker', ...args]);

/** `contour worker ...` as its own process (it runs until a signal), on the sources. */
function spawnWorkerCommand(args: string[]): { child: ChildProcess; output: () => string } {
  const main = fileURLToPath(new URL('../main.ts', import.meta.url));
  const child = spawn(
    process.execPath,
    ['--conditions=@contour/source', '--import', 'tsx', main, 'worker', ...args],
    { cwd: fileURLToPath(new URL('../../', import.meta.url)), stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let text = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    text += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    text += chunk.toString();
  });
  return { child, output: () => text };
}

describe('contour worker', () => {
  it('rejects bad flags in one line with exit 2', async () => {
    for (const [args, message] of [
      [[], /--queue is required/],
      [['--queue', 'localhost:6379'], /--queue must start with redis:\/\/ or rediss:\/\//],
      [['--queue', 'redis://127.0.0.1:6379', '--concurrency', '0'], /--concurrency must be an integer ≥ 1/],
      [
        ['--queue', 'redis://127.0.0.1:6379', '--concurrency', '257'],
        /^contour: --concurrency must be at most 256; got 257$/m,
      ],
      [['--queue', 'redis://127.0.0.1:6379', '--stack', '0'], /--stack must be an integer ≥ 1/],
      [['--queue', 'redis://127.0.0.1:6379', '--stack', 'all'], /--stack must be an integer ≥ 1/],
      [['--queue', 'redis://127.0.0.1:6379', '--stack', '257'], /--stack must be at most 256; got 257/],
      [
        ['--queue', 'redis://127.0.0.1:6379', '--backend', 'gpu'],
        /--backend must be one of auto, cpu, wasm, node/,
      ],
    ] as const) {
      const { code, stderr } = await run([...args]);
      expect(code).toBe(2);
      expect(stderr).toMatch(message);
      expect(stderr.trim().split('\n')).toHaveLength(1);
    }
  });

  it('exits 1 with one line naming the address when Redis is unreachable', async () => {
    const port = await freePort();
    const { code, stderr } = await run(['--queue', `redis://127.0.0.1:${port}`]);
    expect(code).toBe(1);
    expect(stderr.trim()).toMatch(
      new RegExp(`^contour: cannot reach Redis at redis://127\\.0\\.0\\.1:${port}: `),
    );
    expect(stderr.trim().split('\n')).toHaveLength(1);
  });

  it('sweep --queue with no worker: Ctrl-C says that nothing trains the queued trials, exit 130', async () => {
    // Runs before any worker of this file is started: none is connected.
    const main = fileURLToPath(new URL('../main.ts', import.meta.url));
    const out = join(scratch, 'unstaffed');
    const args = ['sweep', '--lr', '0.1,0.2', '--epochs', '1', '--train-limit', '600', '--backend', 'cpu'];
    const child = spawn(
      process.execPath,
      ['--conditions=@contour/source', '--import', 'tsx', main, ...args, '--queue', redis.url, '--out', out],
      { cwd: fileURLToPath(new URL('../../', import.meta.url)), stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    const code = await new Promise<number | null>((resolve) => {
      child.stderr?.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        if (/^queued on /m.test(stderr) && !child.killed) child.kill('SIGINT');
      });
      child.once('exit', (exitCode) => resolve(exitCode));
    });
    expect(code, stderr).toBe(130);
    expect(stderr).toContain(`queued on ${redis.url}: 2 new trial(s), 0 already there`);
    expect(stderr).toContain(
      `stopped waiting: 2 unfinished trials stay on the queue, but no worker is connected, so nothing trains them until you start \`contour worker --queue ${redis.url}\`; run the same command again to collect their results`,
    );
    expect(stderr).not.toContain('keep running on the workers');
    // The worker of the next test would train these too: remove them.
    await cleanQueue({ queueUrl: redis.url, sweepId: 'unstaffed' });
  }, 60_000);

  it('trains the queued trials, compatible ones stacked, and stops cleanly on SIGTERM', async () => {
    const { child, output } = spawnWorkerCommand([
      '--queue',
      redis.url,
      '--concurrency',
      '1',
      '--stack',
      '2',
    ]);
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const base = resolveRunConfig({
        data: { trainLimit: 600 },
        training: { epochs: 1, batchSize: 64, optimizer: { type: 'sgd', lr: 0.5 } },
        backend: 'cpu',
      });
      const trials = expandSweep('cli-worker', base, [{ key: 'lr', values: [0.5, 0.1] }]);
      const rows = await runSweepOnQueue(trials, { directory: join(scratch, 'sweep'), queueUrl: redis.url });
      expect(rows.map((row) => row.status)).toEqual(['finished', 'finished']);
      expect(rows.map((row) => row.summary?.epochs)).toEqual([1, 1]);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    const trialId = 'cli-worker-000-';
    expect(output()).toMatch(
      /^worker .+ on redis:\/\/127\.0\.0\.1:\d+: concurrency 1, backend auto, stack 2 /m,
    );
    expect(output()).toMatch(new RegExp(`^start ${trialId}[0-9a-f]{8}$`, 'm'));
    expect(output()).toMatch(new RegExp(`^done  ${trialId}[0-9a-f]{8}: finished$`, 'm'));
    // Both trials usually wait when the worker looks, and then share one pass; each ends on its own.
    expect(output()).toMatch(/^done {2}cli-worker-001-[0-9a-f]{8}: finished$/m);
  }, 60_000);
});
