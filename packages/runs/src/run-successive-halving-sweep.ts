import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { SweepTrial } from '@contour/core';
import {
  CoreSpecError,
  SuccessiveHalving,
  type SuccessiveHalvingJob,
  type SuccessiveHalvingOptions,
} from '@contour/core';
import type { EpochRecord, EventRecord } from '@contour/metrics-logger';
import { readMetricsFile, writeFileAtomic } from '@contour/metrics-logger/node';
import { lockDirectory } from './directory-lock.js';
import {
  markRunStopped,
  type RunResultFile,
  type RunStatusFile,
  readJsonFile,
  removeRun,
  runFiles,
  writeStatus,
} from './run-directory.js';
import { runTraining } from './run-training.js';
import { runVectorisedTrials } from './run-vectorised-sweep.js';
import {
  type SuccessiveHalvingDecision,
  type SuccessiveHalvingFile,
  successiveHalvingFileName,
  trialDirectory,
} from './sweep-files.js';
import { planVectorised, recordsReadable, type SweepRunOptions } from './sweep-runner.js';
import type { SweepTrialResult } from './sweep-trial-result.js';

export {
  type SuccessiveHalvingDecision,
  type SuccessiveHalvingFile,
  successiveHalvingFileName,
} from './sweep-files.js';

/** Options of {@link runSuccessiveHalvingSweep}: a sweep's, plus η and r. */
export interface SuccessiveHalvingSweepOptions extends Omit<SweepRunOptions, 'workers'> {
  /** η and r (R is the trials' `epochs`). */
  readonly successiveHalving?: Omit<SuccessiveHalvingOptions, 'maxEpochs'>;
  /** One line per decision (a trial paused, promoted or stopped). Default: none. */
  readonly onDecision?: (line: string) => void;
}

/** A trial's result with the scheduler's decision. */
export interface SuccessiveHalvingTrialResult extends SweepTrialResult {
  readonly decision: SuccessiveHalvingDecision;
}

/**
 * The loss a rung compares: the validation split's (its objective, else cross entropy), or the
 * training split's when the data has no validation split. NaN when missing.
 */
export function rungLoss(record: EpochRecord): number {
  const split = record.validation ?? record.train;
  return split.loss ?? split.crossEntropy ?? Number.NaN;
}

/** The epoch records of a run directory (empty when there is none). */
function epochRecords(directory: string): EpochRecord[] {
  const path = runFiles(directory).metrics;
  if (!existsSync(path)) return [];
  return readMetricsFile(path).records.filter((record): record is EpochRecord => record.kind === 'epoch');
}

/**
 * Runs a sweep with asynchronous successive halving (see `SuccessiveHalving`): every trial trains
 * to the first rung, the best 1/η of each rung go on, and the others stop there with their reason.
 * Trials that can be stacked train in one vectorised pass from scratch, where the promoted trials
 * simply go on and the others pause at their rung (their checkpoint saved); a trial promoted after
 * it paused, or interrupted between rungs, resumes from its checkpoint in this process — exactly
 * the numbers of an uninterrupted run. Trials that cannot be stacked train one at a time here.
 *
 * The state is rebuilt from the run directories' records, so running it again after Ctrl-C (or
 * with the same directory) continues where it stopped and trains nothing twice. Writes
 * `successive-halving.json` (every trial's decision) at the end. All trials must share `epochs`
 * (R) and not use early stopping (the scheduler decides when trials stop).
 *
 * @throws CoreSpecError for trials with different epochs or early stopping; DirectoryLockedError
 * when another process runs a sweep in the directory.
 */
export async function runSuccessiveHalvingSweep(
  trials: readonly SweepTrial[],
  options: SuccessiveHalvingSweepOptions,
): Promise<SuccessiveHalvingTrialResult[]> {
  if (options.lock !== undefined && resolve(options.lock.directory) !== resolve(options.directory))
    throw new Error(`runSuccessiveHalvingSweep: "lock" is the lock of ${options.lock.directory}`);
  const state = new SuccessiveHalvingSweepState(trials, options.directory, options.successiveHalving);
  const lock = options.lock ?? lockDirectory(options.directory);
  try {
    return await new SuccessiveHalvingRun(state, options).run();
  } finally {
    if (options.lock === undefined) lock.release();
  }
}

