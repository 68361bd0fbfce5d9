#!/usr/bin/env node
// `pnpm contour` / `pnpm demo`: run the built CLI (apps/cli/dist), the same JavaScript the published
// `contour` bin runs. When the CLI or a workspace package it uses has a source file newer than its
// build (fresh clone, or sources edited since), turbo builds them first (cached per package).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

/** Newest modification time (ms) of the files under `path` (0 when it does not exist). */
function newest(path) {
  if (!existsSync(path)) return 0;
  const stats = statSync(path);
  if (!stats.isDirectory()) return stats.mtimeMs;
  let latest = 0;
  for (const entry of readdirSync(path)) latest = Math.max(latest, newest(join(path, entry)));
  return latest;
}

/** Directories of the CLI and every workspace package it depends on, directly or not. */
function cliWorkspace() {
  const directories = new Map();
  for (const parent of ['packages', 'apps']) {
    for (const name of readdirSync(join(root, parent))) {
      const manifest = join(root, parent, name, 'package.json');
      if (existsSync(manifest))
        directories.set(JSON.parse(readFileSync(manifest, 'utf8')).name, join(root, parent, name));
    }
  }
  const found = new Set();
  const visit = (name) => {
    const directory = directories.get(name);
    if (directory === undefined || found.has(directory)) return;
    found.add(directory);
    const { dependencies = {} } = JSON.parse(readFileSync(join(directory, 'package.json'), 'utf8'));
    for (const dependency of Object.keys(dependencies)) visit(dependency);
  };
  visit('@contour/cli');
  return [...found];
}

// Written after each successful build: turbo's cache hits leave dist/ untouched, so its own times
// cannot say whether the build is newer than the sources.
const stamp = join(root, 'apps/cli/dist/.workspace-built');
const builtAt = newest(stamp);

function isStale(directory) {
  if (!existsSync(join(directory, 'dist'))) return true;
  const sources = Math.max(
    newest(join(directory, 'src')),
    newest(join(directory, 'package.json')),
    newest(join(directory, 'tsconfig.build.json')),
  );
  return sources > builtAt;
}

if (cliWorkspace().some(isStale)) {
  process.stderr.write(
    'contour: building the CLI and the packages it uses (no build yet, or sources changed since the last one) …\n',
  );
  const build = spawnSync(
    'pnpm',
    ['exec', 'turbo', 'run', 'build', '--filter=@contour/cli...', '--output-logs=errors-only'],
    {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1' },
    },
  );
  if (build.status !== 0) {
    process.stderr.write(
      `${build.stdout ?? ''}${build.stderr ?? ''}${build.error?.message ?? ''}\ncontour: the build failed\n`,
    );
    process.exit(1);
  }
  writeFileSync(stamp, `${new Date().toISOString()}\n`);
}

// Commands the CLI prints for the user to run next (find-lr's train line) start the way this one did.
process.env.CONTOUR_COMMAND = 'pnpm contour';
// pnpm runs this root script from the repository root; relative paths the user typed are meant from
// where they typed `pnpm contour` (INIT_CWD). Only this launcher knows that; the CLI uses its cwd.
if (process.env.INIT_CWD !== undefined) process.chdir(process.env.INIT_CWD);
const { runCli } = await import(new URL('../apps/cli/dist/main.js', import.meta.url).href);
process.exitCode = await runCli(process.argv.slice(2));
