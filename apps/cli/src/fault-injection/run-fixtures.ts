import { cpSync, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { resolveRunConfig } from '@contour/core';
import type { EpochRecord, MetricsRecord } from '@contour/metrics-logger';
import { readMetricsFile } from '@contour/metrics-logger/node';
import { runTraining } from '@contour/runs';

/** A quick, exact run (cpu): 1,500 training images, batch 50, rate 0.5. */
export const quickFlags = ['--train-limit', '1500', '--backend', 'cpu', '--batch-size', '50', '--lr', '0.5'];

/** The config `quickFlags` give with `epochs`. */
export function quickConfig(epochs: number) {
  return resolveRunConfig({
    data: { source: 'mnist', validation: 0.2, trainLimit: 1500 },
    training: {
      model: { type: 'linear', hidden: [], activation: 'relu', dropout: 0, initializer: 'glorot' },
      optimizer: { type: 'sgd', lr: 0.5 },
      loss: 'cross-entropy',
      epochs,
      batchSize: 50,
      seed: 0,
    },
    backend: 'cpu',
  });
}

/**
 * Trains `epochs` epochs into `directory` and stops (as Ctrl-C does) after `stopAfter`
 * completed epochs, or at step `stopAtStep` of the first epoch (before any checkpoint).
 */
export async function interruptedRun(
  directory: string,
  epochs: number,
  stop: { afterEpoch: number } | { atStep: number },
): Promise<void> {
  const controller = new AbortController();
  await runTraining(quickConfig(epochs), {
    directory,
    console: false,
    signal: controller.signal,
    callbacks:
      'afterEpoch' in stop
        ? { onEpochEnd: (record) => record.epoch === stop.afterEpoch && controller.abort() }
        : { onBatchEnd: (batch) => batch.step === stop.atStep && controller.abort() },
  });
}

/** Every file under a directory with its bytes, to show that a refusal changed nothing. */
export function snapshot(directory: string): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (path: string) => {
    for (const name of readdirSync(path)) {
      const full = join(path, name);
      if (statSync(full).isDirectory()) walk(full);
      else files[relative(directory, full)] = readFileSync(full).toString('base64');
    }
  };
  if (existsSync(directory)) walk(directory);
  return files;
}

/** Copies a fixture run directory. */
export function copyRun(from: string, to: string): string {
  cpSync(from, to, { recursive: true });
  return to;
}

/** The log's records. */
export function records(directory: string): MetricsRecord[] {
  return readMetricsFile(join(directory, 'metrics.jsonl')).records;
}

/** The log's epoch records, in order. */
export function epochRecords(directory: string): EpochRecord[] {
  return records(directory).filter((record): record is EpochRecord => record.kind === 'epoch');
}

/** What must match between two runs of the same config: every epoch's metrics (not timings). */
export function epochNumbers(directory: string) {
  return epochRecords(directory).map((record) => ({
    epoch: record.epoch,
    step: record.step,
    train: record.train,
    validation: record.validation,
  }));
}

/** Asserts-friendly summary of a CLI failure: one line, no stack trace. */
export function oneLine(stderr: string): string {
  const lines = stderr.split('\n').filter((line) => line.trim() !== '');
  return lines.length === 1 ? (lines[0] as string) : `MORE THAN ONE LINE:\n${stderr}`;
}

/**
 * The error line of a command that failed after printing progress: the last line, provided it is
 * the only `contour:` line and nothing looks like a stack trace.
 */
export function errorLine(stderr: string): string {
  const lines = stderr.split('\n').filter((line) => line.trim() !== '');
  const errors = lines.filter((line) => line.startsWith('contour:'));
  if (errors.length !== 1 || lines.some((line) => /^\s+at /.test(line)) || lines.at(-1) !== errors[0])
    return `NOT ONE ERROR LINE AT THE END:\n${stderr}`;
  return errors[0] as string;
}
