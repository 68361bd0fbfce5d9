import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import {
  parseSchedulerFlags,
  successiveHalvingParagraph,
  successiveHalvingSummary,
} from './sweep-scheduler.js';
import { repositoryRoot, runInProcess } from './test-support/run-cli.js';

const scratch = mkdtempSync(join(tmpdir(), 'contour-cli-asha-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('parseSchedulerFlags', () => {
  it('reads grid (default) and asha with its defaults and values', () => {
    expect(parseSchedulerFlags({}, 10)).toEqual({ type: 'grid' });
    expect(parseSchedulerFlags({ scheduler: 'asha' }, 10)).toEqual({
      type: 'asha',
      reductionFactor: 3,
      minEpochs: 1,
    });
    expect(parseSchedulerFlags({ scheduler: 'asha', reductionFactor: '2', minEpochs: '10' }, 10)).toEqual({
      type: 'asha',
      reductionFactor: 2,
      minEpochs: 10,
    });
  });
  it('names the flag and what it accepts', () => {
    expect(() => parseSchedulerFlags({ scheduler: 'hyperband' }, 10)).toThrow(
      '--scheduler must be one of grid, asha; got "hyperband"',
    );
    expect(() => parseSchedulerFlags({ scheduler: 'asha', reductionFactor: '1' }, 10)).toThrow(
      '--reduction-factor must be an integer from 2 to 1000; got "1"',
    );
    expect(() => parseSchedulerFlags({ scheduler: 'asha', reductionFactor: '2.5' }, 10)).toThrow(
      '--reduction-factor must be an integer from 2 to 1000; got "2.5"',
    );
    expect(() => parseSchedulerFlags({ scheduler: 'asha', minEpochs: '11' }, 10)).toThrow(
      '--min-epochs must be an integer from 1 to --epochs (10); got "11"',
    );
    expect(() => parseSchedulerFlags({ scheduler: 'asha', minEpochs: '0' }, 10)).toThrow(
      '--min-epochs must be an integer from 1 to --epochs (10); got "0"',
    );
    expect(() => parseSchedulerFlags({ minEpochs: '2' }, 10)).toThrow(
      '--min-epochs goes with --scheduler asha',
    );
  });
});

describe('successiveHalvingSummary', () => {
  it('says the budget used against the grid', () => {
    expect(
      successiveHalvingSummary({
        formatVersion: 1,
        reductionFactor: 3,
        minEpochs: 1,
        maxEpochs: 10,
        rungs: [1, 3, 9],
        epochsUsed: 14,
        gridEpochs: 50,
        trials: [],
      }),
    ).toBe("successive halving (η 3, rungs at epochs 1, 3, 9): 14 of the grid's 50 epochs (28%)");
  });
});

describe('successiveHalvingParagraph', () => {
  const decision = (id: string, state: 'finished' | 'stopped', epochs: number) => ({
    id,
    label: id,
    state,
    epochs,
    reason: state === 'finished' ? 'trained all 4 epochs' : `stopped at epoch ${epochs}`,
    rungLosses: [],
  });
  const file = {
    formatVersion: 1 as const,
    reductionFactor: 3,
    minEpochs: 1,
    maxEpochs: 4,
    rungs: [1, 3],
    epochsUsed: 1 + 1 + 3 + 4,
    gridEpochs: 16,
    trials: [
      decision('a', 'stopped', 1),
      decision('b', 'stopped', 1),
      decision('c', 'stopped', 3),
      decision('d', 'finished', 4),
    ],
  };
  const budget = "successive halving (η 3, rungs at epochs 1, 3): 9 of the grid's 16 epochs (56%)";

  it('says where trials stopped while every run is as successive halving left it', () => {
    const asLeft = new Map([
      ['a', 1],
      ['b', 1],
      ['c', 3],
      ['d', 4],
    ]);
    expect(successiveHalvingParagraph(file, asLeft)).toBe(
      `${budget}; each trial's row says where it stopped and why.`,
    );
  });

  it('says that a later grid sweep trained the stopped trials on, and the epochs the runs hold now', () => {
    const grid = new Map([
      ['a', 4],
      ['b', 4],
      ['c', 4],
      ['d', 4],
    ]);
    expect(successiveHalvingParagraph(file, grid)).toBe(
      `${budget}; then a grid sweep trained on all 3 trials it had stopped (16 epochs in all now): each row says what its run did.`,
    );
    // A grid sweep interrupted after it trained one of them on (to epoch 2 of 4).
    const partly = new Map([
      ['a', 2],
      ['b', 1],
      ['c', 3],
      ['d', 4],
    ]);
    expect(successiveHalvingParagraph(file, partly)).toBe(
      `${budget}; then a grid sweep trained on 1 of the 3 trials it had stopped (10 epochs in all now): their rows say what each run did, the others' where successive halving stopped them and why.`,
    );
  });
});