/** One run of the sweep: the scheduler, the trials' targets and the training passes. */
class SuccessiveHalvingRun {
  /** The epoch each trial in training trains to. */
  readonly #targets = new Map<number, number>();
  /** Reports of the epoch in progress, applied at the first decision after it. */
  #pendingReports: Array<{ trial: number; epoch: number }> = [];
  #pendingEnds: Array<{ trial: number; epoch: number }> = [];
  /** Trials training right now (in the current pass or run). */
  readonly #active = new Set<number>();
  /** Promotions of trials not training now: resumed from their checkpoint after this pass. */
  #queued: SuccessiveHalvingJob[] = [];
  readonly #positions: Map<SweepTrial, number>;

  constructor(
    readonly state: SuccessiveHalvingSweepState,
    readonly options: SuccessiveHalvingSweepOptions,
  ) {
    const { trials } = state;
    this.#positions = new Map(trials.map((trial, position) => [trial, position]));
  }

  async run(): Promise<SuccessiveHalvingTrialResult[]> {
    const plan = this.options.onPlan ?? ((line: string) => console.error(line));
    plan(this.state.describe());
    this.#queued.push(...this.state.rebuild(this.options.onDecision));
    const signal = this.options.signal;
    while (!signal?.aborted) {
      const jobs = [...this.#queued, ...this.state.scheduler.nextJobs()];
      this.#queued = [];
      if (jobs.length === 0) break;
      const fresh = jobs.filter((job) => job.fromEpoch === 0);
      const resumed = jobs.filter((job) => job.fromEpoch > 0);
      await this.#trainFresh(fresh, plan);
      for (const job of resumed) {
        if (signal?.aborted) break;
        await this.#trainOne(job, true);
      }
    }
    return this.state.finish(this.options.onTrialEnd);
  }

  /** Applies the reports of the epoch in progress and takes the promotions they allow. */
  #decide(): void {
    for (const { trial, epoch } of this.#pendingEnds) this.state.end(trial, epoch, 'diverged');
    for (const { trial, epoch } of this.#pendingReports) {
      if (this.state.ended.has(trial)) continue;
      this.state.scheduler.report(trial, epoch, this.state.lossAt(trial, epoch));
    }
    this.#pendingEnds = [];
    this.#pendingReports = [];
    for (const job of this.state.scheduler.promotions()) {
      const label = (this.state.trials[job.trial] as SweepTrial).label;
      this.options.onDecision?.(
        `${label}: promoted from rung ${job.promotedFrom} (epoch ${job.fromEpoch}) to epoch ${job.toEpoch}`,
      );
      if (this.#active.has(job.trial)) this.#targets.set(job.trial, job.toEpoch);
      else this.#queued.push(job);
    }
  }

  /** The hooks of a training pass: record each epoch's loss, decide at targets. */
  #hooks() {
    return {
      onEpoch: (trial: number, record: EpochRecord) => {
        this.state.losses[trial]?.set(record.epoch, rungLoss(record));
        if (
          record.epoch === this.#targets.get(trial) &&
          this.state.scheduler.rungAt(record.epoch) !== undefined
        )
          this.#pendingReports.push({ trial, epoch: record.epoch });
      },
      onEvent: (trial: number, event: EventRecord) => {
        if (event.event === 'diverged') this.#pendingEnds.push({ trial, epoch: event.epoch });
      },
      pauseAfterEpoch: (trial: number, epoch: number): string | undefined => {
        if (epoch !== this.#targets.get(trial)) return undefined;
        this.#decide();
        if ((this.#targets.get(trial) ?? 0) > epoch) return undefined;
        this.#active.delete(trial);
        const rung = this.state.scheduler.rungAt(epoch);
        return `paused at rung ${rung} (epoch ${epoch}): waiting for the successive-halving decision`;
      },
    };
  }

  #settle(trial: number, result: SweepTrialResult): void {
    this.#active.delete(trial);
    this.#targets.delete(trial);
    this.state.settle(trial, result);
  }

  /** Trials starting from scratch: stacked where they can be, else one at a time. */
  async #trainFresh(jobs: readonly SuccessiveHalvingJob[], plan: (line: string) => void): Promise<void> {
    if (jobs.length === 0) return;
    const byTrial = new Map(jobs.map((job) => [this.state.trials[job.trial] as SweepTrial, job]));
    const { groups, rest } = planVectorised([...byTrial.keys()], () => false);
    const hooks = this.#hooks();
    const position = (trial: SweepTrial) => this.#positions.get(trial) as number;
    for (const group of groups) {
      if (this.options.signal?.aborted) return;
      for (const trial of group) {
        removeRun(this.state.directories[position(trial)] as string);
        this.#active.add(position(trial));
        this.#targets.set(position(trial), (byTrial.get(trial) as SuccessiveHalvingJob).toEpoch);
      }
      const labels = group.map((trial) => trial.index).join(', ');
      const outcomes = await runVectorisedTrials(
        group.map((trial) => ({ trial, directory: this.state.directories[position(trial)] as string })),
        {
          ...(this.options.signal ? { signal: this.options.signal } : {}),
          onBackend: (name, reason) =>
            plan(
              `path: vectorised — trials ${labels} (${group.length} in one pass, stacked weights) on ${name} (${reason})`,
            ),
          ...(this.options.onTrialStart ? { onTrialStart: this.options.onTrialStart } : {}),
          onEpoch: (trial, record) => {
            hooks.onEpoch(position(trial), record);
            this.options.onEpoch?.(trial, record);
          },
          onEvent: (trial, event) => hooks.onEvent(position(trial), event),
          pauseAfterEpoch: (trial, epoch) => hooks.pauseAfterEpoch(position(trial), epoch),
        },
      );
      this.#decide();
      for (const outcome of outcomes) this.#settle(position(outcome.trial), outcome);
    }
    if (rest.length > 0)
      plan(`path: one at a time in this process — trials ${rest.map((trial) => trial.index).join(', ')}`);
    for (const trial of rest) {
      if (this.options.signal?.aborted) return;
      removeRun(this.state.directories[position(trial)] as string);
      await this.#trainOne(byTrial.get(trial) as SuccessiveHalvingJob, false);
    }
  }

  /** One trial in this process, from scratch or from its checkpoint, to its target (or further). */
  async #trainOne(job: SuccessiveHalvingJob, resume: boolean): Promise<void> {
    const trial = this.state.trials[job.trial] as SweepTrial;
    const directory = this.state.directories[job.trial] as string;
    const hooks = this.#hooks();
    this.#active.add(job.trial);
    this.#targets.set(job.trial, job.toEpoch);
    this.options.onTrialStart?.(trial);
    let result: SweepTrialResult;
    try {
      const outcome = await runTraining(trial.config, {
        directory,
        runId: trial.id,
        resume,
        console: false,
        ...(this.options.signal ? { signal: this.options.signal } : {}),
        callbacks: {
          onEpochEnd: (record) => {
            hooks.onEpoch(job.trial, record);
            this.options.onEpoch?.(trial, record);
          },
          onEvent: (event) => hooks.onEvent(job.trial, event),
        },
        pauseAfterEpoch: (epoch) => hooks.pauseAfterEpoch(job.trial, epoch),
      });
      result = { trial, directory, status: outcome.status, summary: outcome.summary, reused: false };
    } catch (error) {
      result = {
        trial,
        directory,
        status: 'failed',
        summary: undefined,
        reused: false,
        error: (error as Error).message,
      };
    }
    this.#decide();
    this.#settle(job.trial, result);
  }
}

/**
 * A successive-halving sweep's state on disk: the scheduler, each trial's rung losses from its
 * records, and what ended how. `runSuccessiveHalvingSweep` trains with it here; the queue's
 * coordinator (`@contour/queue`) with it across machines.
 */
export class SuccessiveHalvingSweepState {
  readonly scheduler: SuccessiveHalving;
  /** Each trial's run directory. */
  readonly directories: string[];
  /** Each trial's rung loss by epoch, from its records. */
  readonly losses: Array<Map<number, number>>;
  readonly ended = new Set<number>();
  /** Trials whose result was already on disk. */
  readonly reused = new Set<number>();
  readonly failed = new Map<number, string>();

