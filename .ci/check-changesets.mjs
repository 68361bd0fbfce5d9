#!/usr/bin/env node
// Fails when a commit changed a published package's sources without a changeset naming it.
//
// CI runs on a fresh clone of main whose last commits are the submission, so there is no branch
// to compare with (merge-base(HEAD, origin/main) is HEAD). Instead every commit since the one that
// introduced this check is examined on its own: a commit that changes `packages/<p>/src/` or
// `apps/<a>/src/` (tests and test-support aside) of a published package must add or edit a
// `.changeset/*.md` naming that package — in the same commit or in a later one (a feature and its
// changeset may be two commits).
// `--since <commit>` checks the commits after <commit> instead. Needs the full history: a shallow
// clone is deepened first.
//
// Usage: node .ci/check-changesets.mjs [--since <commit>]
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const git = (...args) =>
  execFileSync('git', args, {
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    stdio: ['ignore', 'pipe', 'pipe'],
  }).trimEnd();
const fail = (message) => {
  console.error(`check-changesets: ${message}`);
  process.exit(1);
};

const sinceIndex = process.argv.indexOf('--since');
const since = sinceIndex === -1 ? undefined : process.argv[sinceIndex + 1];
if (sinceIndex !== -1 && since === undefined) fail('--since needs a commit');

if (git('rev-parse', '--is-shallow-repository') === 'true') {
  try {
    git('fetch', '--quiet', '--unshallow');
  } catch {
    fail('this is a shallow clone and it could not be deepened; the check needs the full history');
  }
}

/** The commit that added this script: commits after it follow the rule. */
function startCommit() {
  if (since !== undefined) {
    try {
      return git('rev-parse', '--verify', `${since}^{commit}`);
    } catch {
      fail(`--since ${since}: no such commit`);
    }
  }
  const added = git('log', '--diff-filter=A', '--format=%H', '--', '.ci/check-changesets.mjs').split('\n');
  const first = added.filter(Boolean).at(-1);
  if (first === undefined)
    fail('.ci/check-changesets.mjs is not committed yet, so there is no start; pass --since');
  return first;
}

/** Published workspace packages (no `"private": true`) by folder (`packages/x`, `apps/y`): npm names. */
function publishedPackages() {
  const packages = new Map();
  for (const parent of ['packages', 'apps']) {
    if (!existsSync(parent)) continue;
    for (const folder of readdirSync(parent)) {
      const file = join(parent, folder, 'package.json');
      if (!existsSync(file)) continue;
      const manifest = JSON.parse(readFileSync(file, 'utf8'));
      if (manifest.private !== true) packages.set(`${parent}/${folder}`, manifest.name);
    }
  }
  return packages;
}

/** Package names in a changeset's front matter (`"@scope/name": patch` lines between `---`). */
function changesetPackages(text) {
  const match = /^---\r?\n([\s\S]*?)\r?\n---/.exec(text);
  if (match === null) return [];
  return match[1]
    .split(/\r?\n/)
    .map((line) => /^\s*["']?([^"':\s][^"':]*)["']?\s*:\s*(major|minor|patch)\s*$/.exec(line)?.[1])
    .filter((name) => name !== undefined);
}

const isSource = (path) => !/\.test\.[cm]?[jt]sx?$|\/test-support\//.test(path);

const start = startCommit();
const packages = publishedPackages();
const commits = git('rev-list', '--reverse', '--no-merges', `${start}..HEAD`).split('\n').filter(Boolean);

/** For each commit: the published packages whose sources it changed, and those its changesets name. */
const examined = commits.map((commit) => {
  const changed = new Set();
  const named = new Set();
  const rows = git('diff-tree', '--no-commit-id', '-r', '--name-status', '--root', commit).split('\n');
  for (const row of rows.filter(Boolean)) {
    const [status, ...paths] = row.split('\t');
    const path = paths.at(-1);
    const source = /^((?:packages|apps)\/[^/]+)\/src\/(.+)$/.exec(path);
    if (source !== null && packages.has(source[1]) && isSource(path)) changed.add(packages.get(source[1]));
    if (/^\.changeset\/.+\.md$/.test(path) && path !== '.changeset/README.md' && status !== 'D') {
      for (const name of changesetPackages(git('show', `${commit}:${path}`))) named.add(name);
    }
  }
  return { commit, changed, named };
});

const missing = [];
examined.forEach(({ commit, changed }, index) => {
  for (const name of changed) {
    const covered = examined.slice(index).some(({ named }) => named.has(name));
    if (!covered)
      missing.push(`${git('log', '-1', '--format=%h %s', commit).slice(0, 100)}: changed ${name}`);
  }
});

if (missing.length > 0) {
  fail(
    `${missing.length} change(s) to published packages have no changeset naming the package (add one with \`pnpm changeset\`):\n  ${missing.join('\n  ')}`,
  );
}
console.log(
  `check-changesets: ${commits.length} commit(s) since ${start.slice(0, 7)} checked; every published package whose sources changed has a changeset.`,
);
