import fs from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { makeDirectory, notWritableError } from '@contour/metrics-logger/node';

/** The lock file inside a locked run or sweep directory. */
export const lockFileName = '.contour.lock';

/** Who holds a directory's lock (the content of its lock file). */
export interface LockOwner {
  readonly pid: number;
  readonly hostname: string;
  /** When the owner took the lock (ISO time). */
  readonly startedAt: string;
  /** The owner process's start time in clock ticks since boot (Linux), to recognise a reused pid. */
  readonly processStart?: string;
  /** What the owner is doing, e.g. `contour train --out runs/a`. */
  readonly command: string;
}

/**
 * Another live process writes to this directory. The CLI exits 2 on it; the message names the
 * owner in one line.
 */
export class DirectoryLockedError extends Error {
  override readonly name = 'DirectoryLockedError';
  constructor(
    readonly directory: string,
    readonly owner: LockOwner | undefined,
  ) {
    super(
      owner
        ? `${directory} is in use by another contour process (pid ${owner.pid} on ${owner.hostname}, since ${owner.startedAt}: ${owner.command}); wait for it to end or stop it, or use another directory`
        : `${directory} is in use by another contour process (its lock ${join(directory, lockFileName)} is being written); try again`,
    );
  }
}

/** A held lock; `release` removes the lock file (only if it is still ours). */
export interface DirectoryLock {
  readonly directory: string;
  readonly path: string;
  release(): void;
}

/** A process's start time (field 22 of /proc/<pid>/stat), or undefined off Linux. */
function processStartTime(pid: number): string | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count from the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/** Whether the lock's owner is still running (a pid reused by another process does not count). */
export function lockOwnerAlive(owner: LockOwner): boolean {
  if (owner.hostname !== hostname()) return true; // Cannot tell from here: assume it is.
  try {
    process.kill(owner.pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
  }
  const start = processStartTime(owner.pid);
  return owner.processStart === undefined || start === undefined || start === owner.processStart;
}

function readOwner(path: string): LockOwner | undefined {
  try {
    const value = JSON.parse(fs.readFileSync(path, 'utf8')) as Partial<LockOwner>;
    return Number.isSafeInteger(value.pid) && typeof value.hostname === 'string'
      ? (value as LockOwner)
      : undefined;
  } catch {
    return undefined;
  }
}

/** Who holds a directory's lock, or undefined when it has no lock file (or an unreadable one). */
export function readLockOwner(directory: string): LockOwner | undefined {
  return readOwner(join(directory, lockFileName));
}

function ageMilliseconds(path: string): number {
  try {
    return Date.now() - fs.statSync(path).mtimeMs;
  } catch {
    return 0;
  }
}

/** Creates `path` exclusively with `content`; false when it exists already. */
function createExclusive(path: string, content: string): boolean {
  let descriptor: number;
  try {
    descriptor = fs.openSync(path, 'wx');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw notWritableError(error, dirname(path)) ?? error;
  }
  try {
    fs.writeFileSync(descriptor, content);
    fs.fsyncSync(descriptor);
  } catch (error) {
    fs.closeSync(descriptor);
    fs.rmSync(path, { force: true });
    throw error;
  } finally {
    try {
      fs.closeSync(descriptor);
    } catch {
      // Already closed on the error path.
    }
  }
  return true;
}

/** A lock file unreadable for this long was left by a writer killed while creating it. */
const unreadableLockAgeMilliseconds = 10_000;

/**
 * Takes the exclusive lock of a run or sweep directory (created when missing): an O_EXCL lock
 * file holding the owner's pid, host, start time and command. A lock whose owner is gone (killed
 * with -9, or its pid now belongs to another process) is recovered: stale locks are broken under
 * a short second lock, so two processes recovering at once cannot both win.
 *
 * @throws DirectoryLockedError naming the owner when a live process holds the lock;
 *   DirectoryNotWritableError when the directory cannot be created or written (read-only).
 */
export function lockDirectory(directory: string, command = describeCommand()): DirectoryLock {
  makeDirectory(directory);
  const path = join(directory, lockFileName);
  const start = processStartTime(process.pid);
  const mine: LockOwner = {
    pid: process.pid,
    hostname: hostname(),
    startedAt: new Date().toISOString(),
    ...(start === undefined ? {} : { processStart: start }),
    command,
  };
  const content = `${JSON.stringify(mine)}\n`;
  for (let attempt = 0; attempt < 5; attempt += 1) {
    if (createExclusive(path, content)) {
      return {
        directory,
        path,
        release: () => {
          if (readOwner(path)?.pid === process.pid) fs.rmSync(path, { force: true });
        },
      };
    }
    const owner = readOwner(path);
    const stale = owner ? !lockOwnerAlive(owner) : ageMilliseconds(path) > unreadableLockAgeMilliseconds;
    if (!stale) throw new DirectoryLockedError(directory, owner);
    breakStaleLock(path, owner);
  }
  throw new DirectoryLockedError(directory, readOwner(path));
}

/** Removes a stale lock file, unless another process replaced it meanwhile. */
function breakStaleLock(path: string, stale: LockOwner | undefined): void {
  const breaker = `${path}.break`;
  if (!createExclusive(breaker, `${process.pid}\n`)) {
    // Someone else is breaking it; a breaker left by a killed process expires.
    if (ageMilliseconds(breaker) > unreadableLockAgeMilliseconds) fs.rmSync(breaker, { force: true });
    return;
  }
  try {
    const current = readOwner(path);
    const same =
      current === undefined
        ? stale === undefined
        : stale !== undefined && current.pid === stale.pid && current.startedAt === stale.startedAt;
    if (same) fs.rmSync(path, { force: true });
  } finally {
    fs.rmSync(breaker, { force: true });
  }
}

/** `contour train --out x` style description of this process, for lock messages. */
function describeCommand(): string {
  const script =
    process.argv[1]?.includes('contour') || process.argv[1]?.endsWith('main.ts') ? 'contour' : 'node';
  const text = [script, ...process.argv.slice(2)].join(' ');
  return text.length > 160 ? `${text.slice(0, 157)}...` : text;
}
