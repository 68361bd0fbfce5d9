import fs from 'node:fs';
import { dirname } from 'node:path';

/**
 * Thrown when a directory cannot be created or written: a read-only file system, missing
 * permission, a file where a directory should be, or a file system that takes no new directories
 * (such as /proc). Its message is the one line a user sees, `cannot write to <directory>: <why>`,
 * e.g. `read-only file system`, `/tmp/notes is not a directory` or `no directory can be created in
 * /proc`; `at` is the path that stopped it when that is not `directory` itself.
 */
export class DirectoryNotWritableError extends Error {
  override readonly name = 'DirectoryNotWritableError';
  constructor(
    readonly directory: string,
    readonly reason: 'read-only file system' | 'permission denied' | 'not a directory' | 'no new directories',
    readonly at: string = directory,
  ) {
    super(`cannot write to ${directory}: ${describeReason(reason, at)}`);
  }
}

function describeReason(reason: DirectoryNotWritableError['reason'], at: string): string {
  if (reason === 'not a directory') return `${at} is not a directory`;
  if (reason === 'no new directories') return `no directory can be created in ${at}`;
  return reason;
}

const reasons: Readonly<Record<string, DirectoryNotWritableError['reason']>> = {
  EROFS: 'read-only file system',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
};

/** The nearest ancestor of `path` (or `path` itself) that exists. */
function nearestExisting(path: string): string {
  let current = path;
  while (!fs.existsSync(current) && dirname(current) !== current) current = dirname(current);
  return current;
}

/**
 * Why `path` (a file or directory to create) cannot be written, as a DirectoryNotWritableError
 * naming `directory`, or undefined when `error` is not about writability. Node 20's recursive
 * `mkdir` reports a read-only file system as ENOENT, so the nearest existing ancestor is probed.
 */
export function notWritableError(error: unknown, directory: string): DirectoryNotWritableError | undefined {
  const code = (error as NodeJS.ErrnoException | null)?.code ?? '';
  const direct = reasons[code];
  if (direct) return new DirectoryNotWritableError(directory, direct);
  if (code !== 'ENOENT') return undefined;
  try {
    fs.accessSync(nearestExisting(directory), fs.constants.W_OK);
    return undefined;
  } catch (probe) {
    const reason = reasons[(probe as NodeJS.ErrnoException).code ?? ''];
    return reason ? new DirectoryNotWritableError(directory, reason) : undefined;
  }
}

function isDirectory(path: string): boolean {
  try {
    return fs.statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/**
 * `mkdir -p`: creates `directory` and its missing parents, one level at a time below the nearest
 * existing ancestor (which must be a directory). Node's own recursive `mkdir` is not used: on a
 * file system that refuses new directories with ENOENT (/proc) it retries forever.
 *
 * @throws DirectoryNotWritableError, one line naming `directory`: `read-only file system`,
 *   `permission denied` (also where Node 20 says `ENOENT … mkdir` on a read-only file system),
 *   `<ancestor> is not a directory` (a file in the way) or `no directory can be created in
 *   <ancestor>`.
 */
export function makeDirectory(directory: string): void {
  const missing: string[] = [];
  let existing = directory;
  while (!fs.existsSync(existing) && dirname(existing) !== existing) {
    missing.push(existing);
    existing = dirname(existing);
  }
  if (!isDirectory(existing)) throw new DirectoryNotWritableError(directory, 'not a directory', existing);
  for (const level of missing.reverse()) {
    try {
      fs.mkdirSync(level);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException | null)?.code;
      // Another process may have made it meanwhile; anything else that exists is in the way.
      if (code === 'EEXIST') {
        if (isDirectory(level)) continue;
        throw new DirectoryNotWritableError(directory, 'not a directory', level);
      }
      const notWritable = notWritableError(error, directory);
      if (notWritable) throw notWritable;
      if (code === 'ENOENT' && isDirectory(dirname(level)))
        throw new DirectoryNotWritableError(directory, 'no new directories', dirname(level));
      throw error;
    }
  }
}
