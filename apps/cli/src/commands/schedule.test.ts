import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repositoryRoot, runAsProcess, runInProcess } from '../test-support/run-cli.js';

const scratch = mkdtempSync(join(tmpdir(), 'contour-cli-schedule-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const plugin = join(repositoryRoot, 'examples/schedule-plugin/src/index.ts');

describe('contour schedule', () => {
  it('--json prints only the N rates in effect during t = 0..N−1', async () => {
    const { code, stdout } = await runInProcess([
      'schedule',
      '{"type":"multiStep","lr":1,"milestones":[2,4],"gamma":0.5}',
      '--steps',
      '6',
      '--json',
    ]);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual([1, 1, 0.5, 0.5, 0.25, 0.25]);
  });
  it('prints a table with the normalised spec and cycled momentum', async () => {
    const { code, stdout } = await runInProcess([
      'schedule',
      '{"type":"cyclic","baseLr":0.1,"maxLr":0.5,"stepSizeUp":2}',
      '--steps',
      '3',
    ]);
    expect(code).toBe(0);
    expect(stdout).toContain('"stepSizeUp":2');
    expect(stdout).toMatch(/│ 1 +│ 0\.3 +│ 0\.85 +│/);
  });
  it('--metrics feeds a stateful schedule after each step (output[t] is the rate before metric t)', async () => {
    const { stdout } = await runInProcess([
      'schedule',
      '{"type":"reduceOnPlateau","lr":1,"patience":1,"factor":0.5}',
      '--steps',
      '6',
      '--metrics',
      '3,2,2,2,2,2',
      '--json',
    ]);
    expect(JSON.parse(stdout)).toEqual([1, 1, 1, 1, 0.5, 0.5]);
  });
  it('reads a spec from @file', async () => {
    const file = join(scratch, 'spec.json');
    writeFileSync(file, JSON.stringify({ type: 'exponential', lr: 1, gamma: 0.5 }));
    const { stdout } = await runInProcess(['schedule', `@${file}`, '--steps', '3', '--json']);
    expect(JSON.parse(stdout)).toEqual([1, 0.5, 0.25]);
  });
  it('--plot writes an SVG and a PNG drawn by Vega-Lite', async () => {
    const svg = join(scratch, 'plot.svg');
    const png = join(scratch, 'plot.png');
    const { code } = await runInProcess([
      'schedule',
      '{"type":"cosine","lr":0.1,"tMax":50}',
      '--steps',
      '100',
      '--plot',
      svg,
      '--plot',
      png,
      '--log',
    ]);
    expect(code).toBe(0);
    const text = readFileSync(svg, 'utf8');
    expect(text).toMatch(/^<svg/);
    expect(text).toContain('learning rate');
    expect(text).toContain('class="mark-line');
    expect([...readFileSync(png).subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  });
  it('--plugin registers the example plugin and its types work in specs', async () => {
    const { code, stdout } = await runInProcess([
      'schedule',
      '{"type":"acme:inverseSqrt","lr":1,"warmupSteps":4}',
      '--steps',
      '4',
      '--json',
      '--plugin',
      plugin,
    ]);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual([0.25, 0.5, 0.75, 1]);
  });
  it('--list shows every type with parameters and defaults, plugin types included', async () => {
    const { stdout } = await runInProcess(['schedule', '--list', '--plugin', plugin]);
    expect(stdout).toContain('oneCycle [PyTorch OneCycleLR');
    expect(stdout).toMatch(/pctStart \(default 0\.3\): a finite number ≥ 0 and ≤ 1/);
    expect(stdout).toContain('acme:warmSine (plugin acme@1.0.0)');
  });
  it.each([
    [
      ['schedule', '{"type":"step","lr":0.1}'],
      'contour: schedule spec: "stepSize" of "step" must be an integer > 0; it is missing',
    ],
    [['schedule', '{"type":"stp"}'], 'contour: schedule spec: "type" must be one of constant, step,'],
    [['schedule', '{type:step}'], 'contour: spec is not valid JSON'],
    [
      ['schedule', '{"type":"constant","lr":1}', '--steps', '0'],
      'contour: --steps must be an integer ≥ 1; got "0"',
    ],
    [
      ['schedule', '{"type":"constant","lr":1}', '--metrics', '1,x'],
      'contour: --metrics must be comma-separated decimal numbers; item 2 is "x"',
    ],
    [
      ['schedule', '{"type":"constant","lr":1}', '--metrics', '1'],
      'contour: --metrics needs a stateful schedule',
    ],
    [
      ['schedule', '{"type":"constant","lr":1}', '--plot', 'a.pdf'],
      'contour: --plot a.pdf: the file name must end in .svg or .png',
    ],
    [
      ['schedule', '{"type":"constant","lr":1}', '--plugin', './no-such-plugin.js'],
      'contour: --plugin ./no-such-plugin.js: module not found',
    ],
    [['schedule', '@/no/such/spec.json'], 'contour: spec @/no/such/spec.json: no such file'],
    [['schedule'], 'contour: schedule needs a spec argument'],
  ])('bad input %j exits 2 with one line on stderr', async (args, message) => {
    const { code, stderr, stdout } = await runInProcess(args);
    expect(code).toBe(2);
    expect(stderr.startsWith(message)).toBe(true);
    expect(stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(stdout).toBe('');
  });
  it('as a real process: exit code 2, one stderr line, no stack trace, and no plot written on bad input', () => {
    const target = join(scratch, 'never.svg');
    const result = runAsProcess(['schedule', '{"type":"step","lr":-1,"stepSize":2}', '--plot', target]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      'contour: schedule spec: "lr" of "step" must be a finite number ≥ 0; got -1\n',
    );
    expect(() => readFileSync(target)).toThrow();
    const unknown = runAsProcess(['schedule', '--no-such-flag']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown option '--no-such-flag'");
  });
});
