import { CoreSpecError } from './core-spec-error.js';

/**
 * Asynchronous successive halving (ASHA; Li et al., "A System for Massively Parallel
 * Hyperparameter Tuning", MLSys 2020) over a finite list of trials: every trial trains to the
 * first rung (`minEpochs`), and a trial that completed rung k is promoted to rung k+1 as soon as
 * its validation loss is in the top ⌊n_k/η⌋ of the n_k trials that completed rung k so far (the
 * paper's promotion rule, checked from the top rung down). Pure: no tfjs, no files.
 */
export interface SuccessiveHalvingOptions {
  /** η: the top 1/η of a rung is promoted; an integer ≥ 2. Default 3. */
  readonly reductionFactor?: number;
  /** r, the first rung's epoch (Ray Tune's grace period); an integer ≥ 1. Default 1. */
  readonly minEpochs?: number;
  /** R, the epochs of a trial that is never stopped (the sweep's `epochs`). */
  readonly maxEpochs: number;
}

/** Default η. */
export const defaultReductionFactor = 3;
/** Default r. */
export const defaultMinEpochs = 1;

/** The resolved options, checked. */
export interface SuccessiveHalvingSettings {
  readonly reductionFactor: number;
  readonly minEpochs: number;
  readonly maxEpochs: number;
}

/**
 * Checks and completes the options.
 *
 * @throws CoreSpecError naming `reductionFactor`, `minEpochs` or `maxEpochs` and what is allowed.
 */
export function resolveSuccessiveHalving(options: SuccessiveHalvingOptions): SuccessiveHalvingSettings {
  const reductionFactor = options.reductionFactor ?? defaultReductionFactor;
  const minEpochs = options.minEpochs ?? defaultMinEpochs;
  const { maxEpochs } = options;
  if (!Number.isInteger(maxEpochs) || maxEpochs < 1)
    throw new CoreSpecError('maxEpochs', 'an integer ≥ 1', maxEpochs);
  if (!Number.isInteger(reductionFactor) || reductionFactor < 2)
    throw new CoreSpecError('reductionFactor', 'an integer ≥ 2', reductionFactor);
  if (!Number.isInteger(minEpochs) || minEpochs < 1 || minEpochs > maxEpochs)
    throw new CoreSpecError('minEpochs', `an integer from 1 to the epochs (${maxEpochs})`, minEpochs);
  return { reductionFactor, minEpochs, maxEpochs };
}

/**
 * The rungs' epochs: r·η^k for k = 0, 1, … while below R. A trial promoted from the last rung
 * trains to R (the end, not a rung: nothing is decided there).
 */
export function successiveHalvingRungs(options: SuccessiveHalvingOptions): number[] {
  const { reductionFactor, minEpochs, maxEpochs } = resolveSuccessiveHalving(options);
  const rungs: number[] = [];
  for (let epoch = minEpochs; epoch < maxEpochs; epoch *= reductionFactor) rungs.push(epoch);
  return rungs;
}

/** Where a trial is. Rung numbers are 0-based (rung 0 is at `minEpochs`). */
export type SuccessiveHalvingStage =
  | { readonly state: 'pending' }
  /** Handed out as a job: training from `fromEpoch` to `toEpoch`. */
  | { readonly state: 'training'; readonly fromEpoch: number; readonly toEpoch: number }
  /** Completed `rung`, waiting for a promotion. */
  | { readonly state: 'waiting'; readonly rung: number }
  /** Trained to `maxEpochs`. */
  | { readonly state: 'finished' }
  /** Final: not promoted from `rung` once no trial could reach it any more. */
  | { readonly state: 'stopped'; readonly rung: number; readonly epoch: number; readonly reason: string }
  /** Diverged or failed at `epoch` (on the way to rung `rung`, or to the end when undefined). */
  | { readonly state: 'ended'; readonly epoch: number; readonly status: 'diverged' | 'failed' };

/** Train `trial` from `fromEpoch` (0: from scratch, else its checkpoint) to `toEpoch`. */
export interface SuccessiveHalvingJob {
  readonly trial: number;
  readonly fromEpoch: number;
  readonly toEpoch: number;
  /** The rung it was promoted from (undefined for a trial's first job). */
  readonly promotedFrom?: number;
}

/** A trial's validation loss at a rung; diverged or failed trials count with `Infinity`. */
export interface RungEntry {
  readonly trial: number;
  readonly loss: number;
}

/** Lower is better; non-finite losses (diverged) last; ties by trial index. */
function compareEntries(a: RungEntry, b: RungEntry): number {
  const finiteA = Number.isFinite(a.loss);
  const finiteB = Number.isFinite(b.loss);
  if (finiteA !== finiteB) return finiteA ? -1 : 1;
  if (finiteA && a.loss !== b.loss) return a.loss - b.loss;
  return a.trial - b.trial;
}

/** A loss for people: 3 significant digits. */
function formatLoss(loss: number): string {
  return Number.isFinite(loss) ? String(Number(loss.toPrecision(3))) : String(loss);
}

