// The sweep the successive-halving tests share — this package's local ASHA tests and
// @contour/queue's ASHA-on-the-queue tests — and the grid run whose numbers every trial must equal.
import { join } from 'node:path';
import { expandSweep, resolveRunConfig, type SweepTrial } from '@contour/core';
import type { EpochRecord } from '@contour/metrics-logger';
import { readMetricsFile } from '@contour/metrics-logger/node';
import { runFiles } from '../run-directory.js';
import { rungLoss } from '../run-successive-halving-sweep.js';
import { runSweep } from '../sweep-runner.js';

/** 4 epochs on 400 MNIST digits, cpu, seed 3. */
export const successiveHalvingBase = resolveRunConfig({
  data: { source: 'mnist', trainLimit: 400, validation: 0.25 },
  training: { epochs: 4, batchSize: 50, optimizer: { type: 'sgd', lr: 0.1 }, seed: 3 },
  backend: 'cpu',
});

/** Six learning rates of {@link successiveHalvingBase}: with η 3, r 1 and R 4, rungs at epochs 1 and 3. */
export function successiveHalvingTrials(sweepId: string): SweepTrial[] {
  return expandSweep(sweepId, successiveHalvingBase, [
    { key: 'lr', values: [2, 0.5, 0.2, 0.1, 0.02, 0.005] },
  ]);
}

/** The epoch records of a run directory's metrics.jsonl. */
export function epochsOf(directory: string): EpochRecord[] {
  return readMetricsFile(runFiles(directory).metrics).records.filter(
    (record): record is EpochRecord => record.kind === 'epoch',
  );
}

/** The numbers of an epoch record (not its wall-clock seconds). */
function numbers(record: EpochRecord) {
  return {
    epoch: record.epoch,
    step: record.step,
    learningRate: record.learningRate,
    train: record.train,
    validation: record.validation,
    updateRatios: record.updateRatios,
  };
}

/** Every trial trained to the end, one at a time in this process: each trial's epoch records. */
export async function gridEpochs(trials: readonly SweepTrial[], scratch: string): Promise<EpochRecord[][]> {
  const results = await runSweep(trials, { directory: join(scratch, 'grid'), workers: 0, onPlan: () => {} });
  return results.map((result) => epochsOf(result.directory));
}

/**
 * What each trial of a successive-halving sweep trained (its epochs' numbers) and what the grid
 * trained in as many epochs: equal when every stage, resumed or not, trained as the grid did.
 */
export function trainedBesideGrid(
  results: readonly { readonly directory: string; readonly decision: { readonly epochs: number } }[],
  grid: readonly EpochRecord[][],
): { trained: unknown[][]; grid: unknown[][] } {
  return {
    trained: results.map((result) => epochsOf(result.directory).map(numbers)),
    grid: results.map((result, trial) => (grid[trial] ?? []).slice(0, result.decision.epochs).map(numbers)),
  };
}

/** Trials ranked by the grid's rung loss at `epoch`, best first (ties by index, as the scheduler). */
export function rankByGrid(
  grid: readonly EpochRecord[][],
  epoch: number,
  among: readonly number[],
): number[] {
  return [...among].sort(
    (a, b) =>
      rungLoss(grid[a]?.[epoch - 1] as EpochRecord) - rungLoss(grid[b]?.[epoch - 1] as EpochRecord) || a - b,
  );
}
