import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { writeResultsFile } from '../../../bench/results-file.js';

const repository = fileURLToPath(new URL('../../../', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'contour-bench-results-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('writeResultsFile', () => {
  it("writes JSON the repository's Biome leaves unchanged, so `pnpm lint` passes right after a bench", () => {
    // The shape bench/whole-process.ts writes: arrays of numbers Biome puts on one line.
    const results = {
      date: '2026-12-01T23:00:00.000Z',
      repetitions: 3,
      rows: [{ command: 'pnpm demo', medianSeconds: 17.93, accuracies: [84.3, 89.2, 91, 90.7, 86.8] }],
      demoPhases: { 'first line': 1.1, training: 9.46 },
    };
    const path = join(scratch, 'whole-process.json');
    writeResultsFile(path, results);
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual(results);
    // Biome refuses files outside the repository, so the written text is checked through its stdin.
    const check = spawnSync(
      join(repository, 'node_modules', '.bin', 'biome'),
      ['format', '--stdin-file-path=whole-process.json'],
      { cwd: repository, input: readFileSync(path, 'utf8'), encoding: 'utf8' },
    );
    expect(check.status, check.stderr).toBe(0);
    expect(check.stdout).toBe(readFileSync(path, 'utf8'));
  });
});
