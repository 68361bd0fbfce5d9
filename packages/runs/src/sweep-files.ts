import { join } from 'node:path';
import type { SuccessiveHalvingSettings, SweepAxis, SweepTrial } from '@contour/core/config';
import { writeFileAtomic } from '@contour/metrics-logger/node';

/** The run directory of a trial inside a sweep directory. */
export function trialDirectory(sweepDirectory: string, trial: SweepTrial): string {
  return join(sweepDirectory, 'trials', trial.id);
}

/** `sweep.json`: what was swept, so `contour report` and re-runs can rebuild it. */
export interface SweepFile {
  readonly formatVersion: 1;
  readonly sweepId: string;
  readonly axes: readonly SweepAxis[];
  readonly trials: ReadonlyArray<{
    readonly index: number;
    readonly id: string;
    readonly label: string;
    readonly overrides: Readonly<Record<string, unknown>>;
  }>;
}

/** Writes `sweep.json` atomically. */
export function writeSweepFile(
  directory: string,
  sweepId: string,
  axes: readonly SweepAxis[],
  trials: readonly SweepTrial[],
): void {
  const file: SweepFile = {
    formatVersion: 1,
    sweepId,
    axes,
    trials: trials.map(({ index, id, label, overrides }) => ({ index, id, label, overrides })),
  };
  writeFileAtomic(join(directory, 'sweep.json'), `${JSON.stringify(file, null, 2)}\n`);
}

/** Where the scheduler left a trial. */
export interface SuccessiveHalvingDecision {
  /**
   * `finished` (trained to the last epoch), `stopped` (not promoted from `rung`), `diverged`,
   * `failed`, or `unfinished` (the sweep was interrupted before its decision).
   */
  readonly state: 'finished' | 'stopped' | 'diverged' | 'failed' | 'unfinished';
  /** Epochs it trained. */
  readonly epochs: number;
  readonly rung?: number;
  /** One line: why it stopped where it did. */
  readonly reason: string;
  /** Its validation loss at each rung it reached (in rung order). */
  readonly rungLosses: readonly number[];
}

/** `successive-halving.json` in the sweep directory: the settings and every trial's decision. */
export interface SuccessiveHalvingFile extends SuccessiveHalvingSettings {
  readonly formatVersion: 1;
  readonly rungs: readonly number[];
  /** Epochs trained, summed over the trials, and what the full grid trains. */
  readonly epochsUsed: number;
  readonly gridEpochs: number;
  readonly trials: ReadonlyArray<{ readonly id: string; readonly label: string } & SuccessiveHalvingDecision>;
}

/** The file's name in the sweep directory. */
export const successiveHalvingFileName = 'successive-halving.json';
