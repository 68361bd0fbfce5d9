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

  it('leaves other errors as they are (a file where a directory should be)', () => {
    fs.writeFileSync(join(scratch, 'file'), '');
    expect(() => makeDirectory(join(scratch, 'file', 'x'))).toThrow(/ENOTDIR|EEXIST/);
  });
});

describe('writeFileAtomic', () => {
  it('names the directory it cannot write to on a read-only file system', () => {
    const root = join(scratch, 'read-only-existing');
    fs.mkdirSync(root);
    readOnly(root);
    expect(() => writeFileAtomic(join(root, 'result.json'), '{}')).toThrow(
      `cannot write to ${root}: read-only file system`,
    );
  });
});
