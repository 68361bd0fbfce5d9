import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expandSweep } from '@contour/core';
import { type EpochRecord, summarizeRun } from '@contour/metrics-logger';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunResultFile, readJsonFile, readRunRecords, runFiles } from './run-directory.js';
import {
  rungLoss,
  runSuccessiveHalvingSweep,
  type SuccessiveHalvingFile,
  type SuccessiveHalvingTrialResult,
  successiveHalvingFileName,
} from './run-successive-halving-sweep.js';
import { runSweep } from './sweep-runner.js';
import {
  gridEpochs,
  rankByGrid,
  successiveHalvingBase,
  successiveHalvingTrials,
  trainedBesideGrid,
} from './test-support/successive-halving-trials.js';

const scratch = mkdtempSync(join(tmpdir(), 'contour-core-asha-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('runSuccessiveHalvingSweep', () => {
  // 6 rates, η 3, r 1, R 4: rungs at epochs 1 and 3.
  const trials = successiveHalvingTrials('halving');
  let grid: EpochRecord[][] = [];
  beforeAll(async () => {
    grid = await gridEpochs(trials, scratch);
  }, 120_000);

  /** The decisions by hand from the grid's own records: rung 0 keeps ⌊6/3⌋ = 2, rung 1 the best one. */
  const expected = () => {
    const rank = (epoch: number, among: number[]) => rankByGrid(grid, epoch, among);
    const rung0 = rank(1, [0, 1, 2, 3, 4, 5]);
    const rung1 = rank(3, rung0.slice(0, 2));
    return { rung0, rung1, winner: rung1[0] as number };
  };

  it('stops all but the top 1/η at each rung, with the grid run’s own numbers for those that go on', async () => {
    const directory = join(scratch, 'asha');
    const decisions: string[] = [];
    const results = await runSuccessiveHalvingSweep(trials, {
      directory,
      successiveHalving: { reductionFactor: 3, minEpochs: 1 },
      onPlan: () => {},
      onDecision: (line) => decisions.push(line),
    });
    const { rung0, rung1, winner } = expected();
    const epochsTrained = results.map((result) => result.decision.epochs);
    const wanted = [0, 1, 2, 3, 4, 5].map((trial) => (trial === winner ? 4 : rung1.includes(trial) ? 3 : 1));
    expect(epochsTrained).toEqual(wanted);
    // Every epoch it trained equals the grid's (cpu: the same float32 operations).
    const { trained, grid: fromGrid } = trainedBesideGrid(results, grid);
    expect(trained).toEqual(fromGrid);
    const loser = rung0[2] as number;
    const loss = rungLoss(grid[loser]?.[0] as EpochRecord);
    const reason = `stopped at rung 0 (epoch 1): val loss ${Number(loss.toPrecision(3))} not in the top 1/3 of 6 (rank 3)`;
    expect(results[loser]?.decision).toEqual({
      state: 'stopped',
      epochs: 1,
      rung: 0,
      reason,
      rungLosses: [loss],
    });
    // The stopped trial's own files say `stopped` and why (not `interrupted`, as after Ctrl-C),
    // and agree with each other; its checkpoint stays for a later grid run.
    const loserFiles = runFiles(results[loser]?.directory ?? '');
    expect(results[loser]?.status).toBe('stopped');
    expect(readJsonFile<{ status: string; message: string }>(loserFiles.status)).toMatchObject({
      status: 'stopped',
      epoch: 1,
      message: reason,
    });
    expect(readJsonFile<RunResultFile>(loserFiles.result)?.status).toBe('stopped');
    const loserLog = readRunRecords(loserFiles.directory);
    expect(summarizeRun(loserLog)).toMatchObject({ status: 'stopped', epochs: 1 });
    expect(loserLog.filter((record) => record.kind === 'event' && record.event === 'early-stop')).toEqual([
      expect.objectContaining({ epoch: 1, message: reason }),
    ]);
    expect(existsSync(loserFiles.checkpoint)).toBe(true);
    expect(results[rung1[1] as number]?.decision.reason).toMatch(
      /^stopped at rung 1 \(epoch 3\): val loss [\d.e-]+ not in the best one of 2 \(rank 2\)$/,
    );
    expect(results[winner]?.decision).toMatchObject({ state: 'finished', epochs: 4 });
    expect(results[winner]?.status).toBe('finished');
    const file = readJsonFile<SuccessiveHalvingFile>(join(directory, successiveHalvingFileName));
    expect(file).toMatchObject({
      rungs: [1, 3],
      epochsUsed: 4 * 1 + 3 + 4,
      gridEpochs: 24,
      reductionFactor: 3,
    });
    expect(decisions).toContain(`${trials[winner]?.label}: promoted from rung 1 (epoch 3) to epoch 4`);
    // Run again: everything is on disk, nothing trains, the same decisions.
    const again = await runSuccessiveHalvingSweep(trials, {
      directory,
      successiveHalving: { reductionFactor: 3 },
      onPlan: () => {},
    });
    expect(again.map((result) => result.decision)).toEqual(results.map((result) => result.decision));
    expect(again.map((result) => result.status)).toEqual(results.map((result) => result.status));
    expect(again[winner]?.reused).toBe(true);
    // Marked once: the log still ends with one early-stop event and one `stopped` finish.
    const finishes = readRunRecords(loserFiles.directory).filter((record) => record.kind === 'finish');
    expect(finishes.map((record) => record.status)).toEqual(['interrupted', 'stopped']);

    // A later grid sweep on the same directory trains the stopped trials on from their
    // checkpoints, to the grid's own numbers.
    const grown = await runSweep(trials, { directory, workers: 0, onPlan: () => {} });
    expect(grown.map((result) => result.status)).toEqual(trials.map(() => 'finished'));
    const beside = trainedBesideGrid(
      grown.map((result) => ({ directory: result.directory, decision: { epochs: 4 } })),
      grid,
    );
    expect(beside.trained).toEqual(beside.grid);
    expect(summarizeRun(readRunRecords(loserFiles.directory))).toMatchObject({
      status: 'finished',
      epochs: 4,
    });
  }, 120_000);

  it('interrupted mid-rung and run again, resumes from the checkpoints to the same numbers', async () => {
    const directory = join(scratch, 'asha-interrupted');
    const controller = new AbortController();
    const { rung1, winner } = expected();
    const first = await runSuccessiveHalvingSweep(trials, {
      directory,
      signal: controller.signal,
      onPlan: () => {},
      // Ctrl-C once a promoted trial finished epoch 2 (between rungs 1 and 3).
      onEpoch: (_trial, record) => record.epoch === 2 && controller.abort(),
    });
    expect(
      first.filter((result) => result.decision.state === 'unfinished').map((result) => result.trial.index),
    ).toEqual([...rung1].sort());
    const resumedLines: string[] = [];
    const resumed: SuccessiveHalvingTrialResult[] = await runSuccessiveHalvingSweep(trials, {
      directory,
      onPlan: () => {},
      onDecision: (line) => resumedLines.push(line),
    });
    expect(resumedLines.filter((line) => line.endsWith('resumes from epoch 2'))).toHaveLength(2);
    expect(resumed[winner]?.decision).toMatchObject({ state: 'finished', epochs: 4 });
    const { trained, grid: fromGrid } = trainedBesideGrid(resumed, grid);
    expect(trained).toEqual(fromGrid);
    expect(readJsonFile<SuccessiveHalvingFile>(join(directory, successiveHalvingFileName))?.epochsUsed).toBe(
      11,
    );
  }, 120_000);

  it('run again, trains anew a trial whose log is damaged instead of failing on it', async () => {
    const directory = join(scratch, 'asha-damaged');
    const options = { directory, successiveHalving: { reductionFactor: 3, minEpochs: 1 }, onPlan: () => {} };
    const first = await runSuccessiveHalvingSweep(trials, options);
    const { winner } = expected();
    const damaged = first[winner]?.directory as string;
    const log = readFileSync(runFiles(damaged).metrics, 'utf8').split('\n');
    log[2] = '{"kind":"epoch", cut';
    writeFileSync(runFiles(damaged).metrics, log.join('\n'));
    const again = await runSuccessiveHalvingSweep(trials, options);
    expect(again.map((result) => result.decision)).toEqual(first.map((result) => result.decision));
    // Trained again to R (an undamaged winner is reused: see the first test).
    expect(again[winner]?.reused).toBe(false);
    expect(summarizeRun(readRunRecords(damaged))).toMatchObject({ status: 'finished', epochs: 4 });
  }, 120_000);

  it('refuses trials with different epochs or early stopping', async () => {
    const mixed = expandSweep('mixed', successiveHalvingBase, [{ key: 'epochs', values: [2, 4] }]);
    await expect(runSuccessiveHalvingSweep(mixed, { directory: join(scratch, 'mixed') })).rejects.toThrow(
      '"trial 1 (epochs=4) epochs" must be the same for every trial with successive halving (2); got 4',
    );
  });
});
