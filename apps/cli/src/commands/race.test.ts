import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runInProcess } from '../test-support/run-cli.js';
import { readRacer } from './race.js';

const scratch = mkdtempSync(join(tmpdir(), 'contour-cli-race-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Runs `contour race ...` in this process, as `pnpm contour race ...` would. */
const runRace = (args: string[]) => runInProcess(['race', ...args]);

describe('contour race', () => {
  it('--json prints {"<label>": [[x, y], ...]} with steps + 1 points, the start first', async () => {
    const { code, stdout } = await runRace([
      '--surface',
      'beale',
      '--from',
      '1,1.5',
      '--steps',
      '30',
      '--optimizer',
      '{"type":"sgd","lr":0.01,"label":"plain sgd"}',
      '--optimizer',
      '{"type":"adam","lr":0.05}',
      '--json',
    ]);
    expect(code).toBe(0);
    const trajectories = JSON.parse(stdout) as Record<string, number[][]>;
    expect(Object.keys(trajectories)).toEqual(['plain sgd', 'adam lr=0.05']);
    for (const points of Object.values(trajectories)) {
      expect(points).toHaveLength(31);
      expect(points[0]).toEqual([1, 1.5]);
    }
    // Plain SGD's first step: p − 0.01·∇f(1, 1.5), ∇f(1, 1.5) = (0.703125·2·0.5 + ..., ...) in float32.
    const [x1, y1] = trajectories['plain sgd']![1]!;
    const a = 1.5 - 1 + 1.5;
    const b = 2.25 - 1 + 2.25;
    const c = 2.625 - 1 + 3.375;
    const gradient = [2 * a * 0.5 + 2 * b * 1.25 + 2 * c * 2.375, 2 * a + 4 * b * 1.5 + 6 * c * 2.25];
    expect(x1).toBeCloseTo(1 - 0.01 * gradient[0]!, 5);
    expect(y1).toBeCloseTo(1.5 - 0.01 * gradient[1]!, 5);
  });

  it('--preset classic-race writes the contour map (SVG, PNG), the animated HTML and the JSON', async () => {
    const out = join(scratch, 'classic');
    const { code, stdout, stderr } = await runRace([
      '--surface',
      'himmelblau',
      '--steps',
      '60',
      '--preset',
      'classic-race',
      '--out',
      out,
    ]);
    expect(code).toBe(0);
    expect(stdout).toContain('himmelblau: (x² + y − 11)² + (x + y² − 7)²; 60 steps from (0, 0)');
    for (const label of ['sgd', 'momentum', 'nesterov', 'adagrad', 'adadelta', 'rmsprop', 'adam']) {
      expect(stdout).toContain(label);
    }
    const svg = readFileSync(join(out, 'race-himmelblau.svg'), 'utf8');
    expect(svg).toMatch(/^<svg/);
    expect(svg).toContain('class="mark-line');
    // One line mark per trajectory (7) and per contour line, plus symbols for the minima and start.
    expect(svg.match(/class="mark-line/g)?.length).toBeGreaterThan(7 + 10);
    expect(svg).toContain('class="mark-symbol');
    expect([...readFileSync(join(out, 'race-himmelblau.png')).subarray(0, 4)]).toEqual([
      0x89, 0x50, 0x4e, 0x47,
    ]);
    const html = readFileSync(join(out, 'race-himmelblau.html'), 'utf8');
    expect(html).toContain('<polyline id="path-6"');
    const json = JSON.parse(readFileSync(join(out, 'race-himmelblau.json'), 'utf8')) as Record<
      string,
      unknown[]
    >;
    expect(Object.keys(json)).toHaveLength(7);
    expect(stderr).toContain(`wrote ${join(out, 'race-himmelblau.html')}`);
  });

  it.each([
    [
      ['--surface', 'ackley', '--preset', 'classic-race'],
      '--surface must be one of rosenbrock, beale, booth, himmelblau, saddle, quadratic; got "ackley"',
    ],
    [['--preset', 'modern'], '--preset must be one of classic-race; got "modern"'],
    [['--json'], "race needs --optimizer '<spec>' (repeatable) or --preset classic-race"],
    [['--optimizer', '{type:sgd}'], '--optimizer #1 is not valid JSON'],
    [['--optimizer', '{"type":"sgdd","lr":1}'], 'optimizer spec: "type" must be one of sgd, adagrad'],
    [
      ['--optimizer', '{"type":"sgd","lr":1,"momentum":-1}'],
      'optimizer spec: "momentum" of "sgd" must be a finite number ≥ 0; got -1',
    ],
    [['--preset', 'classic-race', '--from', '1'], '--from must be two finite numbers "x,y"; got "1"'],
    [['--preset', 'classic-race', '--steps', '0'], '--steps must be an integer ≥ 1; got "0"'],
    [
      ['--preset', 'classic-race', '--steps', '100001'],
      'race: "steps" must be an integer in [1, 100000]; got 100001',
    ],
    [
      ['--preset', 'classic-race', '--condition-number', '5'],
      '--condition-number and --rotation apply to --surface quadratic only',
    ],
    [
      ['--surface', 'quadratic', '--preset', 'classic-race', '--condition-number', '0.5'],
      'race: "conditionNumber" must be a finite number ≥ 1; got 0.5',
    ],
  ])('rejects %j with a one-line error and exit code 2', async (args, message) => {
    const out = join(scratch, 'bad');
    const { code, stderr, stdout } = await runRace([...args, '--out', out]);
    expect(code).toBe(2);
    expect(stderr).toContain(message);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stdout).toBe('');
    expect(existsSync(out)).toBe(false);
  });
});

describe('readRacer', () => {
  it('splits an optional label off the spec', () => {
    expect(readRacer('{"type":"adam","label":"fast"}', 0)).toEqual({ label: 'fast', spec: { type: 'adam' } });
    expect(readRacer('{"type":"adam"}', 0)).toEqual({ spec: { type: 'adam' } });
    expect(() => readRacer('[1]', 2)).toThrow(
      '--optimizer #3 must be a JSON object like {"type":"sgd","lr":0.01}',
    );
  });
});
