import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSchedule } from '@contour/schedules';
import { afterAll, describe, expect, it } from 'vitest';
import { runInProcess } from '../test-support/run-cli.js';
import { demoSchedules } from './demo.js';

const scratch = mkdtempSync(join(tmpdir(), 'contour-cli-demo-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('contour demo', () => {
  it('writes the overlaid schedules as SVG and PNG and prints their rates', async () => {
    const { code, stdout } = await runInProcess(['demo', '--out', scratch]);
    expect(code).toBe(0);
    const svg = readFileSync(join(scratch, 'schedules.svg'), 'utf8');
    for (const { label } of demoSchedules) expect(svg).toContain(label.slice(0, 12));
    expect(readFileSync(join(scratch, 'schedules.png')).subarray(1, 4).toString()).toBe('PNG');
    const oneCycle = createSchedule(demoSchedules[2].spec);
    expect(stdout).toContain(`│ ${Number.parseFloat(oneCycle.value(500).toPrecision(4))}`);
  });
});
