#!/usr/bin/env node
// Packs every published workspace package (no `"private": true`) into one folder, and nothing
// else: `pnpm -r pack` would also pack the private apps, examples and tooling.
//
// Usage: node .ci/pack-published.mjs <destination> [--dry-run]
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';

const destination = process.argv[2];
const dryRun = process.argv.includes('--dry-run');
if (destination === undefined || destination.startsWith('--')) {
  console.error('pack-published: usage: node .ci/pack-published.mjs <destination> [--dry-run]');
  process.exit(2);
}
const workspace = JSON.parse(
  execFileSync('pnpm', ['-r', 'ls', '--json', '--depth', '-1'], { encoding: 'utf8' }),
);
const published = workspace.filter((workspacePackage) => workspacePackage.private !== true);
if (!dryRun) mkdirSync(destination, { recursive: true });
for (const { name, version, path } of published) {
  const args = ['pack', '--pack-destination', resolve(destination), ...(dryRun ? ['--dry-run'] : [])];
  execFileSync('pnpm', args, { cwd: path, stdio: ['ignore', 'ignore', 'inherit'] });
  console.log(`${dryRun ? 'would pack' : 'packed'} ${name}@${version}`);
}
console.log(
  `pack-published: ${published.length} published package(s), ${workspace.length - published.length} private skipped`,
);
