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
import { basename, dirname, join } from 'node:path';
import { fsyncFullySync, writeFullySync } from '@contour/metrics-logger/node';

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

/**
 * Writes a whole run directory at once: every file is written and fsynced into a hidden staging
 * directory beside `target`, which then replaces `target` by rename. A crash leaves either the
 * previous directory (or none) or the complete new one, never a half-written one.
 *
 * @throws RunDirectoryFileError when a file's path is not a plain relative path.
 */
export function writeRunDirectory(target: string, files: readonly RunDirectoryFile[]): void {
  for (const file of files) checkedPath(file.path);
  const parent = dirname(target);
  mkdirSync(parent, { recursive: true });
  const token = `${process.pid}-${randomBytes(4).toString('hex')}`;
  const staging = join(parent, `.${basename(target)}.incoming-${token}`);
  try {
    mkdirSync(staging);
    const directories = new Set<string>([staging]);
    for (const file of files) {
      const path = join(staging, ...checkedPath(file.path));
      mkdirSync(dirname(path), { recursive: true });
      directories.add(dirname(path));
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
    let replaced: string | undefined;
    if (existsSync(target)) {
      replaced = join(parent, `.${basename(target)}.replaced-${token}`);
      renameSync(target, replaced);
    }
    renameSync(staging, target);
    fsyncDirectory(parent);
    if (replaced) rmSync(replaced, { recursive: true, force: true });
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
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