describe('contour sweep --scheduler asha', () => {
  const flags = ['--epochs', '4', '--train-limit', '400', '--batch-size', '50', '--backend', 'cpu'];

  it('stops trials at rungs, says why in the table, results and report, and reuses everything on a re-run', async () => {
    const out = join(scratch, 'asha');
    const args = [
      'sweep',
      '--lr',
      '0.5,0.2,0.1,0.05,0.02,0.005',
      ...flags,
      '--scheduler',
      'asha',
      '--plots',
      'none',
      '--out',
      out,
    ];
    const first = await runInProcess(args);
    expect(first.code, first.stderr).toBe(0);
    // η 3 over 6 trials: 2 leave rung 0 (epoch 1), the best of those 2 leaves rung 1 (epoch 3).
    expect(first.stdout).toContain(
      "successive halving (η 3, rungs at epochs 1, 3): 11 of the grid's 24 epochs (46%)",
    );
    expect(
      first.stdout.match(/stopped at rung 0 \(epoch 1\): val loss [\d.]+ not in the top 1\/3 of 6/g),
    ).toHaveLength(4);
    expect(first.stdout.match(/stopped at rung 1 \(epoch 3\)/g)).toHaveLength(1);
    const rows = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as Array<{
      status: string;
      epochs: number;
      stoppedBecause: string;
    }>;
    expect(rows.map((row) => row.status).sort()).toEqual(['finished', ...Array(5).fill('stopped')]);
    expect(rows.map((row) => row.epochs).sort()).toEqual([1, 1, 1, 1, 3, 4]);
    expect(rows.find((row) => row.status === 'finished')?.stoppedBecause).toBe('trained all 4 epochs');
    const report = readFileSync(join(out, 'report.html'), 'utf8');
    expect(report).toContain('<th>successive halving</th>');
    expect(report).toContain('not in the top 1/3 of 6');
    expect(report).toContain(
      '11 of the grid&#39;s 24 epochs (46%); each trial&#39;s row says where it stopped and why.',
    );
    const again = await runInProcess(args);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).not.toContain('start ');
    expect(again.stderr.match(/already done, reused/g)?.length).toBeGreaterThan(0);

    // --scheduler grid on the same directory trains the stopped trials on from their checkpoints:
    // every row then says what its run did, and no longer where successive halving stopped it.
    const grid = await runInProcess(args.map((arg) => (arg === 'asha' ? 'grid' : arg)));
    expect(grid.code, grid.stderr).toBe(0);
    const grown = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as typeof rows;
    expect(grown.map((row) => [row.status, row.epochs])).toEqual(rows.map(() => ['finished', 4]));
    expect(grown.filter((row) => row.stoppedBecause !== undefined).map((row) => row.stoppedBecause)).toEqual([
      'trained all 4 epochs',
    ]);
    const gridReport = readFileSync(join(out, 'report.html'), 'utf8');
    expect(gridReport).not.toContain('not in the top 1/3');
    // The budget paragraph says what successive halving used and that the grid sweep then trained
    // its 5 stopped trials to the end: 6 trials × 4 epochs in the directory now.
    expect(gridReport).toContain(
      '<p>successive halving (η 3, rungs at epochs 1, 3): 11 of the grid&#39;s 24 epochs (46%); then a grid sweep trained on all 5 trials it had stopped (24 epochs in all now): each row says what its run did.</p>',
    );
    expect(gridReport).not.toContain('says where it stopped and why');
  }, 180_000);

  it('Ctrl-C mid-ASHA exits 130; the same command again finishes with the uninterrupted decisions and numbers', async () => {
    // Longer epochs than the other tests' (the last --train-limit wins), so Ctrl-C lands mid-sweep.
    const common = ['sweep', '--lr', '0.5,0.2,0.1,0.05,0.02,0.005', ...flags, '--train-limit', '1600'];
    const asha = ['--scheduler', 'asha', '--plots', 'none'];
    const whole = join(scratch, 'asha-whole');
    const wholeRun = await runInProcess([...common, ...asha, '--out', whole]);
    expect(wholeRun.code, wholeRun.stderr).toBe(0);
    const interrupted = join(scratch, 'asha-interrupted');
    const args = [...common, ...asha, '--out', interrupted];
    const main = fileURLToPath(new URL('./main.ts', import.meta.url));
    const child = spawn(
      process.execPath,
      ['--conditions=@contour/source', '--import', 'tsx', main, ...args],
      {
        cwd: repositoryRoot,
        env: { ...process.env, INIT_CWD: repositoryRoot },
      },
    );
    let stderr = '';
    const exitCode = await new Promise<number | null>((resolve) => {
      child.stderr.on('data', (chunk) => {
        stderr += String(chunk);
        // Between rungs: a promoted trial has trained epoch 2 (rungs at 1 and 3).
        if (/ epoch 2: /.test(stderr) && !child.killed) child.kill('SIGINT');
      });
      child.on('exit', (code) => resolve(code));
    });
    expect(exitCode, stderr).toBe(130);
    // Stopped for real: some trial's decision was still open.
    const cut = JSON.parse(readFileSync(join(interrupted, 'successive-halving.json'), 'utf8')) as {
      trials: Array<{ state: string }>;
    };
    expect(cut.trials.some((trial) => trial.state === 'unfinished')).toBe(true);
    const again = await runInProcess(args);
    expect(again.code, again.stderr).toBe(0);
    const rows = (directory: string) =>
      (
        JSON.parse(readFileSync(join(directory, 'results.json'), 'utf8')) as Array<Record<string, unknown>>
      ).map(({ run, status, epochs, finalValidationCrossEntropy, stoppedBecause }) => ({
        run,
        status,
        epochs,
        finalValidationCrossEntropy,
        stoppedBecause,
      }));
    expect(rows(interrupted)).toEqual(rows(whole));
  }, 180_000);

  it('refuses bad scheduler flags with exit 2, writing nothing', async () => {
    for (const [extra, message] of [
      [['--scheduler', 'fifo'], 'contour: --scheduler must be one of grid, asha; got "fifo"'],
      [
        ['--scheduler', 'asha', '--reduction-factor', '1'],
        'contour: --reduction-factor must be an integer from 2 to 1000; got "1"',
      ],
      [
        ['--scheduler', 'asha', '--min-epochs', '5'],
        'contour: --min-epochs must be an integer from 1 to --epochs (4); got "5"',
      ],
      [['--reduction-factor', '2'], 'contour: --reduction-factor goes with --scheduler asha'],
      [
        ['--scheduler', 'asha', '--workers', '2'],
        'contour: --workers goes with --scheduler grid (asha trains its trials in this process)',
      ],
      [
        ['--scheduler', 'asha', '--vary', 'epochs=2,4'],
        'contour: --vary epochs goes with --scheduler grid (asha trains every trial up to the same --epochs); got epochs 2, 4',
      ],
      [
        ['--scheduler', 'asha', '--early-stopping', '2'],
        'contour: --early-stopping goes with --scheduler grid (asha decides where trials stop)',
      ],
    ] as const) {
      const out = join(scratch, 'bad');
      const result = await runInProcess(['sweep', '--lr', '0.1,0.2', ...flags, ...extra, '--out', out]);
      expect(result.code).toBe(2);
      expect(result.stderr.trim()).toBe(message);
      expect(existsSync(out)).toBe(false);
    }
  }, 60_000);

  it('refuses bad scheduler and plot flags before --lr auto:N runs its range tests', async () => {
    for (const [extra, message] of [
      [['--scheduler', 'fifo'], 'contour: --scheduler must be one of grid, asha; got "fifo"'],
      [
        ['--scheduler', 'asha', '--min-epochs', '5'],
        'contour: --min-epochs must be an integer from 1 to --epochs (4); got "5"',
      ],
      [
        ['--scheduler', 'asha', '--workers', '2'],
        'contour: --workers goes with --scheduler grid (asha trains its trials in this process)',
      ],
      [['--plots', 'all'], 'contour: --plots must be one of per-run, sweep, none; got "all"'],
    ] as const) {
      const out = join(scratch, 'bad-auto');
      const result = await runInProcess(['sweep', '--lr', 'auto:3', ...flags, ...extra, '--out', out]);
      expect(result.code).toBe(2);
      expect(result.stderr.trim()).toBe(message);
      expect(result.stdout).not.toContain('lr auto');
      expect(existsSync(out)).toBe(false);
    }
  }, 120_000);
});
