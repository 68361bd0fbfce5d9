import { randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
} from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import {
  DiskFullError,
  fsyncFullySync,
  isNoSpaceError,
  makeDirectory,
  writeFullySync,
} from '@contour/metrics-logger/node';
import { markRunFailed } from '@contour/runs';

/** One file of a run directory, carried in a job's return value from a worker to the coordinator. */
export interface RunDirectoryFile {
  /** Relative path with `/` separators, e.g. `metrics.jsonl` or `model/model.json`. */
  readonly path: string;
  /** `utf8` for JSON, JSONL and other text; `base64` for everything else (weights). */
  readonly encoding: 'utf8' | 'base64';
  readonly content: string;
}

const textExtensions = ['.json', '.jsonl', '.txt', '.csv', '.html', '.svg'];

/** Temporary files (`.name.pid.time.tmp`) and staging directories start with a dot: never shipped. */
function isHidden(name: string): boolean {
  return name.startsWith('.');
}

/**
 * Every file of a run directory (recursively, hidden temporary files left out), in a stable
 * order, ready to be sent as JSON.
 */
export function readRunDirectoryFiles(directory: string): RunDirectoryFile[] {
  const files: RunDirectoryFile[] = [];
  const walk = (relative: string) => {
    const absolute = join(directory, relative);
    const entries = readdirSync(absolute, { withFileTypes: true }).sort((a, b) =>
      a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
    );
    for (const entry of entries) {
      if (isHidden(entry.name)) continue;
      const path = relative === '' ? entry.name : `${relative}/${entry.name}`;
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile()) {
        const text = textExtensions.some((extension) => entry.name.endsWith(extension));
        const bytes = readFileSync(join(directory, path));
        files.push({
          path,
          encoding: text ? 'utf8' : 'base64',
          content: bytes.toString(text ? 'utf8' : 'base64'),
        });
      }
    }
  };
  walk('');
  return files;
}

/** Thrown when a shipped file's path would leave the run directory. */
export class RunDirectoryFileError extends Error {
  override readonly name = 'RunDirectoryFileError';
}

function checkedPath(path: string): string[] {
  const parts = path.split('/');
  if (
    path === '' ||
    path.includes('\\') ||
    path.includes('\0') ||
    parts.some((part) => part === '' || part === '.' || part === '..' || isHidden(part))
  ) {
    throw new RunDirectoryFileError(`run directory file path must be relative and plain; got "${path}"`);
  }
  return parts;
}

function fsyncDirectory(directory: string): void {
  const descriptor = openSync(directory, 'r');
  try {
    fsyncSync(descriptor);
  } finally {
    closeSync(descriptor);
  }
}

/** Where {@link writeRunDirectory} stages a directory beside `target`, and the name it moves the old one to. */
function stagingPaths(target: string): { parent: string; staging: string; replaced: string } {
  const parent = dirname(target);
  const token = `${process.pid}-${randomBytes(4).toString('hex')}`;
  return {
    parent,
    staging: join(parent, `.${basename(target)}.incoming-${token}`),
    replaced: join(parent, `.${basename(target)}.replaced-${token}`),
  };
}

/** Creates the staging directory and every subdirectory the files need; returns them all. */
function makeStagingDirectories(staging: string, files: readonly RunDirectoryFile[]): Set<string> {
  mkdirSync(staging);
  const directories = new Set<string>([staging]);
  for (const file of files) directories.add(dirname(join(staging, ...checkedPath(file.path))));
  for (const directory of directories) mkdirSync(directory, { recursive: true });
  return directories;
}

/** Puts the complete, fsynced staging directory in `target`'s place (rename) and fsyncs the parent. */
function replaceWithStaging(target: string, paths: ReturnType<typeof stagingPaths>): void {
  let replaced: string | undefined;
  if (existsSync(target)) {
    replaced = paths.replaced;
    renameSync(target, replaced);
  }
  renameSync(paths.staging, target);
  fsyncDirectory(paths.parent);
  if (replaced) rmSync(replaced, { recursive: true, force: true });
}

/**
 * Writes a whole run directory at once: every file is written and fsynced into a hidden staging
 * directory beside `target`, which then replaces `target` by rename. A crash leaves either the
 * previous directory (or none) or the complete new one, never a half-written one.
 *
 * @throws RunDirectoryFileError when a file's path is not a plain relative path.
 */
