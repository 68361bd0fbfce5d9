import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { UsageError, userPath } from './usage-error.js';

/** Spec files (and inline specs) larger than this are refused: specs are small JSON objects. */
export const maximumSpecBytes = 1024 * 1024;
/** Deeper JSON is refused before parsing (a 100,000-deep array would overflow the stack). */
export const maximumJsonDepth = 64;
/** Keys that would reach JavaScript's object machinery instead of being data. */
const prototypeKeys = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Reads a spec file the user named: it must be a regular file (not a device such as /dev/zero,
 * a FIFO or a directory) of at most 1 MiB; it is read through one descriptor, so what was checked
 * is what is read. Throws UsageError naming the flag.
 */
export function readSpecFile(flag: string, path: string): string {
  let descriptor: number;
  try {
    descriptor = openSync(userPath(path), 'r');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(
      `${flag} @${path}: ${code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : 'the file cannot be read'}`,
    );
  }
  try {
    const stat = fstatSync(descriptor);
    if (!stat.isFile()) throw new UsageError(`${flag} @${path}: not a regular file`);
    if (stat.size > maximumSpecBytes)
      throw new UsageError(`${flag} @${path}: ${stat.size} bytes; spec files may hold at most 1 MiB`);
    const buffer = Buffer.alloc(maximumSpecBytes + 1);
    let length = 0;
    for (;;) {
      const count = readSync(descriptor, buffer, length, buffer.length - length, null);
      if (count === 0) break;
      length += count;
      if (length > maximumSpecBytes)
        throw new UsageError(`${flag} @${path}: more than 1 MiB; spec files may hold at most 1 MiB`);
    }
    return buffer.subarray(0, length).toString('utf8');
  } finally {
    closeSync(descriptor);
  }
}

/** The deepest nesting of arrays and objects in JSON text (strings skipped), counted without parsing. */
function jsonDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let index = 0; index < text.length; index += 1) {
    const character = text[index];
    if (inString) {
      if (character === '\\') index += 1;
      else if (character === '"') inString = false;
    } else if (character === '"') inString = true;
    else if (character === '[' || character === '{') {
      depth += 1;
      if (depth > deepest) deepest = depth;
    } else if (character === ']' || character === '}') depth -= 1;
  }
  return deepest;
}

/**
 * Parses JSON the user gave: at most 1 MiB, nested at most 64 deep, and no `__proto__`,
 * `constructor` or `prototype` key anywhere. Throws UsageError naming the flag (and the key).
 */
export function parseJsonInput(flag: string, text: string): unknown {
  if (text.length > maximumSpecBytes) throw new UsageError(`${flag}: more than 1 MiB of JSON`);
  if (jsonDepth(text) > maximumJsonDepth)
    throw new UsageError(`${flag}: JSON nested more than ${maximumJsonDepth} levels deep`);
  let reserved: string | undefined;
  let value: unknown;
  try {
    value = JSON.parse(text, (key, item) => {
      if (prototypeKeys.has(key)) reserved ??= key;
      return item;
    });
  } catch (error) {
    throw new UsageError(`${flag} is not valid JSON (${(error as Error).message.split('\n')[0]})`);
  }
  if (reserved !== undefined)
    throw new UsageError(`${flag}: the key "${reserved}" is not allowed (a reserved JavaScript name)`);
  return value;
}

/** A JSON flag value given inline or as `@file.json` (see readSpecFile and parseJsonInput). */
export function readJsonInput(flag: string, text: string): unknown {
  return parseJsonInput(flag, text.startsWith('@') ? readSpecFile(flag, text.slice(1)) : text);
}

/** Like readJsonInput, and the value must be a JSON object; `example` shows one in the error. */
export function readJsonObjectInput(flag: string, text: string, example: string): Record<string, unknown> {
  const value = readJsonInput(flag, text);
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new UsageError(
      `${flag} must be a JSON object like ${example}; got ${JSON.stringify(value)?.slice(0, 40)}`,
    );
  return value as Record<string, unknown>;
}
