import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import type { TrainingCheckpoint } from '@contour/core';
import type { MetricsRecord } from '@contour/metrics-logger';
import { writeFileAtomic } from '@contour/metrics-logger/node';

/**
 * A run directory's checkpoint or log cannot be trusted (damaged, missing, or disagreeing with the
 * run's config or log). Nothing was changed; the message names the file and offers `--restart`.
 * The CLI exits 2 on it.
 */
export class CheckpointError extends Error {
  override readonly name = 'CheckpointError';
  constructor(
    readonly path: string,
    readonly reason: string,
    readonly directory: string,
  ) {
    super(
      `${path}: ${reason}; nothing was changed. To train this run again from epoch 1 (the old files are kept in ${directory}/discarded-<time>/): contour train --resume ${directory} --restart`,
    );
  }
}

/** SHA-256 of a checkpoint's content (every field but `checksum`, as JSON). */
export function checkpointChecksum(checkpoint: TrainingCheckpoint): string {
  const { checksum: _ignored, ...content } = checkpoint as TrainingCheckpoint & { checksum?: unknown };
  return `sha256:${createHash('sha256').update(JSON.stringify(content)).digest('hex')}`;
}

/**
 * Writes `checkpoint.json` atomically with a checksum of its weights and state, so a damaged or
 * edited file is recognised on resume (see readCheckpointFile).
 */
export function writeCheckpointFile(path: string, checkpoint: TrainingCheckpoint): void {
  writeFileAtomic(path, JSON.stringify({ ...checkpoint, checksum: checkpointChecksum(checkpoint) }));
}

/** What a checkpoint must agree with. */
export interface CheckpointExpectations {
  /** The run directory (named in the refusal). */
  readonly directory: string;
  /** The run's configured epoch count: the checkpoint's epoch may not exceed it. */
  readonly epochs: number;
  /** The run's log records (metrics.jsonl): it must hold every epoch up to the checkpoint's. */
  readonly records: readonly MetricsRecord[] | undefined;
  /** Parameter name → number of values of the model the config builds. */
  readonly parameterSizes: Readonly<Record<string, number>>;
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Checks a weights map: the model's parameter names, their sizes, finite numbers only. */
function weightsProblem(
  weights: unknown,
  sizes: Readonly<Record<string, number>>,
  field: string,
): string | undefined {
  if (!isPlainObject(weights)) return `"${field}" must be an object of weight arrays`;
  const expected = Object.keys(sizes);
  const names = Object.keys(weights);
  const missing = expected.filter((name) => !names.includes(name));
  const extra = names.filter((name) => !(name in sizes));
  if (missing.length > 0 || extra.length > 0)
    return `"${field}" holds parameters ${names.join(', ') || 'none'}; the model has ${expected.join(', ')}`;
  for (const name of expected) {
    const values = weights[name];
    if (!Array.isArray(values)) return `"${field}.${name}" must be an array of numbers`;
    if (values.length !== sizes[name])
      return `"${field}.${name}" holds ${values.length} values; the model's parameter has ${sizes[name]}`;
    const bad = values.findIndex((value) => typeof value !== 'number' || !Number.isFinite(value));
    if (bad >= 0) return `"${field}.${name}"[${bad}] is ${JSON.stringify(values[bad])}, not a finite number`;
  }
  return undefined;
}

/** Reads the log's epoch numbers: each of 1..epoch exactly once, and a run-start record. */
function logProblem(records: readonly MetricsRecord[] | undefined, epoch: number): string | undefined {
  if (records === undefined) return `the checkpoint is at epoch ${epoch} but metrics.jsonl is missing`;
  if (!records.some((record) => record.kind === 'run-start')) return 'metrics.jsonl has no run-start record';
  const epochs = records.flatMap((record) => (record.kind === 'epoch' ? [record.epoch] : []));
  for (let expected = 1; expected <= epoch; expected += 1) {
    const count = epochs.filter((value) => value === expected).length;
    if (count !== 1)
      return count === 0
        ? `the checkpoint is at epoch ${epoch} but metrics.jsonl has no record of epoch ${expected}`
        : `metrics.jsonl records epoch ${expected} ${count} times (two writers?)`;
  }
  return undefined;
}

/**
 * Reads and validates `checkpoint.json` before anything is trimmed or resumed: it must parse, have
 * the checkpoint schema (format, version, integer epoch and step in range), a checksum matching
 * its content, weights with the model's parameter names and sizes and only finite values, an
 * epoch within the config's epochs and recorded in the log. Returns undefined when the file does
 * not exist.
 *
 * @throws CheckpointError naming the file and what is wrong.
 */
export function readCheckpointFile(
  path: string,
  expectations: CheckpointExpectations,
): TrainingCheckpoint | undefined {
  if (!existsSync(path)) return undefined;
  const refuse = (reason: string): never => {
    throw new CheckpointError(path, reason, expectations.directory);
  };
  const text = readFileSync(path, 'utf8');
  if (text.trim() === '') refuse('the file is empty (a damaged checkpoint)');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    refuse('not valid JSON (a truncated or damaged checkpoint)');
  }
  if (!isPlainObject(value)) return refuse('not a checkpoint object');
  if (value.format !== 'contour.training-checkpoint' || value.version !== 1)
    refuse('not a contour training checkpoint (format "contour.training-checkpoint", version 1)');
  const { epoch, step } = value;
  if (typeof epoch !== 'number' || !Number.isSafeInteger(epoch) || epoch < 1)
    refuse(`"epoch" must be an integer ≥ 1; got ${JSON.stringify(epoch)}`);
  if ((epoch as number) > expectations.epochs)
    refuse(`"epoch" is ${epoch} but the run has ${expectations.epochs} epochs`);
  if (typeof step !== 'number' || !Number.isSafeInteger(step) || step < (epoch as number))
    refuse(`"step" must be an integer ≥ the epoch; got ${JSON.stringify(step)}`);
  if (typeof value.elapsedSeconds !== 'number' || !(value.elapsedSeconds >= 0))
    refuse('"elapsedSeconds" must be a number ≥ 0');
  const weights = weightsProblem(value.weights, expectations.parameterSizes, 'weights');
  if (weights) refuse(weights);
  if (!isPlainObject(value.optimizer)) refuse('"optimizer" must be the optimizer state object');
  if (value.bestTrainLoss !== null && !Number.isFinite(value.bestTrainLoss))
    refuse('"bestTrainLoss" must be a finite number or null');
  const early = value.earlyStopping;
  if (early !== null) {
    if (!isPlainObject(early)) return refuse('"earlyStopping" must be an object or null');
    if (!Number.isSafeInteger(early.bestEpoch) || !Number.isSafeInteger(early.badEpochs))
      refuse('"earlyStopping.bestEpoch" and "badEpochs" must be integers');
    if (early.bestWeights !== null) {
      const best = weightsProblem(
        early.bestWeights,
        expectations.parameterSizes,
        'earlyStopping.bestWeights',
      );
      if (best) refuse(best);
    }
  }
  if (typeof value.checksum !== 'string') refuse('it has no checksum');
  if (value.checksum !== checkpointChecksum(value as unknown as TrainingCheckpoint))
    refuse('its checksum does not match its content (a damaged or edited checkpoint)');
  const log = logProblem(expectations.records, epoch as number);
  if (log) refuse(log);
  const { checksum: _checksum, ...checkpoint } = value;
  return checkpoint as unknown as TrainingCheckpoint;
}
