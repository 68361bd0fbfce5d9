import { spawnSync } from 'node:child_process';
import fs, { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { DirectoryNotWritableError, makeDirectory } from './make-directory.js';
import { writeFileAtomic } from './write-file-atomic.js';

const scratch = mkdtempSync(join(tmpdir(), 'contour-make-directory-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

/** Makes `root` behave as a read-only file system does under Node 20 (recursive mkdir: ENOENT). */
function readOnly(root: string) {
  const inside = (path: fs.PathLike) => String(path).startsWith(root);
  const realMkdir = fs.mkdirSync.bind(fs) as (...parts: unknown[]) => unknown;
  const realAccess = fs.accessSync.bind(fs) as (...parts: unknown[]) => void;
  const realOpen = fs.openSync.bind(fs) as (...parts: unknown[]) => number;
  const erofs = (path: fs.PathLike) =>
    Object.assign(new Error(`EROFS: read-only file system, '${String(path)}'`), { code: 'EROFS' });
  vi.spyOn(fs, 'mkdirSync').mockImplementation(((path: fs.PathLike, ...rest: unknown[]) => {
    if (inside(path) && String(path) !== root)
      throw Object.assign(new Error(`ENOENT: no such file or directory, mkdir '${String(path)}'`), {
        code: 'ENOENT',
      });
    return realMkdir(path, ...rest);
  }) as typeof fs.mkdirSync);
  vi.spyOn(fs, 'accessSync').mockImplementation(((path: fs.PathLike, ...rest: unknown[]) => {
    if (inside(path)) throw erofs(path);
    return realAccess(path, ...rest);
  }) as typeof fs.accessSync);
  vi.spyOn(fs, 'openSync').mockImplementation(((path: fs.PathLike, ...rest: unknown[]) => {
    if (inside(path)) throw erofs(path);
    return realOpen(path, ...rest);
  }) as typeof fs.openSync);
}

describe('makeDirectory', () => {
  it('creates missing parents', () => {
    makeDirectory(join(scratch, 'a', 'b'));
    expect(fs.statSync(join(scratch, 'a', 'b')).isDirectory()).toBe(true);
  });

  it('says "read-only file system" where Node says ENOENT', () => {
    const root = join(scratch, 'read-only');
    fs.mkdirSync(root);
    readOnly(root);
    expect(() => makeDirectory(join(root, 'runs', 'a'))).toThrow(
      new DirectoryNotWritableError(join(root, 'runs', 'a'), 'read-only file system'),
    );
    expect(() => makeDirectory(join(root, 'runs', 'a'))).toThrow(
      `cannot write to ${join(root, 'runs', 'a')}: read-only file system`,
    );
  });

  it('names the file in the way when a parent is a regular file', () => {
    fs.writeFileSync(join(scratch, 'file'), '');
    const directory = join(scratch, 'file', 'x', 'y');
    expect(() => makeDirectory(directory)).toThrow(
      new DirectoryNotWritableError(directory, 'not a directory', join(scratch, 'file')),
    );
    expect(() => makeDirectory(directory)).toThrow(
      `cannot write to ${directory}: ${join(scratch, 'file')} is not a directory`,
    );
    expect(() => makeDirectory(join(scratch, 'file'))).toThrow(`${join(scratch, 'file')} is not a directory`);
  });

  // Node 20's own recursive mkdir retries forever there, so a regression would hang the test
  // process: the call runs in a child that is killed after a while.
  it.skipIf(!fs.existsSync('/proc/self'))(
    'fails in one line under /proc, which takes no new directories',
    () => {
      const child = spawnSync(
        process.execPath,
        [
          '--conditions=@contour/source',
          '--import',
          'tsx',
          '--input-type=module',
          '-e',
          `import { makeDirectory } from ${JSON.stringify(new URL('./make-directory.ts', import.meta.url).href)};
try { makeDirectory('/proc/nope/x'); } catch (error) { console.log(error.name + ': ' + error.message); }`,
        ],
        { encoding: 'utf8', timeout: 60_000 },
      );
      expect(child.signal, 'makeDirectory did not return within 60 s').toBeNull();
      // As root the kernel refuses the directory itself; as another user /proc is not writable.
      expect(child.stdout.trim()).toMatch(
        /^DirectoryNotWritableError: cannot write to \/proc\/nope\/x: (no directory can be created in \/proc|permission denied)$/,
      );
    },
    90_000,
  );
});

describe('writeFileAtomic', () => {
  it('names the file in the way when its directory cannot be created', () => {
    const file = join(scratch, 'not-a-folder');
    fs.writeFileSync(file, '');
    expect(() => writeFileAtomic(join(file, 'run', 'result.json'), '{}')).toThrow(
      `cannot write to ${join(file, 'run')}: ${file} is not a directory`,
    );
  });

  it('names the directory it cannot write to on a read-only file system', () => {
    const root = join(scratch, 'read-only-existing');
    fs.mkdirSync(root);
    readOnly(root);
    expect(() => writeFileAtomic(join(root, 'result.json'), '{}')).toThrow(
      `cannot write to ${root}: read-only file system`,
    );
  });
});
