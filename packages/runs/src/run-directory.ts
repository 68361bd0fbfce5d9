import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { TrainingCheckpoint } from '@contour/core';
import { configHash } from '@contour/core/config';
import {
  type EventRecord,
  type FinishRecord,
  type MetricsRecord,
  type RunState,
  type RunStatus,
  type RunSummary,
  serializeRecord,
  summarizeRun,
} from '@contour/metrics-logger';
import { readMetricsFile, writeFileAtomic } from '@contour/metrics-logger/node';
import { writeCheckpointFile } from './checkpoint-file.js';
import { lockFileName, lockOwnerAlive, readLockOwner } from './directory-lock.js';

/** The files of a run directory (config.json, metrics.jsonl, status.json, checkpoint.json, model/). */
export function runFiles(directory: string) {
  return {
    directory,
    config: join(directory, 'config.json'),
    status: join(directory, 'status.json'),
    metrics: join(directory, 'metrics.jsonl'),
    checkpoint: join(directory, 'checkpoint.json'),
    result: join(directory, 'result.json'),
    modelDirectory: join(directory, 'model'),
  };
}

/** `status.json`: where a run stands. */
export interface RunStatusFile {
  readonly status: RunStatus;
  readonly epoch: number;
  readonly step: number;
  readonly updatedAt: string;
  readonly message?: string;
}

/** `result.json`: written once a run ends (finished, diverged or interrupted); sweeps read it. */
export interface RunResultFile {
  readonly runId: string;
  readonly status: RunStatus;
  readonly summary: RunSummary;
  readonly backend: string;
  readonly configHash: string;
}