/**
 * The scheduler of one sweep's trials `0 … trialCount-1`. The caller asks for jobs
 * ({@link nextJobs}), trains them (stopping at `toEpoch` with a checkpoint) and reports what
 * happened ({@link report}, {@link end}); decisions are a pure function of what was reported, so a
 * sweep rebuilt from its run directories' records reaches the same state.
 *
 * A finite grid never grows its bottom rung again, so the paper's rule alone would leave the last
 * trials of a rung waiting for arrivals that never come (with 5 trials and η = 3 only one trial
 * ever leaves rung 0, and it then waits alone at rung 1 forever). Contour closes a rung once no
 * trial can still reach it — every trial has completed it or ended below it — and then promotes
 * its top max(1, ⌊n_k/η⌋) with a finite loss and stops the others for good (`stopped`, with the
 * reason). So the best trial of every rung trains on, and the sweep always ends with at least one
 * trial trained to `maxEpochs` (unless every trial diverged).
 */
export class SuccessiveHalving {
  readonly settings: SuccessiveHalvingSettings;
  /** The rungs' epochs ({@link successiveHalvingRungs}). */
  readonly rungs: readonly number[];
  readonly #stages: SuccessiveHalvingStage[];
  /** Per rung: the trials that completed it, with their loss. */
  readonly #rungEntries: RungEntry[][];
  /** Per rung: the trials promoted from it. */
  readonly #promoted: Set<number>[];
  /** Last epoch each trial reached (its epochs used). */
  readonly #epochs: number[];

  constructor(
    readonly trialCount: number,
    options: SuccessiveHalvingOptions,
  ) {
    this.settings = resolveSuccessiveHalving(options);
    this.rungs = successiveHalvingRungs(this.settings);
    this.#stages = Array.from({ length: trialCount }, () => ({ state: 'pending' }) as const);
    this.#rungEntries = this.rungs.map(() => []);
    this.#promoted = this.rungs.map(() => new Set<number>());
    this.#epochs = Array.from({ length: trialCount }, () => 0);
  }

  /** Where `trial` is. */
  stage(trial: number): SuccessiveHalvingStage {
    return this.#stage(trial);
  }

