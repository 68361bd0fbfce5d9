import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { userPath } from './usage-error.js';

const main = fileURLToPath(new URL('./main.ts', import.meta.url));
// Named by path: the child runs outside the repository, where `--import tsx` would not resolve.
const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const scratch = mkdtempSync(join(tmpdir(), 'contour-user-directory-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('userPath', () => {
  it('resolves against the working directory, not INIT_CWD', () => {
    const before = process.env.INIT_CWD;
    process.env.INIT_CWD = scratch;
    try {
      expect(userPath('runs')).toBe(join(process.cwd(), 'runs'));
    } finally {
      if (before === undefined) delete process.env.INIT_CWD;
      else process.env.INIT_CWD = before;
    }
  });

  it('an installed CLI run by a package script after `cd sub` writes under sub, not under INIT_CWD', () => {
    // What npm does for `"x": "cd sub && contour …"` (or `npm run x -w sub` from the root): the
    // script runs in sub while INIT_CWD is the directory `npm run` was typed in.
    const parent = mkdtempSync(join(scratch, 'parent-'));
    const sub = join(parent, 'sub');
    mkdirSync(sub);
    const result = spawnSync(
      process.execPath,
      [
        '--conditions=@contour/source',
        '--import',
        tsx,
        main,
        'schedule',
        '{"type":"cosine","lr":0.1,"tMax":10}',
        '--steps',
        '10',
        '--plot',
        'runs/plot.svg',
      ],
      { cwd: sub, encoding: 'utf8', env: { ...process.env, INIT_CWD: parent } },
    );
    expect(result.status, result.stderr).toBe(0);
    expect(readFileSync(join(sub, 'runs/plot.svg'), 'utf8')).toMatch(/^<svg/);
    expect(existsSync(join(parent, 'runs'))).toBe(false);
  });
});
