import fs from 'node:fs';
import { dirname } from 'node:path';

/**
 * Thrown when a directory cannot be created or written: a read-only file system or missing
 * permission. Its message is the one line a user sees, `cannot write to <directory>: read-only
 * file system` (or `permission denied`).
 */
export class DirectoryNotWritableError extends Error {
  override readonly name = 'DirectoryNotWritableError';
  constructor(
    readonly directory: string,
    readonly reason: 'read-only file system' | 'permission denied',
  ) {
    super(`cannot write to ${directory}: ${reason}`);
  }
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

/**
 * `mkdir -p`: creates `directory` and its missing parents.
 *
 * @throws DirectoryNotWritableError (`cannot write to <directory>: read-only file system` or
 *   `permission denied`) instead of Node's `ENOENT … mkdir` on a read-only file system.
 */
export function makeDirectory(directory: string): void {
  try {
    fs.mkdirSync(directory, { recursive: true });
  } catch (error) {
    throw notWritableError(error, directory) ?? error;
  }
}