  /** The trials that completed rung `rung` and their losses, best first. */
  rungEntries(rung: number): RungEntry[] {
    return [...(this.#rungEntries[rung] ?? [])].sort(compareEntries);
  }

  /** Epochs trained, summed over the trials (the budget used). */
  get epochsUsed(): number {
    return this.#epochs.reduce((sum, epochs) => sum + epochs, 0);
  }

  /** Whether every trial is finished, stopped or ended. */
  get done(): boolean {
    return this.#stages.every((stage) => isFinal(stage));
  }

  /** The rung index whose epoch is `epoch`, or undefined. */
  rungAt(epoch: number): number | undefined {
    const index = this.rungs.indexOf(epoch);
    return index < 0 ? undefined : index;
  }

  /** The epoch a trial that completed `rung` (−1: none) trains to next. */
  nextEpoch(rung: number): number {
    return this.rungs[rung + 1] ?? this.settings.maxEpochs;
  }

  /**
   * Records that `trial` reached `epoch` (a rung's epoch or `maxEpochs`) with this validation
   * loss (a non-finite loss ranks last). Reaching rung k+1 means it was promoted from rung k;
   * reports come in increasing epochs per trial.
   */
  report(trial: number, epoch: number, loss: number): void {
    this.#check(trial);
    if (epoch <= this.#epochs[trial]!)
      throw new Error(`SuccessiveHalving: trial ${trial} already reached epoch ${this.#epochs[trial]}`);
    const rung = this.rungAt(epoch);
    if (rung === undefined && epoch !== this.settings.maxEpochs)
      throw new Error(
        `SuccessiveHalving: epoch ${epoch} is neither a rung (${this.rungs.join(', ')}) nor the end`,
      );
    this.#epochs[trial] = epoch;
    // Rungs it passed to get here were promotions.
    for (const [index, rungEpoch] of this.rungs.entries())
      if (rungEpoch < epoch && this.#entryOf(index, trial) !== undefined) this.#promoted[index]!.add(trial);
    if (rung === undefined) {
      this.#stages[trial] = { state: 'finished' };
      return;
    }
    this.#rungEntries[rung]!.push({ trial, loss });
    this.#stages[trial] = { state: 'waiting', rung };
  }

  /**
   * Records that `trial` diverged or failed at `epoch` (its last epoch trained). It counts at the
   * rung it was training towards with an infinite loss (it ranks last and is never promoted).
   */
  end(trial: number, epoch: number, status: 'diverged' | 'failed'): void {
    this.#check(trial);
    const reached = Math.max(this.#epochs[trial]!, epoch);
    this.#epochs[trial] = reached;
    const towards = this.rungs.findIndex((rungEpoch) => rungEpoch >= reached);
    if (towards >= 0 && this.#entryOf(towards, trial) === undefined)
      this.#rungEntries[towards]!.push({ trial, loss: Number.POSITIVE_INFINITY });
    this.#stages[trial] = { state: 'ended', epoch: reached, status };
  }

  /**
   * Marks `trial` as training from `fromEpoch` to `toEpoch` without a decision of this scheduler:
   * a sweep rebuilt from its records whose trial was interrupted between two rungs (it had been
   * promoted) or before its first.
   */
  resume(trial: number, fromEpoch: number): SuccessiveHalvingJob {
    this.#check(trial);
    const stage = this.#stage(trial);
    const rung = stage.state === 'waiting' ? stage.rung : -1;
    if (rung >= 0) this.#promoted[rung]!.add(trial);
    const toEpoch = this.nextEpoch(rung);
    this.#epochs[trial] = Math.max(this.#epochs[trial]!, fromEpoch);
    this.#stages[trial] = { state: 'training', fromEpoch, toEpoch };
    return { trial, fromEpoch, toEpoch, ...(rung >= 0 ? { promotedFrom: rung } : {}) };
  }

  /**
   * The promotions available now (ASHA's rule, top rung first, then the closed rungs' final
   * decisions), each marked as training: the trials leave their rung towards the next one.
   * Trials of closed rungs that are not promoted become `stopped`.
   */
  promotions(): SuccessiveHalvingJob[] {
    const jobs: SuccessiveHalvingJob[] = [];
    const eta = this.settings.reductionFactor;
    const promote = (trial: number, rung: number) => {
      this.#promoted[rung]!.add(trial);
      const fromEpoch = this.rungs[rung] as number;
      const toEpoch = this.nextEpoch(rung);
      this.#stages[trial] = { state: 'training', fromEpoch, toEpoch };
      jobs.push({ trial, fromEpoch, toEpoch, promotedFrom: rung });
    };
    // ASHA: from the top rung down, the waiting trials in the top ⌊n_k/η⌋ of rung k.
    for (let rung = this.rungs.length - 1; rung >= 0; rung -= 1) {
      const entries = this.rungEntries(rung);
      const quota = Math.floor(entries.length / eta);
      for (const entry of entries.slice(0, quota))
        if (this.#waitingAt(entry.trial, rung) && Number.isFinite(entry.loss)) promote(entry.trial, rung);
    }
    // Closed rungs (no trial can still reach them), bottom up: closing one may close the next.
    for (let rung = 0; rung < this.rungs.length; rung += 1) {
      if (!this.#closed(rung)) continue;
      const entries = this.rungEntries(rung);
      const quota = Math.floor(entries.length / eta);
      const keep = Math.max(1, quota);
      for (const [position, entry] of entries.entries()) {
        if (!this.#waitingAt(entry.trial, rung)) continue;
        if (position < keep && Number.isFinite(entry.loss)) {
          promote(entry.trial, rung);
          continue;
        }
        const epoch = this.rungs[rung] as number;
        const kept = quota >= 1 ? `the top 1/${eta}` : 'the best one';
        this.#stages[entry.trial] = {
          state: 'stopped',
          rung,
          epoch,
          reason: `stopped at rung ${rung} (epoch ${epoch}): val loss ${formatLoss(entry.loss)} not in ${kept} of ${entries.length} (rank ${position + 1})`,
        };
      }
    }
    return jobs;
  }

  /**
   * What to train now: every pending trial's first job (to rung 0, or to the end when there is no
   * rung) and the {@link promotions}. Empty when nothing can start until a job reports, or when
   * {@link done}.
   */
  nextJobs(): SuccessiveHalvingJob[] {
    const promotions = this.promotions();
    const starts: SuccessiveHalvingJob[] = [];
    for (const [trial, stage] of this.#stages.entries()) {
      if (stage.state !== 'pending') continue;
      const toEpoch = this.nextEpoch(-1);
      this.#stages[trial] = { state: 'training', fromEpoch: 0, toEpoch };
      starts.push({ trial, fromEpoch: 0, toEpoch });
    }
    return [...promotions, ...starts];
  }

  /** A rung is closed when every trial completed it or can no longer reach it. */
  #closed(rung: number): boolean {
    return this.#stages.every((stage, trial) => this.#entryOf(rung, trial) !== undefined || isFinal(stage));
  }

  #waitingAt(trial: number, rung: number): boolean {
    const stage = this.#stage(trial);
    return stage.state === 'waiting' && stage.rung === rung && !this.#promoted[rung]!.has(trial);
  }

  #entryOf(rung: number, trial: number): RungEntry | undefined {
    return this.#rungEntries[rung]?.find((entry) => entry.trial === trial);
  }

  #stage(trial: number): SuccessiveHalvingStage {
    this.#check(trial);
    return this.#stages[trial] as SuccessiveHalvingStage;
  }

  #check(trial: number): void {
    if (!Number.isInteger(trial) || trial < 0 || trial >= this.trialCount)
      throw new Error(`SuccessiveHalving: no trial ${trial} (0…${this.trialCount - 1})`);
  }
}

function isFinal(stage: SuccessiveHalvingStage): boolean {
  return stage.state === 'finished' || stage.state === 'stopped' || stage.state === 'ended';
}
