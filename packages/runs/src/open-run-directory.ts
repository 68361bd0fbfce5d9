import { existsSync, rmSync } from 'node:fs';
import { configHash, type RunConfig } from '@contour/core/config';
import { lockDirectory } from './directory-lock.js';
import { runFiles } from './run-directory.js';

/** Thrown when `--out` already holds a run and it is not a resume: nothing is overwritten. */
export class RunDirectoryError extends Error {
  override readonly name = 'RunDirectoryError';
}

/** The id `runTraining` gives a fresh run of `config` when no `runId` is given: `run-<config hash>`. */
export function freshRunId(config: RunConfig): string {
  return `run-${configHash(config)}`;
}

/** A run directory locked for one run by {@link openRunDirectory}. */
export interface OpenedRunDirectory {
  readonly directory: string;
  readonly resume: boolean;
  /**
   * Releases the lock (idempotent). With `failed`, a directory the opening created is removed
   * when no config.json was written into it, so a run that failed before writing anything leaves
   * nothing behind to block a re-run.
   */
  close(failed: boolean): void;
}

/**
 * Opens a run directory for one run, the way `runTraining` starts: with `resume`, checks that it
 * holds a config.json; takes its lock (creating the directory); for a fresh run, refuses a
 * directory that holds a run already. Loads no TensorFlow.js, so a program can open its run
 * directory and print its first line before it loads the engine, then pass the opened directory
 * to `runTraining({ opened })`, which closes it.
 *
 * @throws RunDirectoryError (no run to resume, or a run there already); DirectoryLockedError when
 *   another live process holds the lock; DirectoryNotWritableError.
 */
export function openRunDirectory(
  directory: string,
  options: { readonly resume?: boolean } = {},
): OpenedRunDirectory {
  const resume = options.resume === true;
  const files = runFiles(directory);
  if (resume && !existsSync(files.config))
    throw new RunDirectoryError(`--resume ${directory}: no config.json there (not a run directory)`);
  const created = !existsSync(directory);
  // One writer per run directory: a second train/sweep on it stops here, before reading anything.
  const lock = lockDirectory(directory);
  if (!resume && (existsSync(files.metrics) || existsSync(files.config))) {
    lock.release();
    throw new RunDirectoryError(
      `${directory} already holds a run (config.json/metrics.jsonl); use --resume ${directory} or another --out`,
    );
  }
  return {
    directory,
    resume,
    close: (failed) => {
      if (failed && created && !existsSync(files.config)) {
        lock.release();
        rmSync(directory, { recursive: true, force: true });
      }
      lock.release();
    },
  };
}
