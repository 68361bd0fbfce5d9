import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expandSweep, resolveRunConfig } from '@contour/core';
import type { EpochRecord } from '@contour/metrics-logger';
import { readMetricsFile } from '@contour/metrics-logger/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readJsonFile, runFiles } from './run-directory.js';
import {
  rungLoss,
  runSuccessiveHalvingSweep,
  type SuccessiveHalvingFile,
  type SuccessiveHalvingTrialResult,
  successiveHalvingFileName,
} from './run-successive-halving-sweep.js';
import { runSweep } from './sweep-runner.js';

const scratch = mkdtempSync(join(tmpdir(), 'contour-core-asha-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const epochsOf = (directory: string): EpochRecord[] =>
  readMetricsFile(runFiles(directory).metrics).records.filter(
    (record): record is EpochRecord => record.kind === 'epoch',
  );
/** The numbers of an epoch record (not its wall-clock seconds). */
const numbers = (record: EpochRecord) => ({
  epoch: record.epoch,
  step: record.step,
  learningRate: record.learningRate,
  train: record.train,
  validation: record.validation,
  updateRatios: record.updateRatios,
});

describe('runSuccessiveHalvingSweep', () => {
  const base = resolveRunConfig({
    data: { source: 'mnist', trainLimit: 400, validation: 0.25 },
    training: { epochs: 4, batchSize: 50, optimizer: { type: 'sgd', lr: 0.1 }, seed: 3 },
    backend: 'cpu',
  });
  // 6 rates, η 3, r 1, R 4: rungs at epochs 1 and 3.
  const trials = expandSweep('halving', base, [{ key: 'lr', values: [2, 0.5, 0.2, 0.1, 0.02, 0.005] }]);
  const gridDirectory = join(scratch, 'grid');
  let grid: EpochRecord[][] = [];
  beforeAll(async () => {
    const results = await runSweep(trials, { directory: gridDirectory, workers: 0, onPlan: () => {} });
    grid = results.map((result) => epochsOf(result.directory));
  }, 120_000);

  /** The decisions by hand from the grid's own records: rung 0 keeps ⌊6/3⌋ = 2, rung 1 the best one. */
  const expected = () => {
    const rank = (epoch: number, among: number[]) =>
      [...among].sort(
        (a, b) =>
          rungLoss(grid[a]?.[epoch - 1] as EpochRecord) - rungLoss(grid[b]?.[epoch - 1] as EpochRecord) ||
          a - b,
      );
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
    for (const [trial, result] of results.entries()) {
      // Every epoch it trained equals the grid's (cpu: the same float32 operations).
      expect(epochsOf(result.directory).map(numbers)).toEqual(
        (grid[trial] as EpochRecord[]).slice(0, wanted[trial]).map(numbers),
      );
    }
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
    // The stopped trial's own status says why; its checkpoint stays for a later grid run.
    expect(
      readJsonFile<{ status: string; message: string }>(runFiles(results[loser]?.directory ?? '').status),
    ).toMatchObject({
      status: 'interrupted',
      message: reason,
    });
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
    expect(again[winner]?.reused).toBe(true);
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
    for (const [trial, result] of resumed.entries()) {
      const trained = result.decision.epochs;
      expect(epochsOf(result.directory).map(numbers)).toEqual(
        (grid[trial] as EpochRecord[]).slice(0, trained).map(numbers),
      );
    }
    expect(readJsonFile<SuccessiveHalvingFile>(join(directory, successiveHalvingFileName))?.epochsUsed).toBe(
      11,
    );
  }, 120_000);

  it('refuses trials with different epochs or early stopping', async () => {
    const mixed = expandSweep('mixed', base, [{ key: 'epochs', values: [2, 4] }]);
    await expect(runSuccessiveHalvingSweep(mixed, { directory: join(scratch, 'mixed') })).rejects.toThrow(
      '"trial 1 (epochs=4) epochs" must be the same for every trial with successive halving (2); got 4',
    );
  });
});
