import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const packageDirectory = fileURLToPath(new URL('..', import.meta.url));
const repository = join(packageDirectory, '..', '..');
const scratch = join(tmpdir(), `contour-layers-pack-${process.pid}`);
mkdirSync(scratch, { recursive: true });
// Removing the consumer's node_modules takes a while on a loaded machine.
afterAll(() => rmSync(scratch, { recursive: true, force: true }), 120_000);

const run = (command: string, args: string[], cwd: string) =>
  execFileSync(command, args, {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, CI: 'true' },
  });

/** @contour/layers and every workspace package it needs at run time (plus backend-cpu, which the README uses). */
const packed = [
  'layers',
  'core',
  'runs',
  'metrics-logger',
  'mnist-loader',
  'optimizers',
  'schedules',
  'losses',
  'backends',
  'backend-cpu',
  'backend-wasm',
  'backend-node',
];

describe('@contour/layers package', () => {
  it('passes publint, and every README example runs as written from packed tarballs in a plain npm project', {
    timeout: 900_000,
  }, () => {
    run(
      'pnpm',
      ['exec', 'turbo', 'run', 'build', '--filter=@contour/layers...', '--filter=@contour/backend-cpu'],
      repository,
    );
    expect(run('pnpm', ['exec', 'publint', '--strict'], packageDirectory)).toMatch(/All good/);
    const tarballs = join(scratch, 'tarballs');
    mkdirSync(tarballs, { recursive: true });
    for (const name of packed)
      run('pnpm', ['pack', '--pack-destination', tarballs], join(repository, 'packages', name));
    const project = join(scratch, 'consumer');
    mkdirSync(project, { recursive: true });
    writeFileSync(
      join(project, 'package.json'),
      JSON.stringify({ name: 'consumer', private: true, type: 'module' }),
    );
    run(
      'npm',
      [
        'install',
        '--no-audit',
        '--no-fund',
        '--loglevel=error',
        ...readdirSync(tarballs).map((name) => join(tarballs, name)),
        '@tensorflow/tfjs-core@4.22.0',
        '@tensorflow/tfjs-layers@4.22.0',
        'tsx@4.23.15',
      ],
      project,
    );
    const readme = readFileSync(join(packageDirectory, 'README.md'), 'utf8');
    const examples = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)]
      .map((match) => match[1] as string)
      .filter((code) => code.includes('import '));
    expect(examples.length).toBeGreaterThanOrEqual(5);
    examples.forEach((code, index) => {
      const file = join(project, `readme-example-${index}.ts`);
      writeFileSync(file, code);
      // Throws (failing the test with the example's stderr) when an example does not run.
      run('node', ['--import', 'tsx', file], project);
    });
  });
});