/** Reads a JSON file, or undefined when it does not exist or does not parse. */
export function readJsonFile<T>(path: string): T | undefined {
  if (!existsSync(path)) return undefined;
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

/** Writes `status.json` atomically. */
export function writeStatus(directory: string, status: RunStatusFile): void {
  writeFileAtomic(runFiles(directory).status, `${JSON.stringify(status, null, 2)}\n`);
}

/**
 * Writes a checkpoint atomically as one file with a checksum of its content, so a crash or a full
 * disk leaves the previous one whole and a damaged one is recognised on resume.
 */
export function writeCheckpoint(directory: string, checkpoint: TrainingCheckpoint): void {
  writeCheckpointFile(runFiles(directory).checkpoint, checkpoint);
}

/**
 * Moves a run's outputs (everything but config.json and the lock) into `discarded-<time>/` inside
 * it, so the run can start over from epoch 1 without deleting anything. Returns that folder.
 */
export function setAsideRunFiles(directory: string): string {
  const target = join(directory, `discarded-${new Date().toISOString().replace(/[:.]/g, '-')}`);
  const names = readdirSync(directory).filter(
    (name) => name !== 'config.json' && name !== lockFileName && !name.startsWith('discarded-'),
  );
  mkdirSync(target, { recursive: true });
  for (const name of names) renameSync(join(directory, name), join(target, name));
  return target;
}

/**
 * Prepares `metrics.jsonl` for a resumed run: keeps every record up to the checkpoint's epoch
 * (steps and epochs after it are re-run, so they are dropped to avoid duplicates), keeps events,
 * drops `finish` records and any torn last line. Written atomically.
 */
export function trimMetricsForResume(directory: string, checkpointEpoch: number): MetricsRecord[] {
  const path = runFiles(directory).metrics;
  if (!existsSync(path)) return [];
  const { records } = readMetricsFile(path);
  const kept = records.filter((record) => {
    if (record.kind === 'step' || record.kind === 'epoch') return record.epoch <= checkpointEpoch;
    return record.kind !== 'finish';
  });
  writeFileAtomic(path, kept.map(serializeRecord).join(''));
  return kept;
}

/**
 * A run directory whose `metrics.jsonl` disagrees with its `result.json` or `status.json` (a log
 * cut short, replaced or edited): what it would report is not what the run did. The message
 * names the files in one line.
 */
export class InconsistentRunError extends Error {
  override readonly name = 'InconsistentRunError';
}

const endedStatuses: ReadonlySet<RunStatus> = new Set(['finished', 'diverged', 'interrupted', 'stopped']);

/** Reads a run directory's JSON file for a check; a file that exists but does not parse is refused. */
function readRunJson<T>(path: string): T | undefined {
  if (!existsSync(path)) return undefined;
  const value = readJsonFile<T>(path);
  if (value === undefined || typeof value !== 'object' || value === null)
    throw new InconsistentRunError(`${path}: not a JSON object; the run directory is damaged`);
  return value;
}

/**
 * Reads a run directory's log for reports and plots: every record is validated (MetricsFormatError
 * names the file and line; see `parseMetricsJsonl`), and the log must agree with the run's other
 * files — `result.json` (written when the run ended) must give the log's status and epoch count,
 * an ended `status.json` the same, and a `running`/`failed` one no more saved epochs than the log
 * records (the log is written before each checkpoint). A torn last line is dropped.
 *
 * @throws MetricsFormatError for a bad line; InconsistentRunError when the files disagree.
 */
export function readRunRecords(directory: string): MetricsRecord[] {
  const files = runFiles(directory);
  const { records } = readMetricsFile(files.metrics);
  const log = summarizeRun(records);
  const lastEpoch = records.reduce((last, record) => (record.kind === 'epoch' ? record.epoch : last), 0);
  const logSays = `metrics.jsonl says "${log.status}" after ${log.epochs} epoch(s)`;
  const refuse = (problem: string): never => {
    throw new InconsistentRunError(
      `${directory}: ${problem}; the log is incomplete, edited or from another run (refusing to report it)`,
    );
  };
  const result = readRunJson<Partial<RunResultFile>>(files.result);
  if (result) {
    const epochs = result.summary?.epochs;
    if (result.status !== log.status || epochs !== log.epochs)
      refuse(`${logSays} but result.json says "${String(result.status)}" after ${String(epochs)}`);
  }
  const status = readRunJson<Partial<RunStatusFile>>(files.status);
  if (status) {
    const state = status.status as RunStatus;
    if (result && state !== result.status)
      refuse(`status.json says "${String(state)}" but result.json says "${String(result.status)}"`);
    if (endedStatuses.has(state)) {
      if (state !== log.status || status.epoch !== log.epochs)
        refuse(`${logSays} but status.json says "${state}" after ${String(status.epoch)}`);
    } else if (typeof status.epoch !== 'number' || status.epoch > lastEpoch) {
      refuse(
        `status.json says epoch ${String(status.epoch)} was saved but metrics.jsonl records epochs up to ${lastEpoch}`,
      );
    }
  }
  return records;
}

/**
 * Where a run stands when its log has no finish record, from its other files, for
 * `summarizeRun(records, state)`: `failed` with its message when status.json says so (a run
 * that failed, e.g. on a full disk); `running` while a live process holds the directory's lock
 * (`contour train`), or, with no lock file, while status.json says `running` (the layers
 * `contourLogger` writes without one); otherwise `failed` — its writer is gone without
 * finishing (killed, or status.json could not even be written) — with a message saying so.
 * Undefined when the log has a finish record (it says how the run ended).
 */
export function readRunState(directory: string, records: readonly MetricsRecord[]): RunState | undefined {
  if (records.some((record) => record.kind === 'finish')) return undefined;
  const status = readJsonFile<Partial<RunStatusFile>>(runFiles(directory).status);
  if (status?.status === 'failed')
    return { status: 'failed', ...(typeof status.message === 'string' ? { message: status.message } : {}) };
  const owner = readLockOwner(directory);
  if (owner) {
    if (lockOwnerAlive(owner)) return { status: 'running' };
    return {
      status: 'failed',
      message: `not running: its writer (pid ${owner.pid}, ${owner.command}) ended without finishing it`,
    };
  }
  if (status?.status === 'running') return { status: 'running' };
  return {
    status: 'failed',
    message: status
      ? `not running: status.json says "${String(status.status)}" but metrics.jsonl has no finish record`
      : 'not running: metrics.jsonl has no finish record and no status.json or live writer',
  };
}

/** Removes a run directory's files (used by tests and `--force`). */
export function removeRun(directory: string): void {
  rmSync(directory, { recursive: true, force: true });
}

/** How a run ended, for `finishRun`. */
export interface RunEnding {
  readonly runId: string;
  readonly status: RunStatus;
  readonly epochs: number;
  readonly steps: number;
  readonly stopReason?: string | undefined;
  /** The backend that trained it. */
  readonly backend: string;
  /** The run's config (its hash marks the result as this config's). */
  readonly config: unknown;
}

/**
 * Ends a run directory: summarises its metrics.jsonl, writes result.json (what sweeps read to skip
 * finished trials) and the final status.json, both atomically. Returns the summary.
 */
export function finishRun(directory: string, ending: RunEnding): RunSummary {
  const summary = summarizeRun(readMetricsFile(runFiles(directory).metrics).records);
  const resultFile: RunResultFile = {
    runId: ending.runId,
    status: ending.status,
    summary,
    backend: ending.backend,
    configHash: configHash(ending.config),
  };
  writeFileAtomic(runFiles(directory).result, `${JSON.stringify(resultFile, null, 2)}\n`);
  writeStatus(directory, {
    status: ending.status,
    epoch: ending.epochs,
    step: ending.steps,
    updatedAt: new Date().toISOString(),
    ...(ending.stopReason ? { message: ending.stopReason } : {}),
  });
  return summary;
}

/**
 * Marks a run that a sweep's scheduler stopped early for good (successive halving did not promote
 * it from a rung). It had ended paused there (`interrupted` at that rung's checkpoint); now its log
 * gets an `early-stop` event with `reason` and a `stopped` finish record, and result.json and
 * status.json (with `reason` as its message) say `stopped`. The checkpoint stays: a later sweep
 * may train it on (resuming drops the finish record and keeps the event). Idempotent, and each
 * file is replaced atomically, log first: run again after a crash, it completes the marking.
 *
 * @returns false (nothing written) when the run did not end paused or stopped.
 */
export function markRunStopped(directory: string, reason: string): boolean {
  const files = runFiles(directory);
  const result = readJsonFile<RunResultFile>(files.result);
  if (result?.status !== 'interrupted' && result?.status !== 'stopped') return false;
  let { records } = readMetricsFile(files.metrics);
  const finish = [...records].reverse().find((record): record is FinishRecord => record.kind === 'finish');
  if (finish?.status === 'interrupted') {
    const event: EventRecord = {
      kind: 'event',
      event: 'early-stop',
      epoch: finish.epochs,
      step: finish.steps,
      message: reason,
    };
    records = [...records, event, { ...finish, status: 'stopped', time: new Date().toISOString() }];
    writeFileAtomic(files.metrics, records.map(serializeRecord).join(''));
  } else if (finish?.status !== 'stopped') {
    return false;
  }
  if (result.status !== 'stopped') {
    const stopped: RunResultFile = { ...result, status: 'stopped', summary: summarizeRun(records) };
    writeFileAtomic(files.result, `${JSON.stringify(stopped, null, 2)}\n`);
  }
  const status = readJsonFile<Partial<RunStatusFile>>(files.status);
  if (status?.status !== 'stopped' || status.message !== reason)
    writeStatus(directory, {
      status: 'stopped',
      epoch: finish.epochs,
      step: finish.steps,
      updatedAt: new Date().toISOString(),
      message: reason,
    });
  return true;
}

/**
 * Marks a run directory `failed` with the error's first line, keeping the epoch it had reached.
 * When even that cannot be written (a full disk), `status.json` is removed instead, so no file
 * says the run is still `running` (readers take that for a live run); removing needs no room.
 * Never throws: it is called while another error is already on its way up.
 */
export function markRunFailed(directory: string, error: unknown): void {
  const statusFile = runFiles(directory).status;
  try {
    const previous = readJsonFile<Partial<RunStatusFile>>(statusFile);
    writeStatus(directory, {
      status: 'failed',
      epoch: Number.isInteger(previous?.epoch) ? (previous?.epoch as number) : 0,
      step: Number.isInteger(previous?.step) ? (previous?.step as number) : 0,
      updatedAt: new Date().toISOString(),
      message: error instanceof Error ? (error.message.split('\n')[0] ?? error.name) : String(error),
    });
  } catch {
    try {
      rmSync(statusFile, { force: true });
    } catch {}
  }
}
