import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const packageDirectory = fileURLToPath(new URL('..', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'contour-schedules-pack-'));

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const run = (command: string, args: string[], cwd: string) =>
  execFileSync(command, args, {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, CI: 'true' },
  });

describe('@contour/schedules package', () => {
  it('builds, passes publint, packs, and works when installed into a plain Node project', {
    timeout: 180_000,
  }, () => {
    run('pnpm', ['run', 'build'], packageDirectory);
    expect(run('pnpm', ['exec', 'publint', '--strict'], packageDirectory)).toMatch(/All good/);
    run('pnpm', ['pack', '--pack-destination', scratch], packageDirectory);
    const tarball = readdirSync(scratch).find((name) => name.endsWith('.tgz'));
    expect(tarball).toBeDefined();

    const project = join(scratch, 'consumer');
    run('mkdir', ['-p', project], scratch);
    writeFileSync(
      join(project, 'package.json'),
      JSON.stringify({ name: 'consumer', private: true, type: 'module' }),
    );
    run(
      'npm',
      ['install', '--no-audit', '--no-fund', '--loglevel=error', join(scratch, tarball as string)],
      project,
    );
    writeFileSync(
      join(project, 'check.mjs'),
      `import { createSchedule, sampleSchedule, ScheduleSpecError } from '@contour/schedules';
import { scheduleConformanceChecks, builtInConformanceExamples } from '@contour/schedules/testing';
const rates = sampleSchedule(createSchedule({ type: 'step', lr: 0.1, stepSize: 2, gamma: 0.5 }), 5);
let error = '';
try { createSchedule({ type: 'step', lr: 0.1 }); } catch (e) { error = e instanceof ScheduleSpecError ? e.field : 'wrong error'; }
const checks = scheduleConformanceChecks({ examples: builtInConformanceExamples });
for (const check of checks) check.run();
console.log(JSON.stringify({ rates, error, checks: checks.length, expr: createSchedule({ type: 'expr', expr: '2 ^ -t' }).value(3) }));
`,
    );
    const output = JSON.parse(run('node', ['check.mjs'], project));
    expect(output.rates).toEqual([0.1, 0.1, 0.05, 0.05, 0.025]);
    expect(output.error).toBe('stepSize');
    expect(output.checks).toBeGreaterThan(100);
    expect(output.expr).toBe(0.125);
  });
});
