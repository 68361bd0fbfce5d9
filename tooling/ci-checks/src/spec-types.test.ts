import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), '..', 'type-fixtures');
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');

/**
 * tsc's diagnostics for one fixture file (the fixtures compile as one program with strict options).
 * Throws unless tsc ran and the file was part of its program, so an empty list means it compiled.
 */
function diagnostics(file: string): Array<{ line: number; text: string }> {
  const result = spawnSync(
    process.execPath,
    [
      tsc,
      '--project',
      join(fixtures, 'tsconfig.json'),
      '--pretty',
      'false',
      '--noErrorTruncation',
      '--listFiles',
    ],
    { encoding: 'utf8' },
  );
  if (!result.stdout.split('\n').some((line) => line.endsWith(`type-fixtures/${file}`))) {
    throw new Error(`tsc did not compile ${file}: ${result.stdout.slice(0, 2000)}${result.stderr}`);
  }
  const found: Array<{ line: number; text: string }> = [];
  let current: { line: number; text: string } | undefined;
  for (const output of result.stdout.split('\n')) {
    const match = /^(.+?)\((\d+),\d+\): error (TS\d+: .*)$/.exec(output);
    if (match) {
      current = match[1]?.endsWith(file) ? { line: Number(match[2]), text: match[3] as string } : undefined;
      if (current) found.push(current);
    } else if (current && output.startsWith(' ')) {
      current.text += `\n${output.trim()}`;
    }
  }
  return found;
}

describe('spec types', () => {
  it('compile what users write: built-in and declared plugin schedules, optimizer specs, races, scalar losses', () => {
    expect(diagnostics('accepted-specs.ts')).toEqual([]);
  }, 120_000);

  it('reject a misspelt schedule type or field, a string rate, a misspelt optimizer type or field, and a misspelt surface', () => {
    const lines = readFileSync(join(fixtures, 'rejected-specs.ts'), 'utf8').split('\n');
    const expected = lines.flatMap((line, index) => {
      const match = /\/\/ rejected: (.*)$/.exec(line);
      return match ? [{ line: index + 1, contains: match[1] as string }] : [];
    });
    expect(expected.length).toBe(10);
    const found = diagnostics('rejected-specs.ts');
    expect(found.map((diagnostic) => diagnostic.line)).toEqual(expected.map((entry) => entry.line));
    for (const [index, entry] of expected.entries()) {
      expect(found[index]?.text, `line ${entry.line}`).toContain(entry.contains);
    }
  }, 120_000);
});
