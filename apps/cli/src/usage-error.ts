import { resolve } from 'node:path';

/** Bad input from the user (flag, spec, file): the CLI prints its one-line message and exits 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Directory relative paths are resolved against: where the user ran `pnpm contour` (INIT_CWD). */
export function userDirectory(): string {
  return process.env.INIT_CWD ?? process.cwd();
}

/** Resolves a path the user typed against the directory they ran the command in. */
export function userPath(path: string): string {
  return resolve(userDirectory(), path);
}

/** Parses a positive integer flag or throws a UsageError naming it. */
export function parsePositiveInteger(flag: string, text: string): number {
  const value = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(value) || value < 1) {
    throw new UsageError(`${flag} must be an integer ≥ 1; got "${text}"`);
  }
  return value;
}

/** Parses a comma-separated list of finite numbers or throws a UsageError naming the flag. */
export function parseNumberList(flag: string, text: string): number[] {
  const parts = text.split(',').map((part) => part.trim());
  return parts.map((part, index) => {
    const value = Number(part);
    if (part === '' || Number.isNaN(value)) {
      throw new UsageError(`${flag} must be comma-separated numbers; item ${index + 1} is "${part}"`);
    }
    return value;
  });
}