export function writeRunDirectory(target: string, files: readonly RunDirectoryFile[]): void {
  for (const file of files) checkedPath(file.path);
  const paths = stagingPaths(target);
  makeDirectory(paths.parent);
  try {
    const directories = makeStagingDirectories(paths.staging, files);
    for (const file of files) {
      const path = join(paths.staging, ...checkedPath(file.path));
      const descriptor = openSync(path, 'w');
      try {
        const bytes = Buffer.from(file.content, file.encoding);
        writeFullySync(descriptor, bytes, join(target, file.path));
        fsyncFullySync(descriptor, join(target, file.path), bytes.length);
      } finally {
        closeSync(descriptor);
      }
    }
    for (const directory of directories) fsyncDirectory(directory);
    replaceWithStaging(target, paths);
  } catch (error) {
    rmSync(paths.staging, { recursive: true, force: true });
    throw error;
  }
}

/** Writes every byte and fsyncs, reporting a full disk as DiskFullError naming `path`. */
async function writeAndSync(handle: FileHandle, bytes: Buffer, path: string): Promise<void> {
  let offset = 0;
  try {
    while (offset < bytes.length) {
      const { bytesWritten } = await handle.write(bytes, offset, bytes.length - offset);
      if (!(bytesWritten > 0)) throw new DiskFullError(path, offset, bytes.length);
      offset += bytesWritten;
    }
    await handle.sync();
  } catch (error) {
    if (isNoSpaceError(error)) throw new DiskFullError(path, offset, bytes.length);
    throw error;
  }
}

async function syncDirectory(directory: string): Promise<void> {
  const handle = await open(directory, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * {@link writeRunDirectory} without blocking the event loop, with the same guarantees: the files
 * are written and fsynced concurrently (on libuv's thread pool, where the file system can commit
 * their fsyncs together) instead of one after another, then the staging directories are fsynced,
 * and only then does the staging directory replace `target` (rename, parent fsynced). Used by the
 * coordinator, which stores many trials' directories while it goes on reading Redis.
 *
 * @throws RunDirectoryFileError when a file's path is not a plain relative path.
 */
export async function writeRunDirectoryConcurrently(
  target: string,
  files: readonly RunDirectoryFile[],
): Promise<void> {
  for (const file of files) checkedPath(file.path);
  const paths = stagingPaths(target);
  makeDirectory(paths.parent);
  try {
    const directories = makeStagingDirectories(paths.staging, files);
    const writes = files.map(async (file) => {
      const handle = await open(join(paths.staging, ...checkedPath(file.path)), 'w');
      try {
        await writeAndSync(handle, Buffer.from(file.content, file.encoding), join(target, file.path));
      } finally {
        await handle.close();
      }
    });
    // Every write settles before the staging directory may be removed on a failure.
    const outcomes = await Promise.allSettled(writes);
    const failed = outcomes.find((outcome) => outcome.status === 'rejected');
    if (failed) throw failed.reason;
    await Promise.all([...directories].map(syncDirectory));
    replaceWithStaging(target, paths);
  } catch (error) {
    rmSync(paths.staging, { recursive: true, force: true });
    throw error;
  }
}

/**
 * Removes staging leftovers (`.<id>.incoming-*`, `.<id>.replaced-*`) that a coordinator killed
 * in the middle of {@link writeRunDirectory} can leave in a sweep's `trials/` directory.
 */
export function removeStagingLeftovers(trialsDirectory: string): void {
  if (!existsSync(trialsDirectory)) return;
  for (const name of readdirSync(trialsDirectory)) {
    if (/^\..+\.(incoming|replaced)-\d+-[0-9a-f]+$/.test(name)) {
      rmSync(join(trialsDirectory, name), { recursive: true, force: true });
    }
  }
}

/**
 * Records a job that failed for good (its training threw, or its attempts ran out) in its trial's
 * run directory with runs' `markRunFailed`: `status.json` says `failed` with the first line of
 * BullMQ's `failedReason`, keeping the epoch the run had reached; on a full disk it is removed
 * instead (never left saying `running`) and nothing throws. Returns that line, the error of the
 * trial's row.
 */
export function recordFailedJob(directory: string, job: { readonly failedReason?: string }): string {
  const reason = (job.failedReason ?? 'failed').split('\n')[0] || 'failed';
  markRunFailed(directory, reason);
  return reason;
}