  /**
   * @throws CoreSpecError for trials with different epochs or early stopping.
   */
  constructor(
    readonly trials: readonly SweepTrial[],
    readonly directory: string,
    options: Omit<SuccessiveHalvingOptions, 'maxEpochs'> = {},
  ) {
    const maxEpochs = trials[0]?.config.training.epochs ?? 1;
    for (const trial of trials) {
      if (trial.config.training.epochs !== maxEpochs)
        throw new CoreSpecError(
          `trial ${trial.index} (${trial.label}) epochs`,
          `the same for every trial with successive halving (${maxEpochs})`,
          trial.config.training.epochs,
        );
      if (trial.config.training.earlyStopping)
        throw new CoreSpecError(
          `trial ${trial.index} (${trial.label}) earlyStopping`,
          'off with successive halving (the scheduler decides where trials stop)',
          trial.config.training.earlyStopping,
        );
    }
    this.scheduler = new SuccessiveHalving(trials.length, { ...options, maxEpochs });
    this.directories = trials.map((trial) => trialDirectory(directory, trial));
    this.losses = trials.map(() => new Map());
  }

  /** One line: η, the rungs and R. */
  describe(): string {
    const { rungs, settings } = this.scheduler;
    return `successive halving: η ${settings.reductionFactor}, rungs at epoch ${rungs.length === 0 ? '(none)' : rungs.join(', ')}, ${settings.maxEpochs} epochs at most`;
  }

