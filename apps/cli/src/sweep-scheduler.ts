import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { defaultMinEpochs, defaultReductionFactor, type SweepTrial } from '@contour/core/config';
import { readJsonFile, type SuccessiveHalvingFile, successiveHalvingFileName } from '@contour/runs/files';
import { UsageError } from './usage-error.js';

/** What `contour sweep --scheduler` accepts. */
export const sweepSchedulers = ['grid', 'asha'] as const;

/** How a sweep spends its epochs: every trial to the end, or asynchronous successive halving. */
export type SweepScheduler =
  | { readonly type: 'grid' }
  | { readonly type: 'asha'; readonly reductionFactor: number; readonly minEpochs: number };

/** The scheduler flags as commander gives them. */
export interface SchedulerFlags {
  readonly scheduler?: string;
  readonly reductionFactor?: string;
  readonly minEpochs?: string;
}

function integerFlag(flag: string, text: string, minimum: number, maximum: number, allowed: string): number {
  const value = Number(text);
  if (!/^\s*\d+\s*$/.test(text) || !Number.isSafeInteger(value) || value < minimum || value > maximum)
    throw new UsageError(`${flag} must be ${allowed}; got "${text}"`);
  return value;
}

/**
 * Reads `--scheduler grid|asha`, `--reduction-factor η` and `--min-epochs r` (asha only) for a
 * sweep of `epochs` epochs; a bad value is a UsageError naming the flag and what it accepts.
 */
export function parseSchedulerFlags(flags: SchedulerFlags, epochs: number): SweepScheduler {
  const name = flags.scheduler ?? 'grid';
  if (!(sweepSchedulers as readonly string[]).includes(name))
    throw new UsageError(`--scheduler must be one of ${sweepSchedulers.join(', ')}; got "${name}"`);
  if (name === 'grid') {
    for (const [flag, value] of [
      ['--reduction-factor', flags.reductionFactor],
      ['--min-epochs', flags.minEpochs],
    ] as const)
      if (value !== undefined) throw new UsageError(`${flag} goes with --scheduler asha`);
    return { type: 'grid' };
  }
  const reductionFactor =
    flags.reductionFactor === undefined
      ? defaultReductionFactor
      : integerFlag('--reduction-factor', flags.reductionFactor, 2, 1000, 'an integer from 2 to 1000');
  const minEpochs =
    flags.minEpochs === undefined
      ? defaultMinEpochs
      : integerFlag('--min-epochs', flags.minEpochs, 1, epochs, `an integer from 1 to --epochs (${epochs})`);
  return { type: 'asha', reductionFactor, minEpochs };
}

/**
 * Refuses, before anything is written, what successive halving cannot schedule: trials of different
 * epochs (`--vary epochs`) and early stopping (its rungs decide where trials stop).
 */
export function checkTrialsForScheduler(scheduler: SweepScheduler, trials: readonly SweepTrial[]): void {
  if (scheduler.type !== 'asha') return;
  const epochs = [...new Set(trials.map((trial) => trial.config.training.epochs))];
  if (epochs.length > 1)
    throw new UsageError(
      `--vary epochs goes with --scheduler grid (asha trains every trial up to the same --epochs); got epochs ${epochs.join(', ')}`,
    );
  if (trials.some((trial) => trial.config.training.earlyStopping))
    throw new UsageError('--early-stopping goes with --scheduler grid (asha decides where trials stop)');
}

/** A sweep directory's `successive-halving.json`, when it ran under ASHA. */
export function readSuccessiveHalving(directory: string): SuccessiveHalvingFile | undefined {
  const path = join(directory, successiveHalvingFileName);
  return existsSync(path) ? readJsonFile<SuccessiveHalvingFile>(path) : undefined;
}

/** One line: the budget used, e.g. `successive halving (η 3, rungs at epochs 1, 3, 9): 14 of 50 epochs (28%)`. */
export function successiveHalvingSummary(file: SuccessiveHalvingFile): string {
  const percent = Math.round((100 * file.epochsUsed) / Math.max(1, file.gridEpochs));
  const rungs = file.rungs.length === 0 ? 'no rungs' : `rungs at epochs ${file.rungs.join(', ')}`;
  return `successive halving (η ${file.reductionFactor}, ${rungs}): ${file.epochsUsed} of the grid's ${file.gridEpochs} epochs (${percent}%)`;
}

/**
 * The report's paragraph on successive halving: the budget it used, and what a later
 * `--scheduler grid` sweep on the same directory did to the trials it had stopped (trained them on
 * from their checkpoints), so a report never presents trained-on runs as where successive halving
 * left them. `trainedEpochs`: the epochs each trial's run holds now, by trial id.
 */
export function successiveHalvingParagraph(
  file: SuccessiveHalvingFile,
  trainedEpochs: ReadonlyMap<string, number>,
): string {
  const summary = successiveHalvingSummary(file);
  const stopped = file.trials.filter((trial) => trial.state === 'stopped' || trial.state === 'unfinished');
  const trainedOn = file.trials.filter((trial) => (trainedEpochs.get(trial.id) ?? 0) > trial.epochs);
  if (trainedOn.length === 0) return `${summary}; each trial's row says where it stopped and why.`;
  const epochsNow = file.trials.reduce(
    (sum, trial) => sum + Math.max(trial.epochs, trainedEpochs.get(trial.id) ?? 0),
    0,
  );
  const which =
    trainedOn.length === stopped.length
      ? `all ${stopped.length} trials it had stopped`
      : `${trainedOn.length} of the ${stopped.length} trials it had stopped`;
  const rest =
    trainedOn.length === stopped.length
      ? 'each row says what its run did'
      : "their rows say what each run did, the others' where successive halving stopped them and why";
  return `${summary}; then a grid sweep trained on ${which} (${epochsNow} epochs in all now): ${rest}.`;
}
