import { execFileSync } from 'node:child_process';
import fs, { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { lockFileName } from '@contour/runs';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { runInProcess } from '../test-support/run-cli.js';
import { copyRun, errorLine, oneLine, quickFlags, snapshot } from './run-fixtures.js';

const scratch = mkdtempSync(join(tmpdir(), 'contour-fault-output-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

/** A finished run with a model that has a hidden layer (what `finetune --from` needs). */
const pretrained = join(scratch, 'pretrained');
beforeAll(async () => {
  const { code, stderr } = await runInProcess([
    'train',
    ...quickFlags,
    '--model',
    'mlp:16',
    '--epochs',
    '1',
    '--out',
    pretrained,
  ]);
  expect(code, stderr).toBe(0);
}, 120_000);

const finetuneFlags = ['--from', pretrained, '--train-limit', '300', '--backend', 'cpu', '--epochs', '1'];

/** Every command that creates an output directory, with `out` as its target. */
const writers: Array<[string, (out: string) => string[]]> = [
  ['train', (out) => ['train', ...quickFlags, '--epochs', '1', '--out', out]],
  ['sweep', (out) => ['sweep', ...quickFlags.slice(0, 6), '--lr', '0.1,0.5', '--epochs', '1', '--out', out]],
  ['finetune', (out) => ['finetune', ...finetuneFlags, '--out', out]],
  ['find-lr', (out) => ['find-lr', ...quickFlags.slice(0, 6), '--out', out]],
  ['race', (out) => ['race', '--preset', 'classic-race', '--steps', '5', '--out', out]],
  ['plot --out', (out) => ['plot', pretrained, '--out', join(out, 'overlay.svg')]],
];

/** A real read-only tmpfs (Linux, root), or why there is none. */
function mountReadOnly(): { directory: string; unmount: () => void } | string {
  if (process.platform !== 'linux') return 'not Linux';
  if (process.getuid?.() !== 0) return 'not root (mount needs it)';
  const directory = mkdtempSync(join(scratch, 'read-only-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'ro,size=64k', 'tmpfs', directory], { stdio: 'pipe' });
  } catch (error) {
    return `mount -t tmpfs failed: ${String((error as Error).message).split('\n')[0]}`;
  }
  return { directory, unmount: () => execFileSync('umount', [directory]) };
}

describe('a read-only --out (a real read-only tmpfs)', () => {
  // Probed at collection (mounted and unmounted at once), mounted for the tests in beforeAll: a
  // filtered run that skips them never leaves a mount behind.
  const probe = mountReadOnly();
  if (typeof probe !== 'string') {
    probe.unmount();
    rmSync(probe.directory, { recursive: true, force: true });
  }
  const skip = typeof probe === 'string' ? probe : undefined;
  let mounted: { directory: string; unmount: () => void } | undefined;
  beforeAll(() => {
    if (skip !== undefined) return;
    const result = mountReadOnly();
    if (typeof result === 'string') throw new Error(result);
    mounted = result;
  });
  afterAll(() => mounted?.unmount());
  it.skipIf(skip !== undefined).each(writers)(
    `%s: one line "cannot write to <dir>: read-only file system", exit 2${skip ? ` (skipped: ${skip})` : ''}`,
    async (_name, args) => {
      const root = (mounted as { directory: string }).directory;
      for (const out of [join(root, 'run'), join(root, 'deeper', 'run')]) {
        const { code, stderr } = await runInProcess(args(out));
        expect(code, stderr).toBe(2);
        // Commands that announce their output first print that line, then the error.
        expect(errorLine(stderr)).toMatch(/^contour: cannot write to \/.+: read-only file system$/);
        expect(stderr).not.toContain('ENOENT');
        expect(stderr).toContain(root);
      }
    },
  );

  it.skipIf(skip !== undefined)(
    'find-lr into an existing read-only directory fails before the search runs, not after it',
    async () => {
      const root = (mounted as { directory: string }).directory;
      const { code, stderr } = await runInProcess([
        'find-lr',
        ...quickFlags.slice(0, 4),
        '--method',
        'halving',
        '--budget',
        '5',
        '--out',
        root,
      ]);
      expect(code, stderr).toBe(2);
      expect(errorLine(stderr)).toBe(`contour: cannot write to ${root}: read-only file system`);
      // The halving search prints a line per attempt: none ran.
      expect(stderr).not.toMatch(/^ {2}lr /m);
    },
  );

  it.skipIf(skip !== undefined)('report on a run on a read-only file system: one line, exit 2', async () => {
    // A run copied onto a writable tmpfs that is then remounted read-only.
    const directory = mkdtempSync(join(scratch, 'remounted-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=8m', 'tmpfs', directory]);
    try {
      copyRun(pretrained, join(directory, 'run'));
      execFileSync('mount', ['-o', 'remount,ro', directory]);
      const { code, stderr } = await runInProcess(['report', join(directory, 'run')]);
      expect(code, stderr).toBe(2);
      expect(oneLine(stderr)).toBe(
        `contour: cannot write to ${join(directory, 'run')}: read-only file system`,
      );
    } finally {
      execFileSync('umount', [directory]);
    }
  });
});

describe('an --out that cannot be created', () => {
  const escaped = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  it.each(writers)(
    '%s: a file in the way, or a directory under /proc: one line naming it, exit 2, never hanging',
    async (_name, args) => {
      const file = join(scratch, 'a-file');
      writeFileSync(file, '');
      // The file first: a command that went back to Node's recursive mkdir fails there (ENOTDIR)
      // instead of retrying forever under /proc.
      const cases: Array<[string, string]> = [[join(file, 'run'), `${escaped(file)} is not a directory`]];
      if (existsSync('/proc/self'))
        cases.push(['/proc/nope/run', '(no directory can be created in /proc|permission denied)']);
      for (const [out, reason] of cases) {
        const { code, stderr } = await runInProcess(args(out));
        expect(code, stderr).toBe(2);
        expect(errorLine(stderr)).toMatch(
          new RegExp(`^contour: cannot write to ${escaped(out)}(/\\S+)?: ${reason}$`),
        );
      }
    },
  );
});

describe('an --out without permission (injected EACCES, as for a non-root user)', () => {
  it.each(writers)('%s: one line "cannot write to <dir>: permission denied", exit 2', async (name, args) => {
    const forbidden = join(scratch, `forbidden-${name.replace(/\W+/g, '-')}`);
    mkdirSync(forbidden);
    const denied = (path: fs.PathLike) => String(path).startsWith(forbidden);
    const deny = (syscall: string, path: fs.PathLike) =>
      Object.assign(new Error(`EACCES: permission denied, ${syscall} '${String(path)}'`), {
        code: 'EACCES',
        syscall,
      });
    const realMkdir = fs.mkdirSync.bind(fs) as (...parts: unknown[]) => unknown;
    const realAccess = fs.accessSync.bind(fs) as (...parts: unknown[]) => void;
    const realOpen = fs.openSync.bind(fs) as (...parts: unknown[]) => number;
    // Node 20's recursive mkdir reports ENOENT where the kernel said EACCES (as for EROFS).
    vi.spyOn(fs, 'mkdirSync').mockImplementation(((path: fs.PathLike, ...rest: unknown[]) => {
      if (denied(path) && String(path) !== forbidden)
        throw Object.assign(new Error(`ENOENT: no such file or directory, mkdir '${String(path)}'`), {
          code: 'ENOENT',
        });
      return realMkdir(path, ...rest);
    }) as typeof fs.mkdirSync);
    vi.spyOn(fs, 'accessSync').mockImplementation(((path: fs.PathLike, ...rest: unknown[]) => {
      if (denied(path)) throw deny('access', path);
      return realAccess(path, ...rest);
    }) as typeof fs.accessSync);
    vi.spyOn(fs, 'openSync').mockImplementation(((path: fs.PathLike, ...rest: unknown[]) => {
      if (denied(path)) throw deny('open', path);
      return realOpen(path, ...rest);
    }) as typeof fs.openSync);
    const out = join(forbidden, 'run');
    const { code, stderr } = await runInProcess(args(out));
    vi.restoreAllMocks();
    expect(code, stderr).toBe(2);
    expect(errorLine(stderr)).toMatch(
      new RegExp(`^contour: cannot write to ${forbidden}.*: permission denied$`),
    );
    expect(readdirSync(forbidden)).toEqual([]);
  });
});

describe('finetune run directories take the lock train takes', () => {
  it('a finetune into a run directory another live process holds exits 2 naming the owner, nothing written', async () => {
    const out = join(scratch, 'finetune-taken');
    mkdirSync(join(out, 'finetune'), { recursive: true });
    // The parent process is alive; without `processStart` its pid cannot be taken for a reused one.
    const owner = {
      pid: process.ppid,
      hostname: hostname(),
      startedAt: '2026-12-01T00:00:00.000Z',
      command: 'contour finetune --out elsewhere',
    };
    writeFileSync(join(out, 'finetune', lockFileName), JSON.stringify(owner));
    const before = snapshot(out);
    const { code, stderr } = await runInProcess(['finetune', ...finetuneFlags, '--out', out]);
    expect(code).toBe(2);
    expect(errorLine(stderr)).toBe(
      `contour: ${join(out, 'finetune')} is in use by another contour process (pid ${owner.pid} on ${owner.hostname}, since ${owner.startedAt}: ${owner.command}); wait for it to end or stop it, or use another directory`,
    );
    expect(snapshot(out)).toEqual(before);
  });

  it('a finetune run directory is locked while it trains and released after', async () => {
    const out = join(scratch, 'finetune-free');
    const { code, stderr } = await runInProcess(['finetune', ...finetuneFlags, '--out', out]);
    expect(code, stderr).toBe(0);
    expect(existsSync(join(out, 'finetune', 'config.json'))).toBe(true);
    expect(existsSync(join(out, 'finetune', lockFileName))).toBe(false);
  });
});