  /** Reads a trial's rung losses from its records (all its epochs up to `through`). */
  readLosses(trial: number, through = Number.POSITIVE_INFINITY): void {
    for (const record of epochRecords(this.directories[trial] as string))
      if (record.epoch <= through) this.losses[trial]?.set(record.epoch, rungLoss(record));
  }

  /** Reports what the run directories already hold; returns the trials to resume mid-rung. */
  rebuild(onDecision?: (line: string) => void): SuccessiveHalvingJob[] {
    const resumes: SuccessiveHalvingJob[] = [];
    for (const [trial, sweepTrial] of this.trials.entries()) {
      const directory = this.directories[trial] as string;
      const files = runFiles(directory);
      const result = readJsonFile<RunResultFile>(files.result);
      const ended = result?.status === 'finished' || result?.status === 'diverged';
      const checkpointEpoch = readJsonFile<{ epoch?: number }>(files.checkpoint)?.epoch ?? 0;
      if (!ended && (checkpointEpoch === 0 || !existsSync(files.config))) continue;
      if (!recordsReadable(directory)) {
        // A damaged log (one a report would refuse): train the trial anew rather than fail on it.
        removeRun(directory);
        continue;
      }
      const records = epochRecords(directory);
      // What was saved: every epoch of an ended run, else up to its checkpoint (a resume trims the rest).
      const reached = ended ? records.length : Math.min(checkpointEpoch, records.length);
      for (const record of records.slice(0, reached)) this.losses[trial]?.set(record.epoch, rungLoss(record));
      const lastSaved = result?.status === 'diverged' ? checkpointEpoch : reached;
      for (const epoch of this.scheduler.rungs)
        if (epoch <= lastSaved) this.scheduler.report(trial, epoch, this.lossAt(trial, epoch));
      if (result?.status === 'finished' && reached === this.scheduler.settings.maxEpochs) {
        this.scheduler.report(trial, reached, this.lossAt(trial, reached));
        this.reused.add(trial);
      } else if (result?.status === 'diverged') {
        // It diverged in the epoch after its last checkpoint (only finite epochs are saved).
        this.end(trial, checkpointEpoch + 1, 'diverged');
        this.reused.add(trial);
      } else if (ended) {
        // Finished short of R without the scheduler (another run's directory): train it again.
        removeRun(directory);
      } else if (this.scheduler.rungAt(reached) === undefined) {
        // Interrupted between rungs: it had been promoted (or not reached rung 0 yet).
        resumes.push(this.scheduler.resume(trial, reached));
        onDecision?.(`${sweepTrial.label}: resumes from epoch ${reached}`);
      }
    }
    return resumes;
  }

