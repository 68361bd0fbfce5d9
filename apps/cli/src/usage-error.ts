import { resolve } from 'node:path';

/** Bad input from the user (flag, spec, file): the CLI prints its one-line message and exits 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/**
 * Directory relative paths are resolved against: the working directory. Not INIT_CWD: npm and pnpm
 * set it to where `npm run` was typed, which is not where a package script runs after its own `cd`
 * or in a workspace package (`npm run x -w pkg`). The repository's `pnpm contour` launcher changes
 * into INIT_CWD itself, since pnpm runs root scripts from the repository root.
 */
export function userDirectory(): string {
  return process.cwd();
}

/** Resolves a path the user typed against the directory they ran the command in. */
export function userPath(path: string): string {
  return resolve(userDirectory(), path);
}

/** A decimal number as people type it: 0.1, -2, 1e-3, .5 (no hex, no blanks, no Infinity). */
const decimalPattern = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** Parses a finite decimal number (not '', ' ', '0x10' or 'Infinity') or throws a UsageError naming the flag. */
export function parseDecimal(flag: string, text: string): number {
  const value = Number(text);
  if (!decimalPattern.test(text.trim()) || !Number.isFinite(value))
    throw new UsageError(`${flag} must be a decimal number; got "${text}"`);
  return value;
}

/** Parses a positive integer flag (decimal digits, at most `maximum`) or throws a UsageError naming it. */
export function parsePositiveInteger(flag: string, text: string, maximum = Number.MAX_SAFE_INTEGER): number {
  const value = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(value) || value < 1) {
    throw new UsageError(`${flag} must be an integer ≥ 1; got "${text}"`);
  }
  if (value > maximum) throw new UsageError(`${flag} must be at most ${maximum}; got ${text}`);
  return value;
}

/** Parses a comma-separated list of decimal numbers or throws a UsageError naming the flag. */
export function parseNumberList(flag: string, text: string): number[] {
  const parts = text.split(',').map((part) => part.trim());
  return parts.map((part, index) => {
    const value = Number(part);
    if (!decimalPattern.test(part) || !Number.isFinite(value)) {
      throw new UsageError(`${flag} must be comma-separated decimal numbers; item ${index + 1} is "${part}"`);
    }
    return value;
  });
}
