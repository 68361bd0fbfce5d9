import fs from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { makeDirectory, notWritableError } from './make-directory.js';
import { DiskFullError, fsyncFullySync, isNoSpaceError, writeFullySync } from './write-fully.js';

/**
 * Writes a file so that a crash or a full disk never leaves it half-written: a temp file beside
 * it, every byte written (the count checked), fsync, then rename over the target; the rename
 * happens only after a complete write, so on failure the previous file stays whole and the temp
 * file is removed. Creates the parent directory when missing.
 *
 * @throws DiskFullError (`no space left on <path>`) when the disk or quota is full;
 *   DirectoryNotWritableError (`cannot write to <directory>: read-only file system`) when the
 *   directory cannot be written.
 */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const directory = dirname(path);
  const bytes = typeof data === 'string' ? Buffer.from(data) : data;
  const temporary = join(directory, `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
  let descriptor: number | undefined;
  try {
    makeDirectory(directory);
    descriptor = fs.openSync(temporary, 'w');
    writeFullySync(descriptor, bytes, path);
    fsyncFullySync(descriptor, path, bytes.length);
    fs.closeSync(descriptor);
    descriptor = undefined;
    fs.renameSync(temporary, path);
  } catch (error) {
    if (descriptor !== undefined) fs.closeSync(descriptor);
    try {
      fs.rmSync(temporary, { force: true });
    } catch {
      // No temp file to remove where the directory itself is missing or not a directory (ENOTDIR).
    }
    if (isNoSpaceError(error)) throw new DiskFullError(path, 0, bytes.length);
    throw notWritableError(error, directory) ?? error;
  }
}

/**
 * Removes the temp files (`.<name>.<pid>.<time>.tmp`) that writeFileAtomic leaves in `directory`
 * when its process is killed between creating and renaming one. Call it only while holding the
 * directory's lock (no other writer can own them).
 */
export function removeAtomicWriteLeftovers(directory: string): void {
  if (!fs.existsSync(directory)) return;
  for (const name of fs.readdirSync(directory)) {
    if (/^\..+\.\d+\.\d+\.tmp$/.test(name)) fs.rmSync(join(directory, name), { force: true });
  }
}