  lossAt(trial: number, epoch: number): number {
    return this.losses[trial]?.get(epoch) ?? Number.NaN;
  }

  end(trial: number, epoch: number, status: 'diverged' | 'failed'): void {
    if (this.ended.has(trial)) return;
    this.ended.add(trial);
    this.scheduler.end(trial, epoch, status);
  }

  /** A trial's run ended (finished, diverged, failed; paused ones were reported at their rung). */
  settle(trial: number, result: SweepTrialResult): void {
    if (result.status === 'finished') {
      const epochs = result.summary?.epochs ?? 0;
      if (epochs === this.scheduler.settings.maxEpochs)
        this.scheduler.report(trial, epochs, this.lossAt(trial, epochs));
    } else if (result.status === 'diverged') {
      this.end(trial, Math.max(1, result.summary?.epochs ?? 1), 'diverged');
    } else if (result.status === 'failed') {
      this.failed.set(trial, result.error ?? 'failed');
      this.end(trial, result.summary?.epochs ?? 0, 'failed');
    }
  }

  /** The results and decisions; stopped trials' status.json says why; successive-halving.json. */
  finish(onTrialEnd?: (result: SuccessiveHalvingTrialResult) => void): SuccessiveHalvingTrialResult[] {
    const results = this.trials.map((trial, position) => {
      const directory = this.directories[position] as string;
      const files = runFiles(directory);
      const decision = this.decision(position);
      // A stopped trial says so in its own files (not `interrupted`, as a trial cut by Ctrl-C).
      if (decision.state === 'stopped' && !markRunStopped(directory, decision.reason)) {
        const status = readJsonFile<RunStatusFile>(files.status);
        if (status && status.message !== decision.reason)
          writeStatus(directory, { ...status, message: decision.reason });
      }
      const file = readJsonFile<RunResultFile>(files.result);
      const error = this.failed.get(position);
      const result: SuccessiveHalvingTrialResult = {
        trial,
        directory,
        status: error !== undefined ? 'failed' : (file?.status ?? 'interrupted'),
        summary: file?.summary,
        reused: this.reused.has(position),
        ...(error === undefined ? {} : { error }),
        decision,
      };
      onTrialEnd?.(result);
      return result;
    });
    const { settings, rungs } = this.scheduler;
    const record: SuccessiveHalvingFile = {
      formatVersion: 1,
      ...settings,
      rungs,
      epochsUsed: this.scheduler.epochsUsed,
      gridEpochs: settings.maxEpochs * this.trials.length,
      trials: results.map(({ trial, decision }) => ({ id: trial.id, label: trial.label, ...decision })),
    };
    writeFileAtomic(join(this.directory, successiveHalvingFileName), `${JSON.stringify(record, null, 2)}\n`);
    return results;
  }

  decision(trial: number): SuccessiveHalvingDecision {
    const stage = this.scheduler.stage(trial);
    const rungLosses = this.scheduler.rungs
      .filter((epoch) => this.losses[trial]?.has(epoch))
      .map((epoch) => this.lossAt(trial, epoch));
    const trained = Math.max(0, ...(this.losses[trial]?.keys() ?? []));
    const { maxEpochs } = this.scheduler.settings;
    switch (stage.state) {
      case 'finished':
        return {
          state: 'finished',
          epochs: maxEpochs,
          reason: `trained all ${maxEpochs} epochs`,
          rungLosses,
        };
      case 'stopped':
        return { state: 'stopped', epochs: stage.epoch, rung: stage.rung, reason: stage.reason, rungLosses };
      case 'ended':
        return {
          state: stage.status,
          epochs: stage.epoch,
          reason:
            stage.status === 'diverged'
              ? `diverged in epoch ${stage.epoch} (ranked last at its rung)`
              : `failed: ${this.failed.get(trial) ?? 'see status.json'}`,
          rungLosses,
        };
      default:
        return {
          state: 'unfinished',
          epochs: trained,
          reason: `interrupted after epoch ${trained}; run the sweep again to continue`,
          rungLosses,
        };
    }
  }
}
