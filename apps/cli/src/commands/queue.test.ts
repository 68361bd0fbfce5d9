import { expandSweep, resolveRunConfig } from '@contour/core';
import { enqueueSweep } from '@contour/queue';
import { freePort, type RedisServer, startRedisServer } from '@contour/queue/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runInProcess } from '../test-support/run-cli.js';
import { formatBytes, sweepIdOf } from './queue.js';

let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedisServer();
}, 30_000);
afterAll(async () => {
  await redis?.stop();
});

const run = (args: string[]) => runInProcess(['queue', ...args]);

describe('formatBytes', () => {
  it('uses decimal units with one decimal', () => {
    expect(formatBytes(999)).toBe('999 B');
    expect(formatBytes(1_234_567)).toBe('1.2 MB');
    expect(formatBytes(Number.NaN)).toBe('unknown');
  });
});

describe('sweepIdOf', () => {
  it('strips the index and config hash of a trial id', () => {
    expect(sweepIdOf('lr-study.v2-013-0a1b2c3d')).toBe('lr-study.v2');
  });
});

describe('contour queue', () => {
  it('status shows waiting trials per sweep and per trial; clean removes them', async () => {
    const base = resolveRunConfig({ data: { trainLimit: 600 }, training: { epochs: 1 }, backend: 'cpu' });
    const trials = expandSweep('queued', base, [{ key: 'lr', values: [0.1, 0.2] }]);
    // No worker is running: the trials wait.
    expect((await enqueueSweep(trials, { queueUrl: redis.url })).added).toHaveLength(2);

    const overview = await run(['status', '--queue', redis.url]);
    expect(overview.code).toBe(0);
    expect(overview.stdout).toContain(`${redis.url} queue contour-trials: 0 worker(s)`);
    expect(overview.stdout).toContain('waiting 2 · active 0');
    expect(overview.stdout).toMatch(/^Redis: \d+(\.\d)? [kM]B used \(INFO memory used_memory\), \d+ keys$/m);
    expect(overview.stdout).toMatch(/queued\s+│?\s*2/);

    const detail = await run(['status', '--queue', redis.url, '--sweep', 'queued']);
    for (const trial of trials) expect(detail.stdout).toMatch(new RegExp(`${trial.id}\\s+│?\\s*waiting`));

    const json = await run(['status', '--queue', redis.url, '--sweep', 'queued', '--json']);
    const status = JSON.parse(json.stdout) as {
      counts: Record<string, number>;
      jobs: Array<{ id: string }>;
      redis: { usedMemoryBytes: number; keys: number };
    };
    expect(status.counts.waiting).toBe(2);
    // Two job hashes at least, and Redis's own accounting of a near-empty server (~1 MB).
    expect(status.redis.keys).toBeGreaterThanOrEqual(2);
    expect(status.redis.usedMemoryBytes).toBeGreaterThan(100_000);
    expect(status.jobs.map((job) => job.id)).toEqual(trials.map((trial) => trial.id));

    const refused = await run(['clean', '--queue', redis.url]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/queue clean needs exactly one of --sweep <id> or --all/);

    const other = await run(['clean', '--queue', redis.url, '--sweep', 'another']);
    expect(other.stdout).toContain('removed 0 job(s)');
    const cleaned = await run(['clean', '--queue', redis.url, '--sweep', 'queued']);
    expect(cleaned.code).toBe(0);
    expect(cleaned.stdout).toContain('removed 2 job(s)');
    expect((await run(['status', '--queue', redis.url, '--sweep', 'queued'])).stdout).toContain(
      'no jobs of sweep queued',
    );
  });

  it('fails in one line: exit 2 for a bad address, exit 1 when Redis is unreachable', async () => {
    const bad = await run(['status', '--queue', 'redis//nowhere']);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    const port = await freePort();
    const unreachable = await run(['status', '--queue', `redis://127.0.0.1:${port}`]);
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr.trim()).toMatch(
      new RegExp(`^contour: cannot reach Redis at redis://127\\.0\\.0\\.1:${port}: .+$`),
    );
  });
});
