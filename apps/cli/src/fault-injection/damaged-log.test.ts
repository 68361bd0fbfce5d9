import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runInProcess } from '../test-support/run-cli.js';
import { copyRun, interruptedRun, oneLine, quickFlags, snapshot } from './run-fixtures.js';

const scratch = mkdtempSync(join(tmpdir(), 'contour-fault-log-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A run of 6 epochs that finished (result.json: finished after 6). */
const finished = join(scratch, 'finished');
/** The same run stopped after epoch 3 (checkpoint at 3), for `train --resume`. */
const stopped = join(scratch, 'stopped');
/** A run whose rate makes it diverge. */
const diverged = join(scratch, 'diverged');
beforeAll(async () => {
  expect((await runInProcess(['train', ...quickFlags, '--epochs', '6', '--out', finished])).code).toBe(0);
  await interruptedRun(stopped, 6, { afterEpoch: 3 });
  const { code } = await runInProcess([
    'train',
    ...quickFlags.filter((flag) => flag !== '--lr' && flag !== '0.5'),
    '--lr',
    '1e36',
    '--epochs',
    '4',
    '--out',
    diverged,
  ]);
  expect(code).toBe(0);
}, 180_000);

type Edit = (directory: string) => void;
const logPath = (directory: string) => join(directory, 'metrics.jsonl');
const logLines = (directory: string) => readFileSync(logPath(directory), 'utf8').split('\n').filter(Boolean);
const editLog =
  (change: (lines: string[]) => string[]): Edit =>
  (directory) =>
    writeFileSync(logPath(directory), `${change(logLines(directory)).join('\n')}\n`);
const truncateLog =
  (fraction: number): Edit =>
  (directory) => {
    const bytes = readFileSync(logPath(directory));
    writeFileSync(logPath(directory), bytes.subarray(0, Math.floor(bytes.length * fraction)));
  };
const epochLine = (lines: readonly string[], epoch: number) =>
  lines.findIndex((line) => line.includes('"kind":"epoch"') && line.includes(`"epoch":${epoch},`));
/** Replaces the epoch record of `epoch` through `change` (on its parsed JSON). */
const editEpoch =
  (epoch: number, change: (record: Record<string, Record<string, unknown>>) => void): Edit =>
  (directory) =>
    editLog((lines) => {
      const index = epochLine(lines, epoch);
      const record = JSON.parse(lines[index] as string);
      change(record);
      return lines.map((line, at) => (at === index ? JSON.stringify(record) : line));
    })(directory);
/** Puts `line` in place of the epoch record of `epoch`. */
const replaceEpoch =
  (epoch: number, line: string): Edit =>
  (directory) =>
    editLog((lines) => lines.map((text, at) => (at === epochLine(lines, epoch) ? line : text)))(directory);
const lineOfEpoch = (directory: string, epoch: number) => epochLine(logLines(directory), epoch) + 1;
const editJson =
  (name: string, change: (value: Record<string, unknown>) => void): Edit =>
  (directory) => {
    const path = join(directory, name);
    const value = JSON.parse(readFileSync(path, 'utf8'));
    change(value);
    writeFileSync(path, JSON.stringify(value));
  };

/**
 * Logs that are damaged (a line that is not a valid record: refused naming the file and line) or
 * that disagree with result.json / status.json (refused naming the run directory): `[name, edit,
 * the reason the one-line refusal must contain]`. `LINE(n)` in a reason is the line number of the
 * original epoch n record.
 */
const damages: Array<[string, Edit, string]> = [
  [
    'log truncated to half',
    truncateLog(0.5),
    'but result.json says "finished" after 6; the log is incomplete, edited or from another run',
  ],
  [
    'log truncated to 5%',
    truncateLog(0.05),
    'metrics.jsonl says "running" after 0 epoch(s) but result.json says "finished" after 6',
  ],
  [
    'log truncated to 0 bytes',
    truncateLog(0),
    'metrics.jsonl says "running" after 0 epoch(s) but result.json says "finished" after 6',
  ],
  [
    'epoch line {"epoch":"seven","train":"bad"}',
    replaceEpoch(3, '{"epoch":"seven","train":"bad"}'),
    'metrics.jsonl line LINE(3): "kind" must be one of run-start, step, epoch, event, finish, range-test, auto-learning-rate; got undefined',
  ],
  [
    'epoch line {"kind":"epoch","epoch":"seven","train":"bad"}',
    replaceEpoch(3, '{"kind":"epoch","epoch":"seven","train":"bad"}'),
    'metrics.jsonl line LINE(3): epoch record: "epoch" must be an integer ≥ 0; got "seven"',
  ],
  [
    'epoch line {"kind":"epoch"}',
    replaceEpoch(3, '{"kind":"epoch"}'),
    'metrics.jsonl line LINE(3): epoch record: "epoch" must be an integer ≥ 0; got nothing (the field is missing)',
  ],
  [
    'a duplicated epoch',
    editLog((lines) => {
      const third = epochLine(lines, 3);
      return [...lines.slice(0, third), lines[epochLine(lines, 2)] as string, ...lines.slice(third)];
    }),
    'metrics.jsonl line LINE(3): epoch 2 is recorded twice (also on line LINE(2))',
  ],
  [
    'epochs out of order',
    editLog((lines) => {
      const [second, third] = [epochLine(lines, 2), epochLine(lines, 3)];
      return lines.map((line, at) =>
        at === second ? (lines[third] as string) : at === third ? (lines[second] as string) : line,
      );
    }),
    'metrics.jsonl line LINE(3): epoch 2 comes after epoch 3 (line LINE(2)): epochs must increase',
  ],
  [
    'classificationError: -5',
    editEpoch(4, (record) => Object.assign(record.validation as object, { classificationError: -5 })),
    'metrics.jsonl line LINE(4): epoch record: "validation.classificationError" must be in [0, 1]; got -5',
  ],
  [
    'crossEntropy: 1e308',
    editEpoch(4, (record) => Object.assign(record.train as object, { crossEntropy: 1e308 })),
    'metrics.jsonl line LINE(4): epoch record: "train.crossEntropy" must be at most 3.4028234663852886e+38 in size (the largest float32',
  ],
  [
    'crossEntropy: -0.5',
    editEpoch(5, (record) => Object.assign(record.train as object, { crossEntropy: -0.5 })),
    'metrics.jsonl line LINE(5): epoch record: "train.crossEntropy" must be ≥ 0; got -0.5',
  ],
  [
    'crossEntropy: "0.3" (a string)',
    editEpoch(5, (record) => Object.assign(record.validation as object, { crossEntropy: '0.3' })),
    'metrics.jsonl line LINE(5): epoch record: "validation.crossEntropy" must be a number (or "NaN", "Infinity"); got "0.3"',
  ],
  [
    'learningRate: -1',
    editEpoch(2, (record) => Object.assign(record, { learningRate: -1 })),
    'metrics.jsonl line LINE(2): epoch record: "learningRate" must be a finite number ≥ 0; got -1',
  ],
  [
    'a garbage line',
    editLog((lines) => [...lines.slice(0, 4), '{"kind":"epo', ...lines.slice(4)]),
    'metrics.jsonl line 5: not valid JSON',
  ],
  [
    'a second run-start (two runs in one log)',
    editLog((lines) => [...lines, lines[0] as string]),
    'a second run-start record (the first is on line 1): two runs in one log',
  ],
  [
    'the finish record lost',
    editLog((lines) => lines.filter((line) => !line.includes('"kind":"finish"'))),
    'metrics.jsonl says "running" after 6 epoch(s) but result.json says "finished" after 6',
  ],
  [
    'status.json "running" with a result',
    editJson('status.json', (status) => Object.assign(status, { status: 'running' })),
    'status.json says "running" but result.json says "finished"',
  ],
  [
    'result.json says 9 epochs',
    editJson('result.json', (result) => Object.assign(result.summary as object, { epochs: 9 })),
    'metrics.jsonl says "finished" after 6 epoch(s) but result.json says "finished" after 9',
  ],
  [
    'result.json not JSON',
    (directory) => writeFileSync(join(directory, 'result.json'), '{"runId":'),
    'result.json: not a JSON object; the run directory is damaged',
  ],
  [
    'a killed run (no result) whose log lost its last epochs',
    (directory) => {
      rmSync(join(directory, 'result.json'));
      editJson('status.json', (status) => Object.assign(status, { status: 'running', epoch: 5 }))(directory);
      editLog((lines) => lines.slice(0, epochLine(lines, 3) + 1))(directory);
    },
    'status.json says epoch 5 was saved but metrics.jsonl records epochs up to 3',
  ],
];

/** The reason with `LINE(n)` replaced by the line of epoch n in the undamaged log. */
const expectedReason = (reason: string) =>
  reason.replace(/LINE\((\d+)\)/g, (_, epoch: string) => String(lineOfEpoch(finished, Number(epoch))));

describe('contour plot and contour report on damaged or inconsistent logs', () => {
  it.each(damages)(
    '%s: plot and report refuse in one line, exit 2, nothing written',
    async (name, damage, reason) => {
      const directory = copyRun(finished, join(scratch, `plot-${name.replace(/\W+/g, '-')}`));
      damage(directory);
      const before = snapshot(directory);
      const overlay = join(scratch, `${name.replace(/\W+/g, '-')}.svg`);
      const plot = await runInProcess(['plot', directory, '--out', overlay]);
      expect(plot.code).toBe(2);
      const line = oneLine(plot.stderr);
      expect(line).toContain(expectedReason(reason));
      // The file is named in full (a sweep's trial is then found at once).
      expect(line).toMatch(new RegExp(`^contour: ${directory.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
      const report = await runInProcess(['report', directory]);
      expect(report.code).toBe(2);
      expect(oneLine(report.stderr)).toBe(line);
      expect(snapshot(directory)).toEqual(before);
      expect(snapshot(scratch)[`${name.replace(/\W+/g, '-')}.svg`]).toBeUndefined();
    },
  );

  it('a sweep with damaged trials is reported without them, each named on stderr and in report.html, exit 1', async () => {
    const sweep = join(scratch, 'sweep');
    mkdirSync(join(sweep, 'trials'), { recursive: true });
    copyRun(finished, join(sweep, 'trials', 'a'));
    const damaged = copyRun(finished, join(sweep, 'trials', 'b'));
    editEpoch(4, (record) => Object.assign(record.validation as object, { classificationError: -5 }))(
      damaged,
    );
    const cut = copyRun(finished, join(sweep, 'trials', 'c'));
    replaceEpoch(2, '{"kind":"epoch","epoch":2,')(cut);
    const { code, stdout, stderr } = await runInProcess(['report', sweep]);
    expect(code).toBe(1);
    const reasons = [
      `${join(damaged, 'metrics.jsonl')} line ${lineOfEpoch(finished, 4)}: epoch record: "validation.classificationError" must be in [0, 1]; got -5`,
      `${join(cut, 'metrics.jsonl')} line ${lineOfEpoch(finished, 2)}: not valid JSON`,
    ];
    expect(stderr.trimEnd().split('\n')).toEqual([
      ...reasons.map((reason) => `contour: ${reason}`),
      'contour: the report leaves out 2 unreadable trials; run the sweep again to train them anew',
    ]);
    expect(stdout).toContain(`wrote ${join(sweep, 'report.html')}`);
    const rows = JSON.parse(readFileSync(join(sweep, 'results.json'), 'utf8'));
    expect(rows).toHaveLength(1);
    const html = readFileSync(join(sweep, 'report.html'), 'utf8');
    expect(html).toContain('Incomplete: 2 runs could not be read and are left out.');
    for (const reason of reasons) expect(html).toContain(reason.replaceAll('"', '&#34;'));
  });

  it('accepts the logs runs really leave: finished, diverged, interrupted, resumed, killed mid-run, torn last line', async () => {
    const killed = copyRun(finished, join(scratch, 'killed'));
    rmSync(join(killed, 'result.json'));
    editJson('status.json', (status) => Object.assign(status, { status: 'running', epoch: 3 }))(killed);
    // Killed (-9) while epoch 4's record was written: a torn last line, and its lock left behind
    // with the pid of a process that is gone.
    const gone = spawnSync(process.execPath, ['-e', '']).pid;
    writeFileSync(
      join(killed, '.contour.lock'),
      JSON.stringify({ pid: gone, hostname: hostname(), startedAt: 't', command: 'contour train' }),
    );
    writeFileSync(
      logPath(killed),
      `${logLines(killed)
        .slice(0, epochLine(logLines(killed), 4))
        .join('\n')}\n{"kind":"epoch","epoch":4,"st`,
    );
    const resumed = copyRun(stopped, join(scratch, 'resumed'));
    expect((await runInProcess(['train', '--resume', resumed])).code).toBe(0);
    const interrupted = copyRun(stopped, join(scratch, 'interrupted'));
    for (const directory of [finished, diverged, interrupted, resumed, killed]) {
      const { code, stderr } = await runInProcess(['plot', directory, '--out', join(scratch, 'ok.svg')]);
      expect(code, `${directory}: ${stderr}`).toBe(0);
    }
    const sweep = join(scratch, 'good-sweep');
    for (const [name, directory] of Object.entries({ finished, diverged, interrupted, resumed, killed }))
      copyRun(directory, join(sweep, 'trials', name));
    const report = await runInProcess(['report', sweep]);
    expect(report.code, report.stderr).toBe(0);
    const results = JSON.parse(readFileSync(join(sweep, 'results.json'), 'utf8')) as Array<
      Record<string, unknown>
    >;
    // Trials in directory order: diverged, finished, interrupted, killed, resumed.
    expect(results.map((row) => [row.status, row.epochs])).toEqual([
      ['diverged', expect.any(Number)],
      ['finished', 6],
      ['interrupted', 3],
      // No finish record and its writer gone: not running.
      ['failed', 3],
      ['finished', 6],
    ]);
    expect(results[3]?.statusMessage).toBe(
      `not running: its writer (pid ${gone}, contour train) ended without finishing it`,
    );
    // Every number in results.json is finite or absent (JSON has no Infinity; NaN would be null).
    const text = readFileSync(join(sweep, 'results.json'), 'utf8');
    expect(text).not.toMatch(/Infinity|NaN/);
  });
});

describe('contour train --resume on a log with a bad line', () => {
  const badLines: Array<[string, Edit, string]> = [
    [
      '{"epoch":"seven","train":"bad"}',
      replaceEpoch(2, '{"epoch":"seven","train":"bad"}'),
      '"kind" must be one of',
    ],
    ['{"kind":"epoch"}', replaceEpoch(2, '{"kind":"epoch"}'), 'epoch record: "epoch" must be an integer ≥ 0'],
    [
      'classificationError: -5',
      editEpoch(2, (record) => Object.assign(record.validation as object, { classificationError: -5 })),
      '"validation.classificationError" must be in [0, 1]; got -5',
    ],
    [
      'crossEntropy: 1e308',
      editEpoch(2, (record) => Object.assign(record.train as object, { crossEntropy: 1e308 })),
      '"train.crossEntropy" must be at most 3.4028234663852886e+38',
    ],
    [
      'a duplicated epoch',
      editLog((lines) => [...lines, lines[epochLine(lines, 3)] as string]),
      'epoch 3 is recorded twice',
    ],
    [
      'a garbage line',
      editLog((lines) => [...lines.slice(0, 4), 'garbage', ...lines.slice(4)]),
      'line 5: not valid JSON',
    ],
  ];
  it.each(badLines)(
    '%s: exit 2 like plot and report, naming the file and line, nothing changed',
    async (_name, damage, reason) => {
      const directory = copyRun(stopped, join(scratch, `resume-${_name.replace(/\W+/g, '-')}`));
      damage(directory);
      const before = snapshot(directory);
      const { code, stderr } = await runInProcess(['train', '--resume', directory]);
      expect(code).toBe(2);
      const line = oneLine(stderr);
      expect(line).toMatch(
        new RegExp(`^contour: ${logPath(directory).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: line \\d+: `),
      );
      expect(line).toContain(reason);
      expect(line).toContain(`contour train --resume ${directory} --restart`);
      expect(snapshot(directory)).toEqual(before);
    },
  );
});
