import { mkdirSync } from 'node:fs';
import { selectBackend } from '@contour/backends';
import { type EpochRecord, MetricsLogger, summarizeRun } from '@contour/metrics-logger';
import { JsonlFileSink, readMetricsFile, writeFileAtomic } from '@contour/metrics-logger/node';
import { loadMnistDataset, prepareDataset } from '@contour/mnist-loader/node';
import { CoreSpecError } from '../core-spec-error.js';
import { prepareOptions } from '../data-config.js';
import { configHash } from '../run-config.js';
import type { SweepTrial } from '../sweep.js';
import { trainVectorised } from '../training/vectorised-sweep.js';
import { saveModel } from './model-files.js';
import { type RunResultFile, runFiles, writeCheckpoint, writeStatus } from './run-directory.js';
import { type RunConfigFile, runtimeVersions } from './run-training.js';
import type { SweepTrialResult } from './sweep-runner.js';

/** Options of {@link runVectorisedTrials}. */
export interface VectorisedTrialsOptions {
  readonly signal?: AbortSignal;
  /** The backend chosen and why (one line), reported before training starts. */
  readonly onBackend?: (name: string, reason: string) => void;
  readonly onTrialStart?: (trial: SweepTrial) => void;
  readonly onEpoch?: (trial: SweepTrial, record: EpochRecord) => void;
  readonly onTrialEnd?: (result: SweepTrialResult) => void;
}

/**
 * Trains a group of sweep trials that differ only in their rate or schedule (see
 * `vectorisedSupport`) in one pass, in this process, writing each trial's run directory exactly
 * as `runTraining` does: `config.json`, `status.json`, `metrics.jsonl`, a checkpoint and `model/`
 * after every finite epoch, `result.json`. The data is loaded once for the group.
 */
export async function runVectorisedTrials(
  group: ReadonlyArray<{ readonly trial: SweepTrial; readonly directory: string }>,
  options: VectorisedTrialsOptions = {},
): Promise<SweepTrialResult[]> {
  const first = group[0];
  if (!first) return [];
  const config = first.trial.config;
  const fail = (message: string) =>
    group.map(({ trial, directory }) => {
      writeStatus(directory, {
        status: 'failed',
        epoch: 0,
        step: 0,
        updatedAt: new Date().toISOString(),
        message,
      });
      const result: SweepTrialResult = {
        trial,
        directory,
        status: 'failed',
        summary: undefined,
        reused: false,
        error: message,
      };
      options.onTrialEnd?.(result);
      return result;
    });
  const loggers: MetricsLogger[] = [];
  try {
    const selection = await selectBackend(config.backend);
    options.onBackend?.(selection.name, selection.reason);
    const dataset = prepareDataset(
      await loadMnistDataset(config.data.source),
      prepareOptions(config.data, config.training.seed),
    );
    if (dataset.train.count < config.training.batchSize) {
      throw new CoreSpecError(
        'batchSize',
        `at most the ${dataset.train.count} training examples`,
        config.training.batchSize,
      );
    }
    const versions = runtimeVersions();
    const trials = group.map(({ trial, directory }) => {
      mkdirSync(directory, { recursive: true });
      const files = runFiles(directory);
      const configFile: RunConfigFile = {
        formatVersion: 1,
        runId: trial.id,
        createdAt: new Date().toISOString(),
        config: trial.config,
        backend: { requested: selection.requested, chosen: selection.name, reason: selection.reason },
        versions,
      };
      writeFileAtomic(files.config, `${JSON.stringify(configFile, null, 2)}\n`);
      writeStatus(directory, { status: 'running', epoch: 0, step: 0, updatedAt: new Date().toISOString() });
      const logger = new MetricsLogger([new JsonlFileSink(files.metrics)]);
      loggers.push(logger);
      options.onTrialStart?.(trial);
      return {
        config: trial.config.training,
        runId: trial.id,
        recordedConfig: { ...trial.config, backend: selection.name },
        versions,
        logger,
        callbacks: { onEpochEnd: (record: EpochRecord) => options.onEpoch?.(trial, record) },
        saveCheckpoint: async (
          saved: Parameters<typeof writeCheckpoint>[1],
          model: Parameters<typeof saveModel>[0],
        ) => {
          await saveModel(model, files.modelDirectory);
          writeCheckpoint(directory, saved);
          writeStatus(directory, {
            status: 'running',
            epoch: saved.epoch,
            step: saved.step,
            updatedAt: new Date().toISOString(),
          });
        },
      };
    });
    const outcomes = await trainVectorised(trials, {
      dataset,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    return outcomes.map((outcome, index) => {
      const { trial, directory } = group[index] as (typeof group)[number];
      const files = runFiles(directory);
      (loggers[index] as MetricsLogger).close();
      outcome.model.dispose();
      const summary = summarizeRun(readMetricsFile(files.metrics).records);
      const resultFile: RunResultFile = {
        runId: trial.id,
        status: outcome.status,
        summary,
        backend: selection.name,
        configHash: configHash(trial.config),
      };
      writeFileAtomic(files.result, `${JSON.stringify(resultFile, null, 2)}\n`);
      writeStatus(directory, {
        status: outcome.status,
        epoch: outcome.epochs,
        step: outcome.steps,
        updatedAt: new Date().toISOString(),
        ...(outcome.stopReason ? { message: outcome.stopReason } : {}),
      });
      const result: SweepTrialResult = { trial, directory, status: outcome.status, summary, reused: false };
      options.onTrialEnd?.(result);
      return result;
    });
  } catch (error) {
    for (const logger of loggers) logger.close();
    return fail(error instanceof Error ? (error.message.split('\n')[0] ?? error.name) : String(error));
  }
}
