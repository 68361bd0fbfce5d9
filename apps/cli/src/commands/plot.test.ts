import { existsSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTraining } from '@contour/runs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { oneLine, quickConfig } from '../fault-injection/run-fixtures.js';
import { runInProcess } from '../test-support/run-cli.js';

const scratch = mkdtempSync(join(tmpdir(), 'contour-plot-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A sweep directory without sweep.json: its runs are the folders under trials/. */
const sweep = join(scratch, 'sweep');
const run = join(sweep, 'trials', 'a');
const link = join(scratch, 'link-to-a');
const other = join(scratch, 'other');
beforeAll(async () => {
  await runTraining(quickConfig(1), { directory: run, console: false });
  await runTraining(quickConfig(2), { directory: other, console: false });
  symlinkSync(run, link);
}, 120_000);

describe('registerPlotCommands', () => {
  it.each([
    ['the same directory twice', [run, run], `contour: ${run} is given twice; name each run once`],
    [
      'the same run under another name (a link to it)',
      [run, link],
      `contour: the run ${link} is named twice (by ${run} and by ${link}); name each run once`,
    ],
    [
      'a sweep and one of its runs',
      [sweep, run],
      `contour: the run ${run} is named twice (by ${sweep} and by ${run}); name each run once`,
    ],
  ])('plot refuses %s in one line, exit 2, nothing drawn', async (_name, directories, message) => {
    const overlay = join(scratch, 'overlay.svg');
    const { code, stderr } = await runInProcess(['plot', ...directories, '--out', overlay]);
    expect(oneLine(stderr)).toBe(message);
    expect(code).toBe(2);
    expect(existsSync(overlay)).toBe(false);
  });

  it("report of one run names its chart after the report (report.svg/png), not sweep.svg; a sweep's stays sweep.svg", async () => {
    const single = await runInProcess(['report', other]);
    expect(single.code, single.stderr).toBe(0);
    const files = ['report.svg', 'report.png', 'results.json', 'results.csv', 'report.html'];
    expect(single.stdout).toBe(files.map((file) => `wrote ${join(other, file)}\n`).join(''));
    expect(readdirSync(other).filter((file) => file.startsWith('sweep.'))).toEqual([]);
    const whole = await runInProcess(['report', sweep]);
    expect(whole.code, whole.stderr).toBe(0);
    expect(whole.stdout).toContain(`wrote ${join(sweep, 'sweep.svg')}\n`);
    expect(existsSync(join(sweep, 'report.svg'))).toBe(false);
  });

  it('overlays different runs as before', async () => {
    const overlay = join(scratch, 'different.svg');
    const { code, stdout } = await runInProcess(['plot', sweep, other, '--out', overlay]);
    expect(code).toBe(0);
    expect(stdout).toBe(`wrote ${overlay}\n`);
    expect(existsSync(overlay)).toBe(true);
  });
});
