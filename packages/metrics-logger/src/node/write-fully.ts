import fs from 'node:fs';

/**
 * Thrown when a file could not be written whole: the disk (or quota) is full. Its message is the
 * one line a user sees, `no space left on <path>`; whatever the write was replacing is left as it
 * was (see writeFileAtomic and JsonlFileSink).
 */
export class DiskFullError extends Error {
  override readonly name = 'DiskFullError';
  constructor(
    readonly path: string,
    /** Bytes written before the disk refused more. */
    readonly written: number,
    /** Bytes that had to be written. */
    readonly expected: number,
  ) {
    super(`no space left on ${path}`);
  }
}

/** Error codes that mean "no room for these bytes". */
const noSpaceCodes = new Set(['ENOSPC', 'EDQUOT', 'EFBIG']);

/** Whether an error from `node:fs` means the disk or quota is full. */
export function isNoSpaceError(error: unknown): boolean {
  return noSpaceCodes.has((error as NodeJS.ErrnoException | null)?.code ?? '');
}

/**
 * Writes every byte of `bytes` to an open file, looping over `writeSync`'s count: on a full disk
 * `writeSync` may write fewer bytes than asked without throwing, and only the next call fails.
 * Throws DiskFullError naming `path` at the first write that cannot go on (a count of 0 or
 * ENOSPC/EDQUOT/EFBIG); other errors are rethrown as they are.
 */
export function writeFullySync(descriptor: number, bytes: Uint8Array, path: string): void {
  let offset = 0;
  while (offset < bytes.length) {
    let written: number;
    try {
      // Through the module object (not a named import) so tests can inject a short-writing fs.
      written = fs.writeSync(descriptor, bytes, offset, bytes.length - offset);
    } catch (error) {
      if (isNoSpaceError(error)) throw new DiskFullError(path, offset, bytes.length);
      throw error;
    }
    if (!(written > 0)) throw new DiskFullError(path, offset, bytes.length);
    offset += written;
  }
}

/** fsync that reports a full disk (delayed allocation can fail only here) as DiskFullError. */
export function fsyncFullySync(descriptor: number, path: string, expected: number): void {
  try {
    fs.fsyncSync(descriptor);
  } catch (error) {
    if (isNoSpaceError(error)) throw new DiskFullError(path, expected, expected);
    throw error;
  }
}
